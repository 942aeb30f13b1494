package cookie

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"
)

// Signer is implemented by the formats sessctl can sign. Formats() is the
// one table of formats: a format that also implements Signer can be signed,
// with no other registration.
type Signer interface {
	// DefaultName is the cookie name the framework uses when the
	// application does not choose one.
	DefaultName() string
	// Sign returns the cookies that carry r.Payload: one, or two for the
	// formats with a "<name>.sig" companion. Values are as the framework
	// sets them (URL-encoded where it does).
	Sign(r SignRequest) ([]SignedCookie, error)
}

// SignRequest is what a cookie is made from.
type SignRequest struct {
	// Name is the cookie name; empty means the format's DefaultName.
	Name string
	// Payload is the data, in the shape decode shows it: a JSON value.
	Payload json.RawMessage
	// Options are the format's settings, as decode lists them in
	// Decoded.Options (salt, digest, envelope, cipher, ...); a missing one
	// takes the framework's default.
	Options map[string]string
	// Key signs (and, for the encrypted formats, encrypts).
	Key SignKey
	// IssuedAt is the timestamp written into formats that carry one; the
	// zero value means Now.
	IssuedAt time.Time
	// ExpiresAt is the expiry written into formats whose envelope carries
	// one apart from the payload (Rails' _rails.exp); nil writes none.
	ExpiresAt *time.Time
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of IVs and nonces; nil means crypto/rand.
	Rand io.Reader

	// issuedAtGiven is true when the caller set IssuedAt (JWT then writes
	// iat even over the payload's own).
	issuedAtGiven bool
}

// SignKey is what a cookie is signed with.
type SignKey struct {
	// Secret is the HMAC secret (secret_key_base, APP_KEY, the gorilla hash
	// key, ...).
	Secret []byte
	// PrivateKey signs asymmetric JWTs (RS*, PS*, ES*, EdDSA).
	PrivateKey crypto.Signer
	// EncKey is gorilla/securecookie's block key (AES).
	EncKey []byte
}

// SignedCookie is one cookie Sign made: its name and its value as sent.
type SignedCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Keys a SignRequest can lack or have in the wrong shape; KeyError.Key is
// one of them.
const (
	KeySecret     = "secret"
	KeyPrivateKey = "private-key"
	KeyEncKey     = "enc-key"
)

// KeyError says that the key called Key is missing or has the wrong shape
// for what is being signed.
type KeyError struct {
	Key string
	Err error
}

// Error names the key and says what is wrong with it (never its value).
func (e *KeyError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *KeyError) Unwrap() error { return e.Err }

// OptionError says that an option has a value the format cannot sign with.
type OptionError struct {
	Format, Option, Value string
	Want                  []string
}

// Error names the format, the option and the values it takes.
func (e *OptionError) Error() string {
	if len(e.Want) == 0 {
		return fmt.Sprintf("%s: option %s=%q is not supported", e.Format, e.Option, e.Value)
	}
	return fmt.Sprintf("%s: option %s=%q: want one of %s", e.Format, e.Option, e.Value, strings.Join(e.Want, ", "))
}

// ErrPayload marks a payload the format cannot carry (an id that is not a
// string, JSON where the format wants an object).
var ErrPayload = errors.New("payload")

// ErrNotSignable is returned by Sign for a format that has no signature to
// make (opaque ids).
var ErrNotSignable = errors.New("format cannot be signed")

// SignableNames returns the names of the formats that implement Signer, in
// Formats() order.
func SignableNames() []string {
	var names []string
	for _, f := range Formats() {
		if _, ok := f.(Signer); ok {
			names = append(names, f.Name())
		}
	}
	return names
}

// Sign signs r with the format called format.
func Sign(format string, r SignRequest) ([]SignedCookie, error) {
	f, ok := FormatByName(format)
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(FormatNames(), ", "))
	}
	s, ok := f.(Signer)
	if !ok {
		return nil, fmt.Errorf("%s: %w (signable: %s)", format, ErrNotSignable, strings.Join(SignableNames(), ", "))
	}
	if r.Name == "" {
		r.Name = s.DefaultName()
	}
	if !isToken(r.Name) {
		return nil, fmt.Errorf("cookie name %q is not a token", r.Name)
	}
	if len(bytes.TrimSpace(r.Payload)) == 0 || !json.Valid(r.Payload) {
		return nil, fmt.Errorf("%s: %w is not JSON", format, ErrPayload)
	}
	r.Payload = bytes.TrimSpace(r.Payload)
	if r.Now == nil {
		r.Now = time.Now
	}
	r.issuedAtGiven = !r.IssuedAt.IsZero()
	if !r.issuedAtGiven {
		r.IssuedAt = r.Now()
	}
	if r.Rand == nil {
		r.Rand = rand.Reader
	}
	cs, err := s.Sign(r)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if i := strings.IndexFunc(c.Value, func(r rune) bool { return !isCookieOctet(r) }); i >= 0 {
			return nil, fmt.Errorf("%s: %w makes a value with %q at byte %d, which a cookie cannot carry", format, ErrPayload, c.Value[i], i)
		}
	}
	return cs, nil
}

// isCookieOctet reports whether r may appear in a cookie value unquoted
// (RFC 6265 4.1.1: no CTLs, whitespace, DQUOTE, comma, semicolon or
// backslash).
func isCookieOctet(r rune) bool {
	return r == 0x21 || r >= 0x23 && r <= 0x2b || r >= 0x2d && r <= 0x3a || r >= 0x3c && r <= 0x5b || r >= 0x5d && r <= 0x7e
}

// opt returns option k of r, or def when it is not set.
func (r *SignRequest) opt(k, def string) string {
	if v, ok := r.Options[k]; ok && v != "" {
		return v
	}
	return def
}

// optOneOf returns option k of r (def when unset), or an OptionError when
// it is none of want.
func (r *SignRequest) optOneOf(format, k, def string, want ...string) (string, error) {
	v := r.opt(k, def)
	for _, w := range want {
		if v == w {
			return v, nil
		}
	}
	return "", &OptionError{Format: format, Option: k, Value: v, Want: want}
}

// optBool reads a "true"/"false" option.
func (r *SignRequest) optBool(format, k string, def bool) (bool, error) {
	d := "false"
	if def {
		d = "true"
	}
	v, err := r.optOneOf(format, k, d, "true", "false")
	return v == "true", err
}

// secret returns r's secret or a KeyError.
func (r *SignRequest) secret() ([]byte, error) {
	if len(r.Key.Secret) == 0 {
		return nil, &KeyError{Key: KeySecret, Err: ErrNoSecret}
	}
	return r.Key.Secret, nil
}

// payloadString returns the payload when it is a JSON string.
func (r *SignRequest) payloadString() (string, bool) {
	var s string
	if len(r.Payload) > 0 && r.Payload[0] == '"' && json.Unmarshal(r.Payload, &s) == nil {
		return s, true
	}
	return "", false
}

// payloadObject checks that the payload is a JSON object.
func (r *SignRequest) payloadObject(format string) error {
	if len(r.Payload) == 0 || r.Payload[0] != '{' {
		return fmt.Errorf("%s: %w must be a JSON object", format, ErrPayload)
	}
	return nil
}

// asciiJSON returns b compact with every non-ASCII character escaped as
// \uXXXX, as Python's json.dumps(separators=(",", ":")) writes it (Django
// reads its JSON as Latin-1, so UTF-8 bytes would not survive).
func asciiJSON(b []byte) []byte {
	b = compactJSON(b)
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x80:
			out.WriteByte(byte(r))
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&out, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(&out, "\\u%04x", r)
		}
	}
	return out.Bytes()
}

// hmacSum returns the HMAC of the parts of msg with key under the hash
// called name ("sha1", "sha256", "sha384", "sha512").
func hmacSum(name string, key []byte, msg ...[]byte) []byte {
	m := hmac.New(hashByName(name), key)
	for _, p := range msg {
		m.Write(p)
	}
	return m.Sum(nil)
}

// compactJSON returns b without insignificant spaces, as JSON.stringify
// and Python's json.dumps(separators=(",", ":")) write it.
func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// opt sets the sign option k of d.
func (d *Decoded) opt(k, v string) {
	if d.Options == nil {
		d.Options = map[string]string{}
	}
	d.Options[k] = v
}

// padPKCS7 returns b with PKCS#7 padding for blocks of size bytes, in a
// new slice (unpadPKCS7 undoes it).
func padPKCS7(b []byte, size int) []byte {
	n := size - len(b)%size
	out := append(make([]byte, 0, len(b)+n), b...)
	for range n {
		out = append(out, byte(n))
	}
	return out
}
