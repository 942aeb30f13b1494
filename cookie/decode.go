package cookie

import (
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors of decoding.
var (
	// ErrUnknownFormat: the value is in no format this package knows.
	ErrUnknownFormat = errors.New("unknown cookie format")
	// ErrMalformed: the value claims a format but does not parse as it.
	ErrMalformed = errors.New("malformed cookie")
)

// Verdict is the outcome of a signature check.
type Verdict string

// Verdicts.
const (
	Valid      Verdict = "valid"      // a given secret or key verifies the signature
	Invalid    Verdict = "invalid"    // secrets were given and none verifies it
	Unverified Verdict = "unverified" // signed, but no secret or key was given
	Unsigned   Verdict = "unsigned"   // the format carries no signature (opaque ids, alg none)
)

// Input is one cookie to decode: its name (empty for a bare value), its
// value exactly as sent, the value of a companion signature cookie
// ("<name>.sig" for cookie-session and koa-session) when there is one, and
// where it came from.
type Input struct {
	Name   string
	Value  string
	Sig    string
	HasSig bool
	// Origin is OriginUser (the zero value) unless the input was collected
	// from a jar or a server.
	Origin Origin
}

// Origin says where an input came from. DecodeAll counts an input the user
// gave that cannot be decoded as an error, and lists a cookie collected from
// a jar or a server that cannot be decoded (theme=dark beside a session)
// without one.
type Origin int

// Origins.
const (
	OriginUser   Origin = iota // typed by the user: an argument or a stdin line
	OriginJar                  // a cookie read from a cookie jar
	OriginServer               // a cookie a server set (a Set-Cookie of a visit)
)

// Keys are what a signature is checked, or a payload decrypted, with.
type Keys struct {
	// Secrets are HMAC secrets (and secret_key_base, APP_KEY, ...), tried in
	// order; the first that verifies wins.
	Secrets [][]byte
	// PublicKeys verify asymmetric JWTs (RS*, PS*, ES*, EdDSA).
	PublicKeys []crypto.PublicKey
	// EncKeys decrypt gorilla/securecookie's optional AES layer.
	EncKeys [][]byte
	// Salts are custom salts Flask and Django values are also tried with,
	// after the framework's own (flask-unsign's --salt).
	Salts []string
}

// ParseKey reads a key given as "hex:...", "base64:..." or raw text, as
// --enc-key takes it.
func ParseKey(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "hex:"):
		return hex.DecodeString(s[4:])
	case strings.HasPrefix(s, "base64:"):
		return base64.StdEncoding.DecodeString(s[7:])
	case s == "":
		return nil, errors.New("empty key")
	}
	return []byte(s), nil
}

// Field is one format-specific detail shown with a decoded cookie
// (algorithm, salt, key derivation, timestamp epoch, ...).
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Decoded is what decoding one input found. It never holds a secret.
type Decoded struct {
	Name      string  `json:"name"`
	Format    string  `json:"format"`
	Signature Verdict `json:"signature"`
	// Payload is the decoded data: a JSON value (json.RawMessage or a Go
	// value that marshals to it); for express and opaque ids the id string.
	Payload any `json:"payload"`
	// IssuedAt and ExpiresAt come from the format's timestamps when it has
	// them (Flask, Django, securecookie, JWT iat/exp, koa _expire, Rails exp).
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// SecretIndex is the 0-based index of the secret that verified it, or -1.
	SecretIndex int     `json:"secret_index"`
	SizeBytes   int     `json:"size_bytes"`
	Fields      []Field `json:"fields,omitempty"`
	// Options are the settings sessctl sign needs to make the same kind of
	// cookie again (salt, digest, envelope, cipher, ...), each a string;
	// sign reads them back from this document.
	Options  map[string]string `json:"options,omitempty"`
	Warnings []string          `json:"warnings"`
	// Audit is the wordlist search's outcome when --wordlist was given.
	Audit *AuditResult `json:"audit,omitempty"`
	// Error says why the input could not be decoded (Format is then
	// "unknown" and Signature empty).
	Error string `json:"error,omitempty"`

	// lifetime is how long after IssuedAt the framework accepts the value
	// by default (0: no default), lifetimeFrom which setting that is.
	lifetime     time.Duration
	lifetimeFrom string
}

// Warnings shown with decoded cookies. Each starts with a stable keyword.
const (
	WarnUnsigned       = "unsigned: the value carries no signature, anyone can forge it"
	WarnAlgNone        = "alg none: the token declares no signature algorithm"
	WarnNoExpiry       = "no expiry: the value carries no expiry time"
	WarnExpired        = "expired: the expiry time has passed"
	WarnClientReadable = "client-readable data: the payload is readable by the client, not encrypted"
	WarnNeedsName      = "needs name: the signature covers the cookie name; give NAME=VALUE"
	WarnWeakSecretFmt  = "weak secret: the wordlist holds the secret (line %d)"
	WarnNearLimitFmt   = "near 4 KB limit: name and value take %d bytes; browsers drop cookies over 4096"
	WarnOverLimitFmt   = "over 4 KB limit: name and value take %d bytes; browsers drop cookies over 4096"
)

// LimitBytes is the browsers' limit on a cookie's name and value.
const LimitBytes = 4096

// NearLimitBytes is the size of name plus value from which a cookie is
// reported as near the browsers' 4096-byte limit.
const NearLimitBytes = 3500

// newDecoded returns a Decoded for in with the fields every format fills
// the same way: name, format, size, no secret index, and the size warning.
func newDecoded(in Input, format string) *Decoded {
	d := &Decoded{Name: in.Name, Format: format, SecretIndex: -1, Warnings: []string{}}
	d.SizeBytes = len(in.Name) + len(in.Value)
	switch {
	case d.SizeBytes > LimitBytes:
		d.Warnings = append(d.Warnings, fmt.Sprintf(WarnOverLimitFmt, d.SizeBytes))
	case d.SizeBytes >= NearLimitBytes:
		d.Warnings = append(d.Warnings, fmt.Sprintf(WarnNearLimitFmt, d.SizeBytes))
	}
	return d
}

// field appends a field to d.
func (d *Decoded) field(k, v string) { d.Fields = append(d.Fields, Field{Key: k, Value: v}) }

// warn appends a warning to d.
func (d *Decoded) warn(w string) { d.Warnings = append(d.Warnings, w) }

// DecodeBase64 decodes s as Node's Buffer.from(s, "base64") and
// itsdangerous read it: the standard and URL alphabets alike (even mixed),
// padding optional. It is the one home of "base64 in either alphabet".
func DecodeBase64(s string) ([]byte, error) {
	t := strings.TrimRight(s, "=")
	if strings.ContainsAny(t, "-_") {
		t = base64ToStd.Replace(t)
	}
	return base64.RawStdEncoding.DecodeString(t)
}

var base64ToStd = strings.NewReplacer("-", "+", "_", "/")

// unpadPKCS7 strips PKCS#7 padding for blocks of size bytes; ok is false
// when b does not end in valid padding (a wrong key, as a rule).
func unpadPKCS7(b []byte, size int) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

// unixTime converts seconds since the epoch to a *time.Time in UTC, or nil
// when the time is outside years 1-9999 (which RFC 3339 cannot write).
func unixTime(sec int64) *time.Time {
	if sec < -62135596800 || sec > 253402300799 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}

// Format is one session cookie format.
type Format interface {
	// Name is the format's name for --format and the output: "express",
	// "cookie-session", "flask", "django", "jwt", "securecookie", "rails",
	// "laravel", "koa-session", "opaque".
	Name() string
	// Match returns how sure the format is that in is its own, from 0 (not
	// mine) to 100 (certain); Detect takes the highest.
	Match(in Input) int
	// Decode decodes in and checks its signature with keys. It returns an
	// error wrapping ErrMalformed when in does not parse as this format.
	Decode(in Input, keys Keys) (*Decoded, error)
}

// Auditor is implemented by formats whose secret can be searched for with a
// wordlist. Prepare does once the work that does not depend on the secret.
type Auditor interface {
	Prepare(in Input) (Target, error)
}

// Target is one signed input ready for a secret search. Try reports whether
// secret verifies it; it is safe to call from one goroutine at a time, and
// Clone gives another goroutine its own.
type Target interface {
	Try(secret []byte) bool
	Clone() Target
}
