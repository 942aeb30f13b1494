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
	"reflect"
	"regexp"
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
	d.setLifetime(SecurecookieLifetime, "gorilla's MaxAge default")
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
	if len(keys.EncKeys) > 0 {
		decodeSCEncrypted(d, raw, keys.EncKeys)
		return d, nil
	}
	// Without a block key only bytes that cannot be ciphertext are read as
	// the payload: random bytes do not make JSON, nor a gob stream that
	// opens with its type definition and decodes to the last byte.
	if v, ser, ok := scPlain(raw); ok {
		d.Payload = v
		d.field("serialization", ser.field())
		d.opt("serialization", ser.name)
		if ser.unregistered != "" {
			d.warn(fmt.Sprintf(WarnGobTypeFmt, ser.unregistered))
		}
		d.warn(WarnClientReadable)
		return d, nil
	}
	d.field("encryption", "encrypted (AES-CTR) or gob of types not known here: give the block key with --enc-key")
	d.opt("encrypted", "true")
	return d, nil
}

// WarnGobTypeFmt names a gob type the application registered and sessctl
// cannot know: its value is not decoded.
const WarnGobTypeFmt = "gob type: the session holds a value of the application's type %q (gob.Register): its fields are not shown"

// decodeSCEncrypted decrypts raw with each block key, as securecookie does
// whenever it has one, and reads the plaintext. When no key gives a
// payload, it says so: a MAC that verifies means the hash key is right and
// the block key is not.
func decodeSCEncrypted(d *Decoded, raw []byte, encKeys [][]byte) {
	for i, k := range encKeys {
		block, err := aes.NewCipher(k)
		if err != nil || len(raw) <= block.BlockSize() {
			continue
		}
		iv, ct := raw[:block.BlockSize()], raw[block.BlockSize():]
		plain := make([]byte, len(ct))
		cipher.NewCTR(block, iv).XORKeyStream(plain, ct)
		if v, ser, ok := scDeserialize(plain); ok {
			d.Payload = v
			d.field("serialization", ser.field())
			d.opt("serialization", ser.name)
			d.opt("encrypted", "true")
			d.field("encryption", fmt.Sprintf("AES-%d-CTR, --enc-key %d", len(k)*8, i+1))
			if ser.unregistered != "" {
				d.warn(fmt.Sprintf(WarnGobTypeFmt, ser.unregistered))
			}
			return
		}
	}
	d.opt("encrypted", "true")
	d.field("encryption", "no --enc-key decrypts it to gob or JSON")
	switch d.Signature {
	case Valid:
		d.warn(WarnDecryptFailed + ": check the block key (--enc-key: AES-128, 192 or 256, the second key of securecookie.New or sessions.NewCookieStore)")
	case Invalid:
		d.warn("decryption failed: no --enc-key decrypts it, and no --secret verifies it: check both keys")
	default:
		d.warn("decryption failed: no --enc-key decrypts it: check the block key")
	}
	if _, ser, ok := scPlain(raw); ok {
		d.warn("not encrypted?: the value reads as unencrypted " + ser.name + ": if the app sets no block key, leave --enc-key out")
	}
}

// WarnDecryptFailed starts the warning of a value whose signature a given
// secret verifies but that no given key decrypts.
const WarnDecryptFailed = "decryption failed: the signature is valid, so the signing key is right, but the value does not decrypt"

// scSer says how a securecookie payload was serialized.
type scSer struct {
	name         string // "json" or "gob"
	unregistered string // a gob type the payload holds that is not known here
}

func (s scSer) field() string {
	if s.unregistered != "" {
		return "gob (holds an application type: " + s.unregistered + ")"
	}
	return s.name
}

// scPlain reads bytes that are provably a plain payload: JSON, or a gob
// stream that defines its own type (a map, as gorilla/sessions' Values, or
// a struct) and decodes completely.
func scPlain(b []byte) (any, scSer, bool) {
	if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[' || t[0] == '"') && json.Valid(t) {
		return json.RawMessage(t), scSer{name: "json"}, true
	}
	if !gobDefinesType(b) {
		return nil, scSer{}, false
	}
	return gobPayload(b)
}

// scDeserialize reads a decrypted payload: JSON, else gob.
func scDeserialize(b []byte) (any, scSer, bool) {
	if t := bytes.TrimSpace(b); len(t) > 0 && json.Valid(t) {
		return json.RawMessage(t), scSer{name: "json"}, true
	}
	return gobPayload(b)
}

// gobDefinesType reports whether b opens as a gob stream whose first
// message defines a type: a length, then a negative type id (gob writes a
// type's definition under -id before the first value of it).
func gobDefinesType(b []byte) bool {
	n, rest, ok := gobUint(b)
	if !ok || n == 0 || n > uint64(len(rest)) {
		return false
	}
	id, _, ok := gobUint(rest)
	return ok && id&1 == 1 // gob's signed ints: low bit set is negative
}

// gobUint reads one of gob's unsigned integers: a byte below 128 is
// itself; else the byte's negation is the count of big-endian bytes that
// follow.
func gobUint(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	if b[0] < 0x80 {
		return uint64(b[0]), b[1:], true
	}
	n := 256 - int(b[0])
	if n > 8 || len(b) < 1+n {
		return 0, nil, false
	}
	var x uint64
	for _, c := range b[1 : 1+n] {
		x = x<<8 | uint64(c)
	}
	return x, b[1+n:], true
}

// gobTargets are the shapes gobPayload reads, as encoding/gob decodes
// them: gorilla/sessions' Values first.
var gobTargets = []func() any{
	func() any { return new(map[any]any) },
	func() any { return new(map[string]any) },
	func() any { return new(map[string]string) },
	func() any { return new(map[string]int64) },
	func() any { return new([]any) },
	func() any { return new([]string) },
	func() any { return new(string) },
	func() any { return new(int64) },
	func() any { return new(float64) },
	func() any { return new(bool) },
}

// unregisteredRe finds the type encoding/gob names when a stream holds an
// interface value of a type not registered in this program.
var unregisteredRe = regexp.MustCompile(`name not registered for interface: "([^"]+)"`)

// gobPayload decodes a whole gob stream with encoding/gob, the basic
// composite types registered as gorilla/sessions (and applications) do,
// into the first of gobTargets it fits, and turns it into JSON terms. A
// value of an application type cannot be decoded without that type: it is
// named in ser.unregistered and the payload is nil.
func gobPayload(b []byte) (v any, ser scSer, ok bool) {
	if len(b) == 0 {
		return nil, scSer{}, false
	}
	defer func() {
		if recover() != nil {
			v, ser, ok = nil, scSer{}, false
		}
	}()
	registerGob()
	for _, mk := range gobTargets {
		t := mk()
		r := bytes.NewReader(b)
		err := gob.NewDecoder(r).Decode(t)
		if err == nil && r.Len() == 0 {
			return jsonable(reflect.ValueOf(t).Elem().Interface()), scSer{name: "gob"}, true
		}
		if err != nil {
			if m := unregisteredRe.FindStringSubmatch(err.Error()); m != nil {
				return nil, scSer{name: "gob", unregistered: m[1]}, true
			}
		}
	}
	return nil, scSer{}, false
}

// jsonable turns gob's map[any]any (which encoding/json refuses) into
// map[string]any, recursively, and []byte into text when it is UTF-8.
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
