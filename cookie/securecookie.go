package cookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// SecureCookie is gorilla/securecookie's format (used by gorilla/sessions):
// base64url (padded) of "<unix seconds>|<base64url payload>|<MAC>", MAC =
// HMAC-SHA256(hash key, "<name>|<seconds>|<base64url payload>"). The
// payload is gob (the default) or JSON, optionally AES-CTR encrypted with
// the IV prepended (the block key, --enc-key).
type SecureCookie struct{}

// Name returns "securecookie".
func (SecureCookie) Name() string { return "securecookie" }

type scParts struct {
	ts    int64
	tsRaw []byte
	value []byte // base64url payload as sent
	mac   []byte
}

func parseSecureCookie(v string) (*scParts, error) {
	b, err := base64.URLEncoding.DecodeString(v)
	if err != nil {
		if b, err = decodeURLBase64(v); err != nil {
			return nil, fmt.Errorf("securecookie: %w: not base64url", ErrMalformed)
		}
	}
	parts := bytes.SplitN(b, []byte("|"), 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("securecookie: %w: not three |-separated parts", ErrMalformed)
	}
	ts, err := strconv.ParseInt(string(parts[0]), 10, 64)
	if err != nil || ts < 0 || len(parts[0]) > 19 {
		return nil, fmt.Errorf("securecookie: %w: bad timestamp", ErrMalformed)
	}
	if _, err := base64.URLEncoding.DecodeString(string(parts[1])); err != nil {
		return nil, fmt.Errorf("securecookie: %w: payload is not base64url", ErrMalformed)
	}
	if len(parts[2]) != 32 && len(parts[2]) != 64 {
		return nil, fmt.Errorf("securecookie: %w: MAC is %d bytes, not 32 or 64", ErrMalformed, len(parts[2]))
	}
	return &scParts{ts: ts, tsRaw: parts[0], value: parts[1], mac: parts[2]}, nil
}

// Match is 90 when the value parses as securecookie's envelope.
func (SecureCookie) Match(in Input) int {
	if _, err := parseSecureCookie(DecodeCookieValue(in.Value)); err == nil {
		return 90
	}
	return 0
}

func (p *scParts) macInput(name string) [][]byte {
	return [][]byte{[]byte(name), {'|'}, p.tsRaw, {'|'}, p.value}
}

// Decode checks the MAC with each secret as the hash key, decrypts with
// each --enc-key when given, and shows a JSON payload fully and a gob one as
// far as it decodes without the application's Go types.
func (SecureCookie) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseSecureCookie(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "securecookie")
	d.IssuedAt = unixTime(p.ts)
	alg := "sha256"
	if len(p.mac) == 64 {
		alg = "sha512"
	}
	d.field("algorithm", fmt.Sprintf("HMAC-%s over \"<name>|<date>|<value>\"", upperAlg(alg)))
	d.opt("digest", alg)
	d.field("max_age", "checked by the server (gorilla default 30 days from issued_at)")
	switch {
	case in.Name == "":
		d.Signature = Unverified
		d.warn(WarnNeedsName)
	case len(keys.Secrets) == 0:
		d.Signature = Unverified
	default:
		d.Signature = Invalid
		m := newMacState(hashByName(alg))
		for i, s := range keys.Secrets {
			if hmac.Equal(m.mac(s, p.macInput(in.Name)...), p.mac) {
				d.Signature, d.SecretIndex = Valid, i
				break
			}
		}
	}
	raw, _ := base64.URLEncoding.DecodeString(string(p.value))
	if v, ser, ok := scPayload(raw); ok {
		d.Payload = v
		d.field("serialization", ser)
		d.opt("serialization", scSerialization(ser))
		d.warn(WarnClientReadable)
		return d, nil
	}
	for i, k := range keys.EncKeys {
		block, err := aes.NewCipher(k)
		if err != nil || len(raw) <= block.BlockSize() {
			continue
		}
		iv, ct := raw[:block.BlockSize()], raw[block.BlockSize():]
		plain := make([]byte, len(ct))
		cipher.NewCTR(block, iv).XORKeyStream(plain, ct)
		if v, ser, ok := scPayload(plain); ok {
			d.Payload = v
			d.field("serialization", ser)
			d.opt("serialization", scSerialization(ser))
			d.opt("encrypted", "true")
			d.field("encryption", fmt.Sprintf("AES-%d-CTR, --enc-key %d", len(k)*8, i+1))
			return d, nil
		}
	}
	d.field("encryption", "probably AES-CTR: give the block key with --enc-key")
	d.opt("encrypted", "true")
	return d, nil
}

// scPayload reads a serialized securecookie value: JSON, else gob.
func scPayload(b []byte) (any, string, bool) {
	if t := bytes.TrimSpace(b); len(t) > 0 && json.Valid(t) {
		return json.RawMessage(t), "json", true
	}
	return gobPayload(b)
}

// gobPayload decodes gob data into the shapes gorilla/sessions and simple
// applications use (map[any]any of built-in types, maps and slices of
// them); for anything else it lists the strings the stream holds.
func gobPayload(b []byte) (v any, ser string, ok bool) {
	if len(b) == 0 {
		return nil, "", false
	}
	defer func() {
		if recover() != nil {
			v, ser, ok = nil, "", false
		}
	}()
	try := []func() any{
		func() any { return new(map[any]any) },
		func() any { return new(map[string]any) },
		func() any { return new(map[string]string) },
		func() any { return new(string) },
		func() any { return new(int64) },
		func() any { return new(float64) },
		func() any { return new([]string) },
		func() any { return new([]any) },
	}
	for _, mk := range try {
		t := mk()
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(t); err == nil {
			return jsonable(deref(t)), "gob", true
		}
	}
	if s := gobStrings(b); len(s) > 0 && looksGob(b) {
		return map[string]any{"gob_strings": s}, "gob (types unknown: strings shown)", true
	}
	return nil, "", false
}

// looksGob reports whether b starts like a gob stream: a length-prefixed
// message whose length fits in b.
func looksGob(b []byte) bool {
	n := int(b[0])
	if n >= 0x80 {
		return false // long-form lengths: accept only the common short form
	}
	return n > 0 && n < len(b)
}

func deref(p any) any {
	switch t := p.(type) {
	case *map[any]any:
		return *t
	case *map[string]any:
		return *t
	case *map[string]string:
		return *t
	case *string:
		return *t
	case *int64:
		return *t
	case *float64:
		return *t
	case *[]string:
		return *t
	case *[]any:
		return *t
	}
	return p
}

// jsonable turns gob's map[any]any (which encoding/json refuses) into
// map[string]any, recursively.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonable(x)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = jsonable(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = jsonable(x)
		}
		return s
	}
	return v
}

// gobStrings returns the printable runs of 3 or more bytes in b, sorted
// and without duplicates.
func gobStrings(b []byte) []string {
	seen := map[string]bool{}
	start := -1
	flush := func(end int) {
		if start >= 0 && end-start >= 3 && utf8.Valid(b[start:end]) {
			seen[string(b[start:end])] = true
		}
		start = -1
	}
	for i, c := range b {
		if c >= 0x20 && c < 0x7f || c >= 0x80 {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(b))
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Prepare returns a target that tries a secret as the hash key.
func (SecureCookie) Prepare(in Input) (Target, error) {
	p, err := parseSecureCookie(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, fmt.Errorf("securecookie: %w: the MAC covers the cookie name: give NAME=VALUE", ErrMalformed)
	}
	alg := "sha256"
	if len(p.mac) == 64 {
		alg = "sha512"
	}
	msg := bytes.Join(p.macInput(in.Name), nil)
	return newMacTarget(alg, msg, p.mac), nil
}
