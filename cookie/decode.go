package cookie

import (
	"crypto"
	"errors"
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
// value exactly as sent, and the value of a companion signature cookie
// ("<name>.sig" for cookie-session and koa-session) when there is one.
type Input struct {
	Name   string
	Value  string
	Sig    string
	HasSig bool
}

// Keys are what a signature is checked, or a payload decrypted, with.
type Keys struct {
	// Secrets are HMAC secrets (and secret_key_base, APP_KEY, ...), tried in
	// order; the first that verifies wins.
	Secrets [][]byte
	// PublicKeys verify asymmetric JWTs (RS*, PS*, ES*, EdDSA).
	PublicKeys []crypto.PublicKey
	// EncKeys decrypt gorilla/securecookie's optional AES layer.
	EncKeys [][]byte
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
	SecretIndex int      `json:"secret_index"`
	SizeBytes   int      `json:"size_bytes"`
	Fields      []Field  `json:"fields,omitempty"`
	Warnings    []string `json:"warnings"`
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
