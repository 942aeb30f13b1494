package cookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
//
// Also read: the older "base64(<data>--<iv>)--<hex HMAC>" of Rails 4.0-5.1
// (AES-256-CBC, keys from "encrypted cookie" and "signed encrypted
// cookie"), and signed cookies "base64(<data>)--<hex HMAC>" (key from
// "signed cookie", or Rails 3's secret_token itself).
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

// Kinds of Rails values.
const (
	railsGCM    = iota // Rails >= 5.2 authenticated encryption
	railsCBC           // Rails 4.0-5.1 encrypt-then-sign
	railsSigned        // cookies.signed, and Rails 3 session cookies
)

// railsSHA1Warning is shown with values whose key comes from PBKDF2-SHA1.
const railsSHA1Warning = "legacy sha1 key derivation: after load_defaults 7.0 (SHA256) Rails reads this cookie only with a SHA1 cookie rotator"

type railsParts struct {
	kind int
	data []byte // GCM: ciphertext followed by the tag; CBC: ciphertext; signed: the message
	iv   []byte
	// CBC and signed values: the base64 the HMAC covers, the HMAC and its hash.
	signed  []byte
	mac     []byte
	macHash string
}

func parseRails(v string) (*railsParts, error) {
	parts := strings.Split(v, "--")
	if len(parts) == 2 {
		return parseRailsSigned(parts[0], parts[1])
	}
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
	return &railsParts{kind: railsGCM, data: append(raw[0], raw[2]...), iv: raw[1]}, nil
}

// parseRailsSigned reads a MessageVerifier value, "<base64>--<hex HMAC>",
// whose message is either a Rails 4.0-5.1 "<ciphertext>--<iv>" or the
// serialized value itself.
func parseRailsSigned(data, digest string) (*railsParts, error) {
	mac, err := hex.DecodeString(digest)
	if err != nil {
		return nil, fmt.Errorf("rails: %w: not <data>--<hex HMAC>", ErrMalformed)
	}
	p := &railsParts{kind: railsSigned, signed: []byte(data), mac: mac, macHash: sigHash(len(mac))}
	if p.macHash == "" {
		return nil, fmt.Errorf("rails: %w: HMAC of %d bytes", ErrMalformed, len(mac))
	}
	msg, err := base64.StdEncoding.Strict().DecodeString(data)
	if err != nil || len(msg) == 0 {
		return nil, fmt.Errorf("rails: %w: data is not strict base64", ErrMalformed)
	}
	p.data = msg
	if ct, iv, ok := strings.Cut(string(msg), "--"); ok {
		c, err1 := base64.StdEncoding.Strict().DecodeString(ct)
		i, err2 := base64.StdEncoding.Strict().DecodeString(iv)
		if err1 == nil && err2 == nil && len(i) == aes.BlockSize && len(c) > 0 && len(c)%aes.BlockSize == 0 {
			p.kind, p.data, p.iv = railsCBC, c, i
		}
	}
	return p, nil
}

// Match is 90 for three strict base64 parts joined by "--" whose middle is
// a 12-byte IV and last a 16-byte tag, 85 for "<base64>--<hex HMAC>".
func (Rails) Match(in Input) int {
	p, err := parseRails(DecodeCookieValue(in.Value))
	switch {
	case err != nil:
		return 0
	case p.kind == railsGCM:
		return 90
	}
	return 85
}

// railsKeys caches derived keys: one PBKDF2 costs 1000 HMACs, and a jar
// holds many cookies decoded with the same secret_key_base.
var railsKeys = struct {
	sync.Mutex
	m map[string][]byte
}{m: map[string][]byte{}}

const railsKeyCacheSize = 64

// Key generator salts of the older forms: the CBC encryption key (32
// bytes), its HMAC key (64) and the signed-cookie HMAC key (64).
const (
	railsCBCSalt     = "encrypted cookie"
	railsCBCSignSalt = "signed encrypted cookie"
	railsSignedSalt  = "signed cookie"
)

// railsKey returns PBKDF2(secret, salt, 1000, n) with the digest-th hash of
// railsDigests.
func railsKey(digest int, salt string, n int, secret []byte) []byte {
	id := fmt.Sprintf("%s\x00%s\x00%d\x00%s", railsDigests[digest].name, salt, n, secret)
	railsKeys.Lock()
	k, ok := railsKeys.m[id]
	railsKeys.Unlock()
	if ok {
		return k
	}
	k, err := pbkdf2.Key(railsDigests[digest].h, string(secret), []byte(salt), railsIterations, n)
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
	switch p.kind {
	case railsCBC:
		return decodeRailsCBC(d, in, p, keys), nil
	case railsSigned:
		return decodeRailsSigned(d, in, p, keys), nil
	}
	d.field("cipher", "AES-256-GCM")
	d.opt("kind", "gcm")
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.field("encryption", "give secret_key_base with --secret to decrypt")
		return d, nil
	}
	d.Signature = Invalid
	for i, s := range keys.Secrets {
		for di := range railsDigests {
			plain, ok := p.open(railsKey(di, railsSalt, 32, s))
			if !ok {
				continue
			}
			d.Signature, d.SecretIndex = Valid, i
			d.field("key_derivation", railsDigests[di].label)
			d.opt("key_derivation", railsDigests[di].name)
			if railsDigests[di].name == "sha1" {
				d.warn(railsSHA1Warning)
			}
			railsPlaintext(d, in, plain)
			markRailsSessionID(d)
			return d, nil
		}
	}
	d.field("encryption", "no secret decrypts it (tried PBKDF2 with SHA256 and SHA1)")
	return d, nil
}

// railsMAC reports whether key's HMAC of p's signed base64 is its MAC.
func (p *railsParts) railsMAC(key []byte) bool {
	m := hmac.New(hashByName(p.macHash), key)
	m.Write(p.signed)
	return hmac.Equal(m.Sum(nil), p.mac)
}

// openCBC decrypts a Rails 4.0-5.1 value with key (PKCS#7 padding).
func (p *railsParts) openCBC(key []byte) ([]byte, bool) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, false
	}
	plain := make([]byte, len(p.data))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(plain, p.data)
	return unpadPKCS7(plain, aes.BlockSize)
}

func decodeRailsCBC(d *Decoded, in Input, p *railsParts, keys Keys) *Decoded {
	cipherName := fmt.Sprintf("AES-256-CBC + HMAC-%s (Rails 4.0-5.1)", upperAlg(p.macHash))
	d.field("cipher", cipherName)
	d.opt("kind", "cbc")
	d.opt("digest", p.macHash)
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.field("encryption", "give secret_key_base with --secret to decrypt")
		return d
	}
	d.Signature = Invalid
	for i, s := range keys.Secrets {
		for di := range railsDigests {
			if !p.railsMAC(railsKey(di, railsCBCSignSalt, 64, s)) {
				continue
			}
			d.Signature, d.SecretIndex = Valid, i
			d.field("key_derivation", railsDigests[di].label)
			d.opt("key_derivation", railsDigests[di].name)
			plain, ok := p.openCBC(railsKey(di, railsCBCSalt, 32, s))
			if !ok {
				d.warn(WarnDecryptFailed + ": the HMAC verifies with this secret_key_base: check the encryption salt (config.action_dispatch.encrypted_cookie_salt; the HMAC key comes from encrypted_signed_cookie_salt)")
				return d
			}
			railsPlaintext(d, in, plain)
			markRailsSessionID(d)
			return d
		}
	}
	d.field("encryption", "no secret verifies it (tried PBKDF2 with SHA256 and SHA1)")
	return d
}

// decodeRailsSigned shows a signed cookie, readable without a secret, and
// checks its HMAC with keys from "signed cookie" and with the secret itself
// (Rails 3 secret_token).
func decodeRailsSigned(d *Decoded, in Input, p *railsParts, keys Keys) *Decoded {
	railsPlaintext(d, in, p.data)
	d.warn(WarnClientReadable)
	d.opt("kind", "signed")
	d.opt("digest", p.macHash)
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		return d
	}
	d.Signature = Invalid
	alg := upperAlg(p.macHash)
	for i, s := range keys.Secrets {
		for di := range railsDigests {
			if p.railsMAC(railsKey(di, railsSignedSalt, 64, s)) {
				d.Signature, d.SecretIndex = Valid, i
				d.field("mac", fmt.Sprintf("HMAC-%s (MessageVerifier, key from %q)", alg, railsSignedSalt))
				d.field("key_derivation", railsDigests[di].label)
				d.opt("key_derivation", railsDigests[di].name)
				return d
			}
		}
		if p.railsMAC(s) {
			d.Signature, d.SecretIndex = Valid, i
			d.field("mac", fmt.Sprintf("HMAC-%s (secret_token, Rails < 4.0)", alg))
			d.opt("key_derivation", "none")
			return d
		}
	}
	return d
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
		d.opt("envelope", "none")
		d.Payload = railsSerialized(d, plain)
		return
	}
	r := env.Rails
	switch {
	case r.Message != nil:
		d.field("envelope", "rails 6.0-7.0 metadata (_rails.message)")
		d.opt("envelope", "message")
		msg, err := base64.StdEncoding.DecodeString(*r.Message)
		if err != nil {
			d.Payload = *r.Message
			d.warn("malformed envelope: _rails.message is not base64")
			break
		}
		d.Payload = railsSerialized(d, msg)
	case r.Data != nil:
		d.field("envelope", "rails 7.1 metadata (_rails.data)")
		d.opt("envelope", "data")
		d.Payload = r.Data
	default:
		d.field("envelope", "_rails without message or data")
		d.Payload = json.RawMessage(plain)
	}
	if r.Pur != nil {
		d.field("purpose", *r.Pur)
		if *r.Pur != "cookie."+in.Name {
			d.opt("purpose", *r.Pur)
		}
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
		d.opt("serialization", "marshal")
		return map[string]any{"marshal_strings": gobStrings(b[2:])}
	}
	d.field("serialization", "unknown: shown as text")
	return string(b)
}

// Prepare returns a target that derives a key from each candidate with
// SHA256 and SHA1, 2 x 1000 PBKDF2 rounds (2 x 2000 or more for the 64-byte
// keys of CBC and signed values): Rails' key derivation makes this search
// slow by design.
func (Rails) Prepare(in Input) (Target, error) {
	p, err := parseRails(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return &railsTarget{p: p}, nil
}

type railsTarget struct{ p *railsParts }

// Try reports whether secret, as secret_key_base, decrypts (GCM) or
// signs (CBC, signed) the value.
func (t *railsTarget) Try(secret []byte) bool {
	salt, n := railsSalt, 32
	switch t.p.kind {
	case railsCBC:
		salt, n = railsCBCSignSalt, 64
	case railsSigned:
		if t.p.railsMAC(secret) {
			return true
		}
		salt, n = railsSignedSalt, 64
	}
	for _, dg := range railsDigests {
		k, err := pbkdf2.Key(dg.h, string(secret), []byte(salt), railsIterations, n)
		if err != nil {
			continue
		}
		if t.p.kind == railsGCM {
			if _, ok := t.p.open(k); ok {
				return true
			}
		} else if t.p.railsMAC(k) {
			return true
		}
	}
	return false
}

// Clone returns t: it holds no mutable state.
func (t *railsTarget) Clone() Target { return t }
