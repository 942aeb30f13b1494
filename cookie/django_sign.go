package cookie

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
)

// DefaultName returns "sessionid", Django's SESSION_COOKIE_NAME.
func (Django) DefaultName() string { return "sessionid" }

// Sign makes what django.core.signing.dumps writes, as the signed_cookies
// session backend calls it: the JSON (ASCII, compact, as JSONSerializer
// writes it), zlib-compressed when shorter, under a TimestampSigner.
// Options: salt (default the session backend's,
// "django.contrib.sessions.backends.signed_cookies"), digest (sha256,
// Django >= 3.1, or sha1), compress (default true for the session backend's
// salt, false for another, as signing.dumps), and kind=signed_cookie for
// HttpResponse.set_signed_cookie: the string payload as is, keyed with
// "django.http.cookies" + SECRET_KEY and salted with the cookie name.
func (Django) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	digest, err := r.optOneOf("django", "digest", "sha256", "sha256", "sha1")
	if err != nil {
		return nil, err
	}
	kind, err := r.optOneOf("django", "kind", "dumps", "dumps", "signed_cookie")
	if err != nil {
		return nil, err
	}
	var value, salt, keyPrefix string
	if kind == "signed_cookie" {
		s, ok := r.payloadString()
		if !ok {
			return nil, fmt.Errorf("django: %w of a set_signed_cookie value must be a JSON string", ErrPayload)
		}
		value, salt, keyPrefix = s, r.Name, "django.http.cookies"
	} else {
		salt = r.opt("salt", djangoSessionSalt)
		compress, err := r.optBool("django", "compress", salt == djangoSessionSalt)
		if err != nil {
			return nil, err
		}
		data := asciiJSON(r.Payload)
		if compress {
			value = itsdangerousPayload(data)
		} else {
			value = base64.RawURLEncoding.EncodeToString(data)
		}
	}
	signed := value + ":" + b62Encode(r.IssuedAt.Unix())
	// salted_hmac(salt + "signer", value, key): the HMAC key is
	// H(salt + "signer" + key).
	var h hash.Hash = sha256.New()
	if digest == "sha1" {
		h = sha1.New()
	}
	h.Write([]byte(salt + "signer" + keyPrefix))
	h.Write(secret)
	sig := hmacSum(digest, h.Sum(nil), []byte(signed))
	return []SignedCookie{{Name: r.Name, Value: signed + ":" + base64.RawURLEncoding.EncodeToString(sig)}}, nil
}

// b62Encode writes n in Django's base62 (django.utils.baseconv.base62).
func b62Encode(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append(b, base62Digits[n%62])
		n /= 62
	}
	if neg {
		b = append(b, '-')
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
