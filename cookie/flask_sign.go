package cookie

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
)

// DefaultName returns "session", Flask's SESSION_COOKIE_NAME.
func (Flask) DefaultName() string { return "session" }

// Sign makes what Flask's SecureCookieSessionInterface sets:
// itsdangerous' URLSafeTimedSerializer over the JSON session, zlib-compressed
// (with the leading ".") when that is shorter, as itsdangerous does. The
// payload is written as given, so Flask's tagged JSON (" t", " b", ...)
// passes through. Options: salt (default "cookie-session"), digest (sha1,
// Flask's, or sha256, sha512).
func (Flask) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	digest, err := r.optOneOf("flask", "digest", "sha1", "sha1", "sha256", "sha512")
	if err != nil {
		return nil, err
	}
	salt := r.opt("salt", flaskSalt)
	payload := itsdangerousPayload(asciiJSON(r.Payload))
	// itsdangerous' int_to_bytes: big-endian without leading zero bytes.
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(max(r.IssuedAt.Unix(), 1)))
	signed := payload + "." + base64.RawURLEncoding.EncodeToString(bytes.TrimLeft(ts[:], "\x00"))
	key := hmacSum(digest, secret, []byte(salt))
	sig := base64.RawURLEncoding.EncodeToString(hmacSum(digest, key, []byte(signed)))
	return []SignedCookie{{Name: r.Name, Value: signed + "." + sig}}, nil
}

// itsdangerousPayload is base64url (unpadded) of data, or "." and the
// base64url of its zlib compression when that is shorter by more than one
// byte: what itsdangerous' URLSafeSerializerMixin and Django's
// signing.dumps(compress=True) both do.
func itsdangerousPayload(data []byte) string {
	if z := deflate(data); len(z) < len(data)-1 {
		return "." + base64.RawURLEncoding.EncodeToString(z)
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

// deflate compresses b with zlib at Python's default level (6).
func deflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, 6)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}
