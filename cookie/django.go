package cookie

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
)

// Django is django.core.signing's TimestampSigner over a JSON payload, as
// the signed_cookies session backend and signing.dumps write it:
// "[.]<payload>:<timestamp>:<signature>", payload base64url without padding
// (a leading "." marks zlib compression), timestamp in base62, signature
// base64url of HMAC-H(H(salt + "signer" + SECRET_KEY), "<payload>:<ts>"),
// H = SHA256 since Django 3.1 and SHA1 before (3.1 and 3.2 still accept
// SHA1). Values of HttpResponse.set_signed_cookie ("<value>:<ts>:<sig>",
// the value as is, key "django.http.cookies" + SECRET_KEY, salt the cookie
// name) are read too when the cookie's name is given.
type Django struct{}

// Name returns "django".
func (Django) Name() string { return "django" }

// Salts a Django value is tried with, in order: the signed_cookies session
// backend's, then signing.dumps' default.
const (
	djangoSessionSalt = "django.contrib.sessions.backends.signed_cookies"
	djangoDumpsSalt   = "django.core.signing"
)

// djangoSigner is one way Django keys a signer: the salt, and the prefix
// get_cookie_signer puts before SECRET_KEY.
type djangoSigner struct {
	salt      string
	keyPrefix string
	cookie    bool
}

// djangoSigners lists the signers a value named name is tried with: the
// session backend's, signing.dumps', the custom salts given, and
// set_signed_cookie's.
func djangoSigners(name string, salts []string) []djangoSigner {
	s := []djangoSigner{{salt: djangoSessionSalt}, {salt: djangoDumpsSalt}}
	for _, sl := range salts {
		s = append(s, djangoSigner{salt: sl})
	}
	if name != "" {
		s = append(s, djangoSigner{salt: name, keyPrefix: "django.http.cookies", cookie: true})
	}
	return s
}

type djangoParts struct {
	signed  string // "[.]<payload>:<ts>" as sent
	text    string // the payload as sent, without the compression mark
	payload []byte // decoded, and inflated when compressed; nil when not base64

	compressed bool
	ts         int64
	tsLen      int
	sig        []byte
	hash       string
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// b62Decode decodes Django's base62 timestamps ("-" for negatives, which
// Django never writes for a clock).
func b62Decode(s string) (int64, bool) {
	if s == "" || len(s) > 10 { // 62^10 > 8e17: past year 9999 anyway
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base62Digits, s[i])
		if d < 0 {
			return 0, false
		}
		n = n*62 + int64(d)
	}
	return n, true
}

func parseDjango(v string) (*djangoParts, error) {
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return nil, fmt.Errorf("django: %w: not <payload>:<timestamp>:<signature>", ErrMalformed)
	}
	j := strings.LastIndexByte(v[:i], ':')
	if j < 0 {
		return nil, fmt.Errorf("django: %w: not <payload>:<timestamp>:<signature>", ErrMalformed)
	}
	p := &djangoParts{signed: v[:i]}
	payload, ts, sig := v[:j], v[j+1:i], v[i+1:]
	payload, p.compressed = strings.CutPrefix(payload, ".")
	if payload == "" {
		return nil, fmt.Errorf("django: %w: empty payload", ErrMalformed)
	}
	var err error
	if p.sig, err = decodeURLBase64(sig); err != nil {
		return nil, fmt.Errorf("django: %w: signature is not base64url", ErrMalformed)
	}
	if p.hash = sigHash(len(p.sig)); p.hash != "sha1" && p.hash != "sha256" {
		return nil, fmt.Errorf("django: %w: signature is %d bytes, not HMAC-SHA256 (32) or SHA1 (20)", ErrMalformed, len(p.sig))
	}
	var ok bool
	if p.ts, ok = b62Decode(ts); !ok || p.ts > maxTimestamp {
		return nil, fmt.Errorf("django: %w: timestamp %q is not base62", ErrMalformed, ts)
	}
	p.tsLen = len(ts)
	p.text = payload
	raw, err := decodeURLBase64(payload)
	if err != nil {
		if p.compressed {
			return nil, fmt.Errorf("django: %w: payload is not base64url", ErrMalformed)
		}
		return p, nil // a set_signed_cookie value: text as is
	}
	if p.compressed {
		if raw, err = inflate(raw); err != nil {
			return nil, fmt.Errorf("django: %w: payload marked compressed does not inflate: %v", ErrMalformed, err)
		}
	}
	p.payload = raw
	return p, nil
}

// Match is 70 for a value of the shape (a SHA256 or SHA1 signature of the
// right length), plus 15 for a 6-character base62 timestamp and 10 for a
// JSON payload; 50 for a set_signed_cookie value that is not base64.
func (Django) Match(in Input) int {
	p, err := parseDjango(DecodeCookieValue(in.Value))
	if err != nil {
		return 0
	}
	if p.payload == nil {
		return 50
	}
	score := 70
	if p.tsLen == 6 {
		score += 15
	}
	if json.Valid(p.payload) {
		score += 10
	}
	return score
}

// Decode checks the signature with each secret (SECRET_KEY and
// SECRET_KEY_FALLBACKS) under the session backend's salt, signing's
// default salt and set_signed_cookie's keying, in SHA256 or, for a
// 27-character signature, the SHA1 of Django before 3.1.
func (Django) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseDjango(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "django")
	if p.hash == "sha1" {
		d.field("algorithm", "HMAC-SHA1 (Django < 3.1)")
		d.warn("legacy sha1: Django 3.1 and 3.2 still accept this signature, Django >= 4.0 refuses it")
	} else {
		d.field("algorithm", "HMAC-SHA256")
	}
	d.field("key_derivation", fmt.Sprintf("salted_hmac: %s(salt + \"signer\" + SECRET_KEY)", upperAlg(p.hash)))
	if p.compressed {
		d.field("compression", "zlib")
	} else {
		d.field("compression", "none")
	}
	d.IssuedAt = unixTime(p.ts)
	d.opt("digest", p.hash)
	if p.compressed {
		d.opt("compress", "true")
	}
	var signer *djangoSigner
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.field("salt", "unknown without a secret: "+djangoSessionSalt+" for sessions, "+djangoDumpsSalt+" for signing.dumps, the cookie name for set_signed_cookie")
	} else {
		d.Signature = Invalid
		t := newDjangoTarget(p, in.Name, keys.Salts)
	search:
		for i, sg := range t.signers {
			for j, s := range keys.Secrets {
				if t.try(t.prefixes[i], s) {
					d.Signature, d.SecretIndex, signer = Valid, j, &t.signers[i]
					d.field("salt", sg.salt)
					if sg.cookie {
						d.opt("kind", "signed_cookie")
					} else {
						d.opt("salt", sg.salt)
					}
					break search
				}
			}
		}
	}
	switch {
	case signer != nil && signer.cookie || p.payload == nil:
		d.field("kind", "signed cookie (set_signed_cookie): the value as is")
		d.Payload = p.text
	case json.Valid(p.payload):
		d.Payload = json.RawMessage(p.payload)
	default:
		d.Payload = string(p.payload)
		d.field("serialization", "not JSON: shown as text")
	}
	if signer != nil && signer.salt == djangoSessionSalt || signer == nil && in.Name == "sessionid" {
		d.setLifetime(DjangoLifetime, "Django's SESSION_COOKIE_AGE default")
	}
	if signer != nil && signer.salt != djangoSessionSalt {
		what := fmt.Sprintf("salt %q", signer.salt)
		if signer.cookie {
			what = fmt.Sprintf("set_signed_cookie's salt (the cookie name %q)", signer.salt)
		}
		d.warn(fmt.Sprintf("other salt: signed with %s, not the signed_cookies session backend's %q: Django's session middleware refuses it as a session", what, djangoSessionSalt))
	}
	d.warn(WarnClientReadable)
	return d, nil
}

// fieldValue returns the value of the field called k, or "".
func fieldValue(fields []Field, k string) string {
	for _, f := range fields {
		if f.Key == k {
			return f.Value
		}
	}
	return ""
}

// Prepare returns a target that derives Django's key from each candidate
// under every salt and checks the signature with it.
func (Django) Prepare(in Input) (Target, error) {
	p, err := parseDjango(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return newDjangoTarget(p, in.Name, nil), nil
}

// prepareSalted returns a target that also tries salts.
func (Django) prepareSalted(in Input, salts []string) (Target, error) {
	p, err := parseDjango(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return newDjangoTarget(p, in.Name, salts), nil
}

// djangoTarget checks candidates: per signer, one hash (key derivation)
// and one HMAC, without allocating.
type djangoTarget struct {
	hash     string
	signed   []byte
	want     []byte
	signers  []djangoSigner
	prefixes [][]byte // salt + "signer" + key prefix: what the key hash starts with
	h        hash.Hash
	m        *macState
	key      []byte
}

func newDjangoTarget(p *djangoParts, name string, salts []string) *djangoTarget {
	t := &djangoTarget{hash: p.hash, signed: []byte(p.signed), want: p.sig, signers: djangoSigners(name, salts)}
	for _, s := range t.signers {
		t.prefixes = append(t.prefixes, []byte(s.salt+"signer"+s.keyPrefix))
	}
	t.init()
	return t
}

func (t *djangoTarget) init() {
	newHash := hashByName(t.hash)
	t.h, t.m = newHash(), newMacState(newHash)
	t.key = make([]byte, 0, t.h.Size())
}

// try checks secret under one signer: Django's salted_hmac keys the HMAC
// with H(salt + "signer" + key).
func (t *djangoTarget) try(prefix, secret []byte) bool {
	t.h.Reset()
	t.h.Write(prefix)
	t.h.Write(secret)
	t.key = t.h.Sum(t.key[:0])
	return subtle.ConstantTimeCompare(t.m.mac(t.key, t.signed), t.want) == 1
}

// Try reports whether secret signs the value under any signer.
func (t *djangoTarget) Try(secret []byte) bool {
	for _, p := range t.prefixes {
		if t.try(p, secret) {
			return true
		}
	}
	return false
}

// Clone returns a target with its own hash state.
func (t *djangoTarget) Clone() Target {
	c := &djangoTarget{hash: t.hash, signed: t.signed, want: t.want, signers: t.signers, prefixes: t.prefixes}
	c.init()
	return c
}
