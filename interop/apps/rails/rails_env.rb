# The request settings a Rails 6.1 application (config.load_defaults 6.1)
# puts in every request's env (Rails::Application#env_config), for a bare
# Rack app that uses ActionDispatch's cookie jar and cookie store: AES-256-GCM
# authenticated encryption, JSON cookies with purpose metadata, keys derived
# from secret_key_base by PBKDF2 (1000 rounds). Shared by config.ru and
# verify.rb so both read cookies exactly alike.
require "action_dispatch"
require "action_dispatch/middleware/cookies"
require "active_support/key_generator"
require "active_support/messages/rotation_configuration"

SESSION_KEY = "_app_session"

class RailsEnv
  def self.config(secret_key_base)
    {
      "action_dispatch.secret_key_base" => secret_key_base,
      "action_dispatch.key_generator" => ActiveSupport::CachingKeyGenerator.new(
        ActiveSupport::KeyGenerator.new(secret_key_base, iterations: 1000)),
      "action_dispatch.signed_cookie_salt" => "signed cookie",
      "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
      "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
      "action_dispatch.authenticated_encrypted_cookie_salt" => "authenticated encrypted cookie",
      "action_dispatch.use_authenticated_cookie_encryption" => true,
      "action_dispatch.encrypted_cookie_cipher" => "aes-256-gcm",
      "action_dispatch.cookies_serializer" => :json,
      "action_dispatch.use_cookies_with_metadata" => true,
      "action_dispatch.cookies_same_site_protection" => ->(_request) { "Lax" },
      "action_dispatch.cookies_rotations" => ActiveSupport::Messages::RotationConfiguration.new,
    }.freeze
  end

  def initialize(app, secret_key_base)
    @app = app
    @config = self.class.config(secret_key_base)
  end

  def call(env)
    @app.call(env.merge!(@config))
  end
end
