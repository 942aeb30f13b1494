package cookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
)

// Rails is the Rails encrypted cookie store (the default since Rails 5.2):
// "<ciphertext>--<iv>--<tag>", each strict base64, URL-encoded when set;
// AES-256-GCM with a 12-byte IV, the key PBKDF2(secret_key_base,
// "authenticated encrypted cookie", 1000 iterations, 32 bytes) with
// HMAC-SHA1 before Rails 7.0 and HMAC-SHA256 since. The plaintext is the
// JSON session, wrapped since Rails 6.0 in a "_rails" envelope with the
// purpose ("cookie.<name>") and expiry: the session base64-encoded in
// "message" (6.0-7.0) or as is in "data" (7.1).
type Rails struct{}

// Name returns "rails".
func (Rails) Name() string { return "rails" }

const (
	railsSalt       = "authenticated encrypted cookie"
	railsIterations = 1000
)

// railsDigests are the key derivation hashes tried, newest first.
var railsDigests = []struct {
	name  string
	label string
	h     func() hash.Hash
}{
	{"sha256", "PBKDF2-HMAC-SHA256 (Rails >= 7.0)", sha256.New},
	{"sha1", "PBKDF2-HMAC-SHA1 (Rails < 7.0)", sha1.New},
}

type railsParts struct {
	data []byte // ciphertext followed by the tag, as GCM opens it
	iv   []byte
}

func parseRails(v string) (*railsParts, error) {
	parts := strings.Split(v, "--")
	if len(parts) != 3 {
		return nil, fmt.Errorf("rails: %w: not <data>--<iv>--<tag>", ErrMalformed)
	}
	var raw [3][]byte
	for i, s := range parts {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("rails: %w: part %d is not strict base64", ErrMalformed, i+1)
		}
		raw[i] = b
	}
	if len(raw[1]) != 12 || len(raw[2]) != 16 {
		return nil, fmt.Errorf("rails: %w: IV of %d bytes and tag of %d, not 12 and 16 (AES-GCM)", ErrMalformed, len(raw[1]), len(raw[2]))
	}
	return &railsParts{data: append(raw[0], raw[2]...), iv: raw[1]}, nil
}

// Match is 90 for three strict base64 parts joined by "--" whose middle is
// a 12-byte IV and last a 16-byte tag.
func (Rails) Match(in Input) int {
	if _, err := parseRails(DecodeCookieValue(in.Value)); err == nil {
		return 90
	}
	return 0
}

// railsKeys caches derived keys: one PBKDF2 costs 1000 HMACs, and a jar
// holds many cookies decoded with the same secret_key_base.
var railsKeys = struct {
	sync.Mutex
	m map[string][]byte
}{m: map[string][]byte{}}

const railsKeyCacheSize = 64

func railsKey(digest int, secret []byte) []byte {
	id := railsDigests[digest].name + "\x00" + string(secret)
	railsKeys.Lock()
	k, ok := railsKeys.m[id]
	railsKeys.Unlock()
	if ok {
		return k
	}
	k, err := pbkdf2.Key(railsDigests[digest].h, string(secret), []byte(railsSalt), railsIterations, 32)
	if err != nil {
		// Only a FIPS 140-only mode refuses short secrets; the key then
		// verifies nothing.
		return nil
	}
	railsKeys.Lock()
	if len(railsKeys.m) >= railsKeyCacheSize {
		clear(railsKeys.m)
	}
	railsKeys.m[id] = k
	railsKeys.Unlock()
	return k
}

func (p *railsParts) open(key []byte) ([]byte, bool) {
	if key == nil {
		return nil, false
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false
	}
	plain, err := gcm.Open(nil, p.iv, p.data, nil)
	return plain, err == nil
}

// Decode decrypts with each secret as secret_key_base, deriving the key
// with SHA256 then SHA1, and unwraps the metadata envelope. Without a
// secret, or when none decrypts, the payload stays unknown (null).
func (Rails) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseRails(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "rails")
	d.field("cipher", "AES-256-GCM")
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.field("encryption", "give secret_key_base with --secret to decrypt")
		return d, nil
	}
	d.Signature = Invalid
	for i, s := range keys.Secrets {
		for di := range railsDigests {
			plain, ok := p.open(railsKey(di, s))
			if !ok {
				continue
			}
			d.Signature, d.SecretIndex = Valid, i
			d.field("key_derivation", railsDigests[di].label)
			railsPlaintext(d, in, plain)
			return d, nil
		}
	}
	d.field("encryption", "no secret decrypts it (tried PBKDF2 with SHA256 and SHA1)")
	return d, nil
}

// railsPlaintext unwraps a decrypted value: the 6.0-7.0 and 7.1 metadata
// envelopes, or the bare session before 6.0.
func railsPlaintext(d *Decoded, in Input, plain []byte) {
	var env struct {
		Rails *struct {
			Message *string         `json:"message"`
			Data    json.RawMessage `json:"data"`
			Exp     *string         `json:"exp"`
			Pur     *string         `json:"pur"`
		} `json:"_rails"`
	}
	if json.Unmarshal(plain, &env) != nil || env.Rails == nil {
		d.field("envelope", "none (Rails < 6.0)")
		d.Payload = railsSerialized(d, plain)
		return
	}
	r := env.Rails
	switch {
	case r.Message != nil:
		d.field("envelope", "rails 6.0-7.0 metadata (_rails.message)")
		msg, err := base64.StdEncoding.DecodeString(*r.Message)
		if err != nil {
			d.Payload = *r.Message
			d.warn("malformed envelope: _rails.message is not base64")
			break
		}
		d.Payload = railsSerialized(d, msg)
	case r.Data != nil:
		d.field("envelope", "rails 7.1 metadata (_rails.data)")
		d.Payload = r.Data
	default:
		d.field("envelope", "_rails without message or data")
		d.Payload = json.RawMessage(plain)
	}
	if r.Pur != nil {
		d.field("purpose", *r.Pur)
		if in.Name != "" && *r.Pur != "cookie."+in.Name {
			d.warn(fmt.Sprintf("purpose mismatch: made for %q, Rails refuses it as cookie %q", *r.Pur, in.Name))
		}
	}
	if r.Exp != nil {
		if t, err := time.Parse(time.RFC3339Nano, *r.Exp); err == nil {
			t = t.UTC()
			d.ExpiresAt = &t
		} else {
			d.field("exp", *r.Exp)
		}
	} else {
		d.warn(WarnNoExpiry)
	}
}

// railsSerialized shows a serialized session: JSON as is; Marshal (old
// apps' :marshal and :hybrid serializers) as the strings it holds.
func railsSerialized(d *Decoded, b []byte) any {
	if json.Valid(b) {
		d.field("serialization", "json")
		return json.RawMessage(b)
	}
	if bytes.HasPrefix(b, []byte{4, 8}) {
		d.field("serialization", "marshal (Ruby types: strings shown)")
		return map[string]any{"marshal_strings": gobStrings(b[2:])}
	}
	d.field("serialization", "unknown: shown as text")
	return string(b)
}

// Prepare returns a target that derives both keys from each candidate,
// 2 x 1000 PBKDF2 rounds: Rails' key derivation makes this search slow by
// design.
func (Rails) Prepare(in Input) (Target, error) {
	p, err := parseRails(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return &railsTarget{p: p}, nil
}

type railsTarget struct{ p *railsParts }

// Try reports whether secret, as secret_key_base, decrypts the value.
func (t *railsTarget) Try(secret []byte) bool {
	for _, dg := range railsDigests {
		k, err := pbkdf2.Key(dg.h, string(secret), []byte(railsSalt), railsIterations, 32)
		if err != nil {
			continue
		}
		if _, ok := t.p.open(k); ok {
			return true
		}
	}
	return false
}

// Clone returns t: it holds no mutable state.
func (t *railsTarget) Clone() Target { return t }
