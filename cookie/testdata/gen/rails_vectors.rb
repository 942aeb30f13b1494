#!/usr/bin/ruby
# Make cookie/testdata/rails/vectors.json with Debian's ruby-activesupport
# (6.1.7.10): ruby cookie/testdata/gen/rails_vectors.rb
#
# Each value is made the way ActionDispatch's EncryptedKeyRotatingCookieJar
# (actionpack 6.1 cookies.rb) makes an encrypted cookie, with the real
# ActiveSupport classes: key = KeyGenerator(secret_key_base, iterations:
# 1000).generate_key("authenticated encrypted cookie", 32), PBKDF2 with
# SHA1 (Rails < 7.0) or SHA256 (load_defaults 7.0, see derive); MessageEncryptor
# aes-256-gcm with the NullSerializer; the session JSON-serialized by the
# jar; purpose "cookie.<name>" and expiry in the Messages::Metadata envelope;
# the value Rack-escaped (CGI.escape). The pre-6.0 vector has no metadata
# (no purpose given). One vector builds its plaintext by hand, as
# activesupport 6.1 cannot: the Rails 7.1 envelope ({"_rails":{"data":...}},
# no inner base64); it is still encrypted by MessageEncryptor.
require "active_support"
require "active_support/key_generator"
require "active_support/message_encryptor"
require "active_support/json"
require "cgi"
require "json"
require "openssl"
require "time"

OUT = File.join(__dir__, "..", "rails", "vectors.json")
SKB = "9f1c" * 32 # a 128-hex-char secret_key_base, as `rails secret` prints
SALT = "authenticated encrypted cookie"
NAME = "_app_session"

# activesupport 6.1's KeyGenerator always derives with PBKDF2-HMAC-SHA1 (it
# has no hash_digest_class option yet). Rails 7.0's generate_key is
# OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, key_size,
# hash_digest_class.new): that line is used for the SHA256 (Rails >= 7.0)
# vectors.
def derive(skb, digest, salt = SALT, len = 32)
  if digest == OpenSSL::Digest::SHA1
    ActiveSupport::KeyGenerator.new(skb, iterations: 1000).generate_key(salt, len)
  else
    OpenSSL::PKCS5.pbkdf2_hmac(skb, salt, 1000, len, digest.new)
  end
end

def encryptor(skb, digest)
  key = derive(skb, digest)
  ActiveSupport::MessageEncryptor.new(key, cipher: "aes-256-gcm",
                                      serializer: ActiveSupport::MessageEncryptor::NullSerializer)
end

def cookie(skb, digest, session, purpose: "cookie.#{NAME}", expires_at: nil)
  enc = encryptor(skb, digest)
  opts = {}
  opts[:purpose] = purpose if purpose
  opts[:expires_at] = expires_at if expires_at
  value = enc.encrypt_and_sign(ActiveSupport::JSON.encode(session), **opts)
  # Round trip through the library: the payload is what Rails loads.
  back = JSON.parse(encryptor(skb, digest).decrypt_and_verify(value, purpose: purpose))
  raise "round trip #{back} != #{session}" unless back == JSON.parse(ActiveSupport::JSON.encode(session))
  CGI.escape(value)
end

def raw_cookie(skb, digest, plaintext)
  CGI.escape(encryptor(skb, digest).encrypt_and_sign(plaintext))
end

$vectors = []
def add(name, value, secrets, signature, payload, secret_index: -1, fields: nil, expires_at: nil, note: nil)
  v = { name: name, cookie_name: NAME, value: value, secrets: secrets, format: "rails",
        signature: signature, payload: payload, secret_index: secret_index }
  v[:expires_at] = expires_at if expires_at
  v[:fields] = fields if fields
  v[:note] = note if note
  $vectors << v
end

sess = { "session_id" => "1f3870be274f6c49b3e31a0c6728957f", "_csrf_token" => "Jm1b8VhV0cZ0aQ8tP4kq3Q==",
         "warden.user.user.key" => [[42], "$2a$12$abcdefghijklmnopqrstuv"] }
v = cookie(SKB, OpenSSL::Digest::SHA256, sess)
add("rails70-sha256", v, [SKB], "valid", sess, secret_index: 0,
    fields: { "key_derivation" => "PBKDF2-HMAC-SHA256 (Rails >= 7.0)", "envelope" => "rails 6.0-7.0 metadata (_rails.message)",
              "purpose" => "cookie._app_session" })
add("no-secret", v, [], "unverified", nil)
add("wrong-secret", v, ["0" * 128], "invalid", nil)
data, iv, tag = CGI.unescape(v).split("--")
bytes = data.unpack1("m0").bytes
bytes[3] ^= 1
add("tampered", CGI.escape([bytes.pack("C*")].pack("m0") + "--" + iv + "--" + tag), [SKB], "invalid", nil,
    note: "one ciphertext bit flipped")

sess = { "session_id" => "abc", "count" => 1 }
v = cookie(SKB, OpenSSL::Digest::SHA1, sess)
add("rails61-sha1", v, [SKB], "valid", sess, secret_index: 0,
    fields: { "key_derivation" => "PBKDF2-HMAC-SHA1 (Rails < 7.0)" })

sess = { "session_id" => "c0ffee", "name" => "Zoë Ångström", "city" => "東京", "emoji" => "🍪" }
v = cookie(SKB, OpenSSL::Digest::SHA256, sess)
add("unicode", v, ["wrong-first", SKB], "valid", sess, secret_index: 1)

sess = { "session_id" => "big", "cart" => (1..76).map { |i| { "sku" => format("C-%03d", i), "qty" => i } } }
v = cookie(SKB, OpenSSL::Digest::SHA256, sess)
add("large", v, [SKB], "valid", sess, secret_index: 0, note: "Rails does not compress: near the 4 KB limit")

exp = Time.utc(2031, 1, 2, 3, 4, 5)
sess = { "session_id" => "expiring", "remember" => true }
v = cookie(SKB, OpenSSL::Digest::SHA256, sess, expires_at: exp)
add("with-expiry", v, [SKB], "valid", sess, secret_index: 0, expires_at: exp.iso8601)

sess = { "session_id" => "rails71", "user_id" => 5 }
plain = JSON.generate({ "_rails" => { "data" => sess, "pur" => "cookie.#{NAME}", "exp" => nil } })
v = raw_cookie(SKB, OpenSSL::Digest::SHA256, plain)
add("rails71-envelope", v, [SKB], "valid", sess, secret_index: 0,
    fields: { "envelope" => "rails 7.1 metadata (_rails.data)" })

sess = { "session_id" => "legacy52", "flash" => nil }
v = raw_cookie(SKB, OpenSSL::Digest::SHA1, JSON.generate(sess))
add("rails52-no-metadata", v, [SKB], "valid", sess, secret_index: 0, fields: { "envelope" => "none (Rails < 6.0)" })

# The vector in formats.md §1.8 (secret_key_base 128 x "a", SHA1).
pub = "WvaEO8MSKeRW0JxQWnQhXDwZe6cWUm8xDgVfF6I0a9JHl2DDr5h0EbN4Pw960fVueAsr4GtS6kd3LIWPKChZ+GUkMERzreS9K4k/tyRI30L5mJbcTdwQPpAKw5qkzC0AewD/5XfP+sU=--AQ1tauAlr6PqNuW/--lVqyrOqIHGIKvwAXFGzAIw=="
back = JSON.parse(encryptor("a" * 128, OpenSSL::Digest::SHA1).decrypt_and_verify(pub, purpose: "cookie._app_session"))
add("reference-notes", pub, ["a" * 128], "valid", back, secret_index: 0, note: "formats.md 1.8, raw (not URL-encoded)")

# Rails 4.0-5.1 encrypted cookies (and 5.2+ apps without authenticated
# encryption): MessageEncryptor aes-256-cbc, key from "encrypted cookie",
# signed by a MessageVerifier (HMAC-SHA1) keyed from "signed encrypted
# cookie" (64 bytes): base64("<data>--<iv>")--<hex HMAC>.
def cbc_cookie(skb, session, purpose: nil)
  enc = ActiveSupport::MessageEncryptor.new(
    derive(skb, OpenSSL::Digest::SHA1, "encrypted cookie", 32),
    derive(skb, OpenSSL::Digest::SHA1, "signed encrypted cookie", 64),
    cipher: "aes-256-cbc", serializer: ActiveSupport::MessageEncryptor::NullSerializer)
  opts = purpose ? { purpose: purpose } : {}
  value = enc.encrypt_and_sign(ActiveSupport::JSON.encode(session), **opts)
  raise "round trip" unless JSON.parse(enc.decrypt_and_verify(value, **opts)) == session
  CGI.escape(value)
end

sess = { "session_id" => "cbc51", "user_id" => 9 }
v = cbc_cookie(SKB, sess)
add("rails51-cbc", v, [SKB], "valid", sess, secret_index: 0,
    fields: { "cipher" => "AES-256-CBC + HMAC-SHA1 (Rails 4.0-5.1)", "key_derivation" => "PBKDF2-HMAC-SHA1 (Rails < 7.0)" })
add("rails51-cbc-wrong-secret", v, ["f" * 128], "invalid", nil)

# Signed (not encrypted) cookies, cookies.signed: MessageVerifier keyed from
# "signed cookie", base64(<serialized>)--<hex HMAC>, with the 6.x metadata.
sess = { "user_id" => 77, "remember" => "yes" }
ver = ActiveSupport::MessageVerifier.new(derive(SKB, OpenSSL::Digest::SHA1, "signed cookie", 64), digest: "SHA1",
                                         serializer: ActiveSupport::MessageEncryptor::NullSerializer)
v = ver.generate(ActiveSupport::JSON.encode(sess), purpose: "cookie.remember_token")
raise "round trip" unless JSON.parse(ver.verified(v, purpose: "cookie.remember_token")) == sess
add("signed-cookie", CGI.escape(v), [SKB], "valid", sess, secret_index: 0,
    fields: { "mac" => "HMAC-SHA1 (MessageVerifier, key from \"signed cookie\")", "purpose" => "cookie.remember_token" })
$vectors.last[:cookie_name] = "remember_token"
add("signed-cookie-unverified", CGI.escape(v), [], "unverified", sess)
$vectors.last[:cookie_name] = "remember_token"

# The schema of cookie/testdata/<format>/vectors.json that the cookie and
# cmd tests share: desc, name (the cookie's), value, secrets, want.
def shared_schema(v)
  want = v.slice(:format, :signature, :secret_index, :payload, :expires_at, :fields)
  out = { desc: v[:name], name: v[:cookie_name], value: v[:value], secrets: v[:secrets], want: want }
  out[:note] = v[:note] if v[:note]
  out
end
File.write(OUT, "[\n" + $vectors.map { |v| JSON.generate(shared_schema(v)) }.join(",\n") + "\n]\n")
warn "wrote #{$vectors.size} vectors to #{File.expand_path(OUT)} (activesupport #{ActiveSupport::VERSION::STRING})"
