#!/usr/bin/ruby
# Reads cookies sessctl signed and says what Debian's ActionDispatch 6.1
# (ruby-actionpack, ruby-activesupport) makes of them: the real cookie jar
# of a request carrying the cookie, configured as a Rails app's env is:
#   ruby interop/accept-signed.rb < cases.json
# Input: [{id, format, name, value, secret, options}]; options kind (gcm,
# cbc, signed), key_derivation (sha1, the only one activesupport 6.1's
# KeyGenerator has; sha256 is Rails 7's), digest (the signed cookie and CBC
# HMAC). Output: {id: {ok, payload} | {ok: false, error}}. The jar reads
# with purpose "cookie.<name>" and checks the envelope's expiry.
require "json"
require "action_dispatch"
require "action_dispatch/middleware/cookies"
require "active_support/key_generator"
require "active_support/messages/rotation_configuration"

def jar_for(c)
  o = c["options"] || {}
  raise "activesupport 6.1 derives keys with SHA1 only" if (o["key_derivation"] || "sha1") != "sha1"
  gen = ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(c["secret"], iterations: 1000))
  env = Rack::MockRequest.env_for("/", "HTTP_COOKIE" => "#{c["name"]}=#{c["value"]}")
  env.merge!(
    "action_dispatch.key_generator" => gen,
    "action_dispatch.secret_key_base" => c["secret"],
    "action_dispatch.cookies_serializer" => :json,
    "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie",
    "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
    "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
    "action_dispatch.signed_cookie_salt" => "signed cookie",
    "action_dispatch.use_authenticated_cookie_encryption" => (o["kind"] || "gcm") == "gcm",
    "action_dispatch.encrypted_cookie_cipher" => (o["kind"] == "cbc" ? "aes-256-cbc" : "aes-256-gcm"),
    "action_dispatch.signed_cookie_digest" => (o["digest"] || "sha1").upcase,
    "action_dispatch.use_cookies_with_metadata" => true,
    "action_dispatch.cookies_rotations" => ActiveSupport::Messages::RotationConfiguration.new,
  )
  ActionDispatch::Request.new(env).cookie_jar
end

out = {}
JSON.parse($stdin.read).each do |c|
  begin
    jar = jar_for(c)
    kind = (c["options"] || {})["kind"] || "gcm"
    v = kind == "signed" ? jar.signed[c["name"]] : jar.encrypted[c["name"]]
    out[c["id"]] = v.nil? ? { ok: false, error: "actiondispatch: the jar refused the cookie (nil)" } : { ok: true, payload: v }
  rescue StandardError => e
    out[c["id"]] = { ok: false, error: "#{e.class}: #{e.message}" }
  end
end
puts JSON.generate(out)
