package cookie

import (
	"bytes"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Starlette is Starlette's (and so FastAPI's) SessionMiddleware cookie:
// itsdangerous' TimestampSigner over the standard base64 (padded) of
// json.dumps(session): "<base64 JSON>.<timestamp>.<signature>", timestamp
// and signature in base64url without padding. The signature is
// HMAC-SHA1(SHA1("itsdangerous.Signer" + "signer" + secret_key),
// "<base64 JSON>.<timestamp>"): itsdangerous' default salt and
// django-concat key derivation.
type Starlette struct{}

// Name returns "starlette".
func (Starlette) Name() string { return "starlette" }

// starletteSalt is itsdangerous' default Signer salt, which
// SessionMiddleware keeps.
const starletteSalt = "itsdangerous.Signer"

type starletteParts struct {
	signed  string // "<base64 JSON>.<ts>": what the signature covers
	payload []byte
	ts      int64
	sig     []byte
}

func parseStarlette(v string) (*starletteParts, error) {
	bad := fmt.Errorf("starlette: %w: not <base64 JSON>.<timestamp>.<signature>", ErrMalformed)
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return nil, bad
	}
	j := strings.LastIndexByte(v[:i], '.')
	if j <= 0 {
		return nil, bad
	}
	p := &starletteParts{signed: v[:i]}
	data, ts, sig := v[:j], v[j+1:i], v[i+1:]
	var err error
	if p.payload, err = base64.StdEncoding.DecodeString(data); err != nil {
		// b64decode in Python accepts a missing padding as an error too:
		// Starlette always writes it.
		return nil, fmt.Errorf("starlette: %w: payload is not padded standard base64", ErrMalformed)
	}
	if p.sig, err = decodeURLBase64(sig); err != nil || len(p.sig) != sha1.Size {
		return nil, fmt.Errorf("starlette: %w: signature is not base64url of an HMAC-SHA1 (20 bytes)", ErrMalformed)
	}
	tsb, err := decodeURLBase64(ts)
	if err != nil || len(tsb) == 0 || len(tsb) > 8 {
		return nil, fmt.Errorf("starlette: %w: timestamp %q is not base64url of at most 8 bytes", ErrMalformed, ts)
	}
	for _, c := range tsb {
		p.ts = p.ts<<8 | int64(c)
	}
	if p.ts < 0 || p.ts > maxTimestamp {
		return nil, fmt.Errorf("starlette: %w: timestamp %q is after year 9999", ErrMalformed, ts)
	}
	return p, nil
}

// Match is 97 for a value of the shape whose JSON object is written as
// Python's json.dumps writes it by default (", " and ": ") or whose base64
// has what Flask's base64url never has (padding, "+", "/"); 50 for the
// shape alone, below Flask, whose cookies it would otherwise take.
func (Starlette) Match(in Input) int {
	v := DecodeCookieValue(in.Value)
	p, err := parseStarlette(v)
	if err != nil || len(p.payload) == 0 || p.payload[0] != '{' || !json.Valid(p.payload) {
		return 0
	}
	data := p.signed[:strings.LastIndexByte(p.signed, '.')]
	if bytes.Contains(p.payload, []byte(": ")) || bytes.Contains(p.payload, []byte(", ")) || strings.ContainsAny(data, "=+/") {
		return 97
	}
	return 50
}

// Decode checks the signature with each secret (SessionMiddleware's
// secret_key), shows the session JSON and judges its age by max_age (two
// weeks by default).
func (Starlette) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseStarlette(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "starlette")
	d.field("algorithm", "HMAC-SHA1")
	d.field("key_derivation", fmt.Sprintf("django-concat: SHA1(%q + \"signer\" + secret_key)", starletteSalt))
	d.IssuedAt = unixTime(p.ts)
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
	} else {
		d.Signature = Invalid
		for i, s := range keys.Secrets {
			if starletteVerify(p, s) {
				d.Signature, d.SecretIndex = Valid, i
				break
			}
		}
	}
	d.setLifetime(StarletteLifetime, "SessionMiddleware's max_age default")
	if json.Valid(p.payload) {
		d.Payload = json.RawMessage(p.payload)
	} else {
		d.Payload = string(p.payload)
		d.field("serialization", "not JSON: shown as text")
	}
	d.warn(WarnClientReadable)
	return d, nil
}

// starletteKey is itsdangerous' django-concat derivation with the default
// salt.
func starletteKey(secret []byte) []byte {
	h := sha1.New()
	h.Write([]byte(starletteSalt + "signer"))
	h.Write(secret)
	return h.Sum(nil)
}

func starletteVerify(p *starletteParts, secret []byte) bool {
	return subtle.ConstantTimeCompare(hmacSum("sha1", starletteKey(secret), []byte(p.signed)), p.sig) == 1
}

// Prepare returns a target that checks candidates for secret_key.
func (Starlette) Prepare(in Input) (Target, error) {
	p, err := parseStarlette(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return starletteTarget{p}, nil
}

type starletteTarget struct{ p *starletteParts }

// Try reports whether secret signs the value.
func (t starletteTarget) Try(secret []byte) bool { return starletteVerify(t.p, secret) }

// Clone returns t: it keeps no state between tries.
func (t starletteTarget) Clone() Target { return t }
