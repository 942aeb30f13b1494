# The Rails cookie store (ActionDispatch 6.1's CookieStore, key _app_session)
# in a bare Rack app: GET / counts visits as the express-session reference
# example does, POST /login and GET /logout (reset_session, Rails' advice
# against session fixation); /_truth counts requests. SECRET (secret_key_base)
# from the environment.
#   rackup -s webrick -o 127.0.0.1 -p PORT config.ru
require "json"
require_relative "rails_env"

TRUTH = { "requests" => 0, "created" => 0, "max_count" => 0, "pid" => Process.pid }
LOCK = Mutex.new

def json(status, body)
  [status, { "Content-Type" => "application/json" }, [JSON.generate(body)]]
end

app = lambda do |env|
  req = ActionDispatch::Request.new(env)
  s = req.session
  case [req.request_method, req.path]
  when ["GET", "/"]
    status = 200
    if !s[:sid] && !s[:visitCount]
      s[:sid] = rand(10000)
      s[:visitCount] = 1
      status = 201
    else
      s[:visitCount] += 1
    end
    LOCK.synchronize do
      TRUTH["requests"] += 1
      TRUTH["created"] += 1 if status == 201
      TRUTH["max_count"] = [TRUTH["max_count"], s[:visitCount]].max
    end
    json(status, "sid" => s[:sid], "visitCount" => s[:visitCount])
  when ["POST", "/login"]
    user = req.POST["user"]
    req.reset_session
    req.session[:user] = user
    json(200, "user" => user)
  when ["GET", "/logout"]
    req.reset_session
    json(200, "logged_out" => true)
  when ["GET", "/_truth"]
    LOCK.synchronize { json(200, TRUTH) }
  else
    json(404, "error" => "not found")
  end
end

use RailsEnv, ENV.fetch("SECRET")
use ActionDispatch::Cookies
use ActionDispatch::Session::CookieStore, key: SESSION_KEY
run app
