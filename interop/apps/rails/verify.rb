# Reads Rails cookie-store cookies with ActionDispatch's own cookie jar (the
# encrypted jar the CookieStore reads, same settings as config.ru): one
# _app_session value a line on stdin, one JSON line out: {"payload": session}
# or {"error": ...} when the jar refuses it.   ruby verify.rb SECRET_KEY_BASE
require "json"
require "rack"
require_relative "rails_env"

config = RailsEnv.config(ARGV.fetch(0))
$stdout.sync = true
$stdin.each_line do |line|
  env = Rack::MockRequest.env_for("/", "HTTP_COOKIE" => "#{SESSION_KEY}=#{line.strip}").merge!(config)
  data = ActionDispatch::Request.new(env).cookie_jar.encrypted[SESSION_KEY]
  puts JSON.generate(data ? { "payload" => data } : { "error" => "the encrypted cookie jar refused it" })
end
