package cookie

import (
	"bytes"
	"compress/zlib"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Flask is Flask's default session cookie: itsdangerous'
// URLSafeTimedSerializer with salt "cookie-session", HMAC key derivation
// and SHA1, over Flask's tagged JSON: "[.]<payload>.<timestamp>.<signature>",
// all base64url without padding; a leading "." marks a zlib-compressed
// payload. The signature is HMAC-SHA1(HMAC-SHA1(secret, salt),
// "<payload>.<timestamp>" as sent, leading "." included).
type Flask struct{}

// Name returns "flask".
func (Flask) Name() string { return "flask" }

const (
	flaskSalt = "cookie-session"
	// itsdangerousEpoch is the epoch of itsdangerous <= 0.24 timestamps
	// (2011-01-01); 1.0 moved to the Unix epoch.
	itsdangerousEpoch = 1293840000
	// maxTimestamp is the last second of year 9999: itsdangerous rejects
	// later timestamps as malformed (Python's datetime ends there).
	maxTimestamp = 253402300799
	// maxInflated bounds a decompressed payload (a cookie is at most 4 KB;
	// this stops a zlib bomb).
	maxInflated = 1 << 20
)

type flaskParts struct {
	signed     string // "[.]<payload>.<ts>" as sent: what the signature covers
	payload    []byte // decoded, and inflated when compressed
	compressed bool
	ts         int64
	tsLen      int
	sig        []byte
	hash       string
}

// sigHash names the hash whose HMAC is n bytes long: SHA1 is Flask's and
// Django's before 3.1, SHA256 Django's since, SHA512 itsdangerous 1.0.0's.
func sigHash(n int) string {
	switch n {
	case 20:
		return "sha1"
	case 32:
		return "sha256"
	case 64:
		return "sha512"
	}
	return ""
}

func parseFlask(v string) (*flaskParts, error) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return nil, fmt.Errorf("flask: %w: not <payload>.<timestamp>.<signature>", ErrMalformed)
	}
	j := strings.LastIndexByte(v[:i], '.')
	if j < 0 {
		return nil, fmt.Errorf("flask: %w: not <payload>.<timestamp>.<signature>", ErrMalformed)
	}
	p := &flaskParts{signed: v[:i]}
	payload, ts, sig := v[:j], v[j+1:i], v[i+1:]
	payload, p.compressed = strings.CutPrefix(payload, ".")
	if payload == "" || strings.IndexByte(payload, '.') >= 0 {
		return nil, fmt.Errorf("flask: %w: not <payload>.<timestamp>.<signature>", ErrMalformed)
	}
	var err error
	if p.sig, err = decodeURLBase64(sig); err != nil {
		return nil, fmt.Errorf("flask: %w: signature is not base64url", ErrMalformed)
	}
	if p.hash = sigHash(len(p.sig)); p.hash == "" {
		return nil, fmt.Errorf("flask: %w: signature is %d bytes, not an HMAC-SHA1 (20)", ErrMalformed, len(p.sig))
	}
	tsb, err := decodeURLBase64(ts)
	if err != nil || len(tsb) == 0 || len(tsb) > 8 {
		return nil, fmt.Errorf("flask: %w: timestamp %q is not base64url of at most 8 bytes", ErrMalformed, ts)
	}
	for _, c := range tsb {
		p.ts = p.ts<<8 | int64(c)
	}
	if p.ts < 0 || p.ts > maxTimestamp {
		return nil, fmt.Errorf("flask: %w: timestamp %q is after year 9999", ErrMalformed, ts)
	}
	p.tsLen = len(ts)
	raw, err := decodeURLBase64(payload)
	if err != nil {
		return nil, fmt.Errorf("flask: %w: payload is not base64url", ErrMalformed)
	}
	if p.compressed {
		if raw, err = inflate(raw); err != nil {
			return nil, fmt.Errorf("flask: %w: payload marked compressed does not inflate: %v", ErrMalformed, err)
		}
	}
	p.payload = raw
	return p, nil
}

// inflate decompresses zlib data, as itsdangerous and Django compress
// payloads, up to maxInflated bytes.
func inflate(b []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxInflated {
		return nil, fmt.Errorf("more than %d bytes", maxInflated)
	}
	return out, nil
}

// Match is 60 for a value of the shape, plus 15 for a 6-character (4-byte)
// timestamp, 10 for a 27-character SHA1 signature and 10 for a JSON
// payload: 95 for a Flask cookie of this century.
func (Flask) Match(in Input) int {
	p, err := parseFlask(DecodeCookieValue(in.Value))
	if err != nil {
		return 0
	}
	score := 60
	if p.tsLen == 6 {
		score += 15
	}
	if p.hash == "sha1" {
		score += 10
	}
	if json.Valid(p.payload) {
		score += 10
	}
	return score
}

// Decode checks the signature with each secret (Flask's SECRET_KEY and
// SECRET_KEY_FALLBACKS), shows the session with Flask's JSON tags decoded,
// and reads the timestamp in the Unix epoch or, for values older than
// itsdangerous 1.0, the 2011 one.
func (Flask) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseFlask(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "flask")
	alg := upperAlg(p.hash)
	d.field("algorithm", "HMAC-"+alg)
	d.opt("digest", p.hash)
	if p.compressed {
		d.field("compression", "zlib")
	} else {
		d.field("compression", "none")
	}
	if p.ts < itsdangerousEpoch {
		// A Unix time before 2011 cannot come from itsdangerous >= 1.0
		// (2018): it counts from the old epoch.
		d.IssuedAt = unixTime(p.ts + itsdangerousEpoch)
		d.field("timestamp_epoch", "2011-01-01 (itsdangerous < 1.0)")
		d.warn(fmt.Sprintf("legacy epoch: itsdangerous >= 1.0 reads this timestamp as %s and refuses the session as expired",
			unixTime(p.ts).Format("2006-01-02")))
	} else {
		d.IssuedAt = unixTime(p.ts)
		d.field("timestamp_epoch", "unix")
	}
	salt := flaskSalt
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
	} else {
		d.Signature = Invalid
	search:
		for _, sl := range append([]string{flaskSalt}, keys.Salts...) {
			t := newFlaskTarget(p, sl)
			for i, s := range keys.Secrets {
				if t.Try(s) {
					d.Signature, d.SecretIndex, salt = Valid, i, sl
					break search
				}
			}
		}
	}
	d.field("key_derivation", fmt.Sprintf("hmac: HMAC-%s(secret, %q)", alg, salt))
	d.field("salt", salt)
	d.opt("salt", salt)
	// A custom salt is an app's own session_interface.salt, or another
	// itsdangerous value: Flask's lifetime is the best guess for both.
	d.setLifetime(FlaskLifetime, "Flask's PERMANENT_SESSION_LIFETIME default")
	d.Payload, d.Fields = flaskPayload(p.payload, d.Fields)
	d.warn(WarnClientReadable)
	return d, nil
}

// flaskPayload returns the session with Flask's JSON tags decoded, or the
// JSON as it is when it has none, or the bytes as a string when they are
// not JSON.
func flaskPayload(b []byte, fields []Field) (any, []Field) {
	if !json.Valid(b) {
		return string(b), append(fields, Field{Key: "serialization", Value: "not JSON: shown as text"})
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return json.RawMessage(b), fields
	}
	var tags []string
	v = untagFlask(v, &tags)
	if len(tags) == 0 {
		return json.RawMessage(b), fields
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage(b), fields
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())),
		append(fields, Field{Key: "tagged_json", Value: "decoded tags: " + strings.Join(tags, ", ")})
}

// untagFlask replaces the one-key objects of Flask's TaggedJSONSerializer
// by the values they stand for, in JSON terms: " t" tuple -> array, " b"
// bytes -> UTF-8 text (base64 when binary), " m" Markup -> string,
// " u" UUID -> its 8-4-4-4-12 form, " d" HTTP date -> RFC 3339, " di" a
// dict whose key collided with a tag. It appends the tags it met to tags.
func untagFlask(v any, tags *[]string) any {
	switch t := v.(type) {
	case []any:
		for i := range t {
			t[i] = untagFlask(t[i], tags)
		}
		return t
	case map[string]any:
		if len(t) == 1 {
			for k, x := range t {
				if u, name, ok := flaskTag(k, x, tags); ok {
					addTag(tags, name)
					return u
				}
			}
		}
		for k, x := range t {
			t[k] = untagFlask(x, tags)
		}
		return t
	}
	return v
}

func addTag(tags *[]string, name string) {
	for _, t := range *tags {
		if t == name {
			return
		}
	}
	*tags = append(*tags, name)
}

// flaskTag decodes one tagged value; ok is false when k is no tag or the
// value does not decode (it is then shown raw).
func flaskTag(k string, x any, tags *[]string) (any, string, bool) {
	s, isStr := x.(string)
	switch k {
	case " t":
		if a, ok := x.([]any); ok {
			return untagFlask(a, tags), "tuple", true
		}
	case " b":
		// UTF-8 bytes as their text, others as the base64 the tag holds:
		// either way untagged, as every other tag.
		if b, err := base64.StdEncoding.DecodeString(s); isStr && err == nil {
			if utf8.Valid(b) {
				return string(b), "bytes", true
			}
			return s, "bytes (base64: not UTF-8)", true
		}
	case " m":
		if isStr {
			return s, "markup", true
		}
	case " u":
		if b, err := hex.DecodeString(s); isStr && err == nil && len(b) == 16 {
			return fmt.Sprintf("%s-%s-%s-%s-%s", s[:8], s[8:12], s[12:16], s[16:20], s[20:]), "uuid", true
		}
	case " d":
		if tm, err := http.ParseTime(s); isStr && err == nil {
			return tm.UTC().Format(time.RFC3339), "datetime", true
		}
	case " di":
		if m, ok := x.(map[string]any); ok && len(m) == 1 {
			for mk, mx := range m {
				if key, ok := strings.CutSuffix(mk, "__"); ok {
					return map[string]any{key: untagFlask(mx, tags)}, "dict", true
				}
			}
		}
	}
	return nil, "", false
}

// Prepare returns a target that derives Flask's key from each candidate
// and checks the signature with it.
func (Flask) Prepare(in Input) (Target, error) {
	p, err := parseFlask(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return newFlaskTarget(p, flaskSalt), nil
}

// prepareSalted returns a target that tries Flask's salt, then salts.
func (Flask) prepareSalted(in Input, salts []string) (Target, error) {
	p, err := parseFlask(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	var ts flaskTargets
	for _, sl := range append([]string{flaskSalt}, salts...) {
		ts = append(ts, newFlaskTarget(p, sl))
	}
	return ts, nil
}

// flaskTargets tries a candidate under several salts.
type flaskTargets []*flaskTarget

// Try reports whether secret signs the value under any of the salts.
func (ts flaskTargets) Try(secret []byte) bool {
	for _, t := range ts {
		if t.Try(secret) {
			return true
		}
	}
	return false
}

// Clone returns targets with their own hash state.
func (ts flaskTargets) Clone() Target {
	c := make(flaskTargets, len(ts))
	for i, t := range ts {
		c[i] = t.Clone().(*flaskTarget)
	}
	return c
}

// flaskTarget checks candidates: two HMACs each (key derivation, then the
// signature), without allocating.
type flaskTarget struct {
	hash   string
	signed []byte
	want   []byte
	salt   []byte
	m      *macState
	key    []byte
}

func newFlaskTarget(p *flaskParts, salt string) *flaskTarget {
	return &flaskTarget{hash: p.hash, signed: []byte(p.signed), want: p.sig, salt: []byte(salt), m: newMacState(hashByName(p.hash))}
}

// Try reports whether secret signs the value.
func (t *flaskTarget) Try(secret []byte) bool {
	t.key = append(t.key[:0], t.m.mac(secret, t.salt)...)
	return subtle.ConstantTimeCompare(t.m.mac(t.key, t.signed), t.want) == 1
}

// Clone returns a target with its own hash state.
func (t *flaskTarget) Clone() Target {
	return &flaskTarget{hash: t.hash, signed: t.signed, want: t.want, salt: t.salt, m: newMacState(hashByName(t.hash))}
}
