package cookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Laravel is Laravel's encrypted cookie (Illuminate\Encryption\Encrypter
// via the EncryptCookies middleware): base64 of the JSON
// {"iv","value","mac","tag"}, iv and value base64, value the AES-256-CBC
// (PKCS#7) ciphertext and mac the hex HMAC-SHA256(APP_KEY, iv + value) of
// the two base64 strings; with AES-GCM, mac is empty and tag holds the GCM
// tag. Since Laravel 5.6 the plaintext starts with the cookie-name prefix
// hex(HMAC-SHA1(APP_KEY, name + "v2")) + "|".
type Laravel struct{}

// Name returns "laravel".
func (Laravel) Name() string { return "laravel" }

type laravelParts struct {
	ivB64, valueB64 string
	iv, value       []byte
	mac             []byte // nil for AEAD ciphers
	tag             []byte // nil for CBC
}

func parseLaravel(v string) (*laravelParts, error) {
	b, err := DecodeBase64(v)
	if err != nil {
		return nil, fmt.Errorf("laravel: %w: not base64", ErrMalformed)
	}
	var env struct {
		IV    *string `json:"iv"`
		Value *string `json:"value"`
		MAC   *string `json:"mac"`
		Tag   *string `json:"tag"`
	}
	if json.Unmarshal(b, &env) != nil || env.IV == nil || env.Value == nil || env.MAC == nil {
		return nil, fmt.Errorf("laravel: %w: not a JSON object with iv, value and mac", ErrMalformed)
	}
	p := &laravelParts{ivB64: *env.IV, valueB64: *env.Value}
	if p.iv, err = base64.StdEncoding.DecodeString(p.ivB64); err != nil {
		return nil, fmt.Errorf("laravel: %w: iv is not base64", ErrMalformed)
	}
	if p.value, err = base64.StdEncoding.DecodeString(p.valueB64); err != nil || len(p.value) == 0 {
		return nil, fmt.Errorf("laravel: %w: value is not base64", ErrMalformed)
	}
	if env.Tag != nil && *env.Tag != "" {
		if p.tag, err = base64.StdEncoding.DecodeString(*env.Tag); err != nil || len(p.tag) != 16 {
			return nil, fmt.Errorf("laravel: %w: tag is not 16 bytes of base64", ErrMalformed)
		}
		if len(p.iv) != 12 {
			return nil, fmt.Errorf("laravel: %w: GCM iv is %d bytes, not 12", ErrMalformed, len(p.iv))
		}
		return p, nil
	}
	if p.mac, err = hex.DecodeString(*env.MAC); err != nil || len(p.mac) != 32 {
		return nil, fmt.Errorf("laravel: %w: mac is not 64 hex digits", ErrMalformed)
	}
	if len(p.iv) != aes.BlockSize || len(p.value)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("laravel: %w: CBC iv of %d bytes or ciphertext of %d", ErrMalformed, len(p.iv), len(p.value))
	}
	return p, nil
}

// Match is 95 for base64 JSON with iv, value and mac that decode as
// Laravel writes them.
func (Laravel) Match(in Input) int {
	if _, err := parseLaravel(DecodeCookieValue(in.Value)); err == nil {
		return 95
	}
	return 0
}

// laravelKey returns the key an APP_KEY stands for: the bytes after
// "base64:" decoded, else the string itself.
func laravelKey(dst, secret []byte) []byte {
	if b64, ok := bytes.CutPrefix(secret, []byte("base64:")); ok {
		n := base64.StdEncoding.DecodedLen(len(b64))
		if cap(dst) < n {
			dst = make([]byte, n)
		}
		if m, err := base64.StdEncoding.Decode(dst[:n], b64); err == nil {
			return dst[:m]
		}
	}
	return secret
}

// cipherName names the cipher by key size and mode.
func (p *laravelParts) cipherName(key []byte) string {
	mode := "CBC"
	if p.tag != nil {
		mode = "GCM"
	}
	if key == nil {
		return "AES-" + mode
	}
	return fmt.Sprintf("AES-%d-%s", len(key)*8, mode)
}

// decrypt checks the MAC (CBC) or tag (GCM) with key and decrypts; ok is
// false when key does not authenticate the value.
func (p *laravelParts) decrypt(key []byte) (plain []byte, ok bool) {
	if p.tag == nil {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(p.ivB64))
		m.Write([]byte(p.valueB64))
		if !hmac.Equal(m.Sum(nil), p.mac) {
			return nil, false
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, p.tag == nil // the MAC verified, the key is not an AES key
	}
	if p.tag != nil {
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return nil, false
		}
		plain, err := gcm.Open(nil, p.iv, append(bytes.Clone(p.value), p.tag...), nil)
		return plain, err == nil
	}
	plain = make([]byte, len(p.value))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(plain, p.value)
	if plain, ok := unpadPKCS7(plain, aes.BlockSize); ok {
		return plain, true
	}
	return nil, true
}

// Decode checks the MAC with each secret as APP_KEY (current key first,
// then previous_keys), decrypts, and splits off the cookie-name prefix.
// Without a secret, or when none verifies, the payload stays unknown.
func (Laravel) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseLaravel(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "laravel")
	if p.tag == nil {
		d.field("mac", "HMAC-SHA256(APP_KEY, iv + value)")
	}
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.field("cipher", p.cipherName(nil))
		d.field("encryption", "give APP_KEY (base64:...) with --secret to decrypt")
		return d, nil
	}
	d.Signature = Invalid
	for i, s := range keys.Secrets {
		key := laravelKey(nil, s)
		plain, ok := p.decrypt(key)
		if !ok {
			continue
		}
		d.Signature, d.SecretIndex = Valid, i
		d.field("cipher", p.cipherName(key))
		d.opt("cipher", p.cipherName(key))
		if plain == nil {
			d.warn(WarnDecryptFailed + ": the MAC verifies with this APP_KEY: check the cipher (config/app.php 'cipher': AES-256 takes a 32-byte key, AES-128 a 16-byte one)")
			return d, nil
		}
		laravelPlaintext(d, in, key, plain)
		return d, nil
	}
	d.field("cipher", p.cipherName(nil))
	d.field("encryption", "no secret verifies it")
	return d, nil
}

// laravelPlaintext shows a decrypted value: the cookie-name prefix as a
// field, checked against the name when there is one, and the rest as JSON,
// or as text (a session id, a PHP-serialized value).
func laravelPlaintext(d *Decoded, in Input, key, plain []byte) {
	// EncryptCookies::$serialize = true: the value, prefix included, is a
	// PHP-serialized string; Laravel unserializes it before the prefix
	// check.
	serialized := false
	if str, ok := phpString(plain); ok {
		plain, serialized = str, true
		d.field("serialization", "php serialize() of a string")
		d.opt("serialized", "true")
	}
	if len(plain) > 40 && plain[40] == '|' && isHex(plain[:40]) {
		prefix := string(plain[:40])
		plain = plain[41:]
		d.field("cookie_prefix", prefix)
		if in.Name != "" {
			m := hmac.New(sha1.New, key)
			m.Write([]byte(in.Name + "v2"))
			if hex.EncodeToString(m.Sum(nil)) == prefix {
				d.field("cookie_prefix_check", fmt.Sprintf("matches cookie %q", in.Name))
			} else {
				d.warn(fmt.Sprintf("prefix mismatch: the value was made for another cookie than %q; Laravel refuses it", in.Name))
			}
		}
	} else {
		d.field("cookie_prefix", "none (Laravel < 5.6, or not a cookie)")
		d.opt("prefix", "false")
	}
	switch {
	case len(plain) > 0 && (plain[0] == '{' || plain[0] == '[') && json.Valid(plain):
		d.Payload = json.RawMessage(plain)
	case !serialized && isPHPSerialized(plain):
		d.field("serialization", "php serialize() (not a string: shown as is)")
		d.Payload = string(plain)
	default:
		d.Payload = string(plain)
	}
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// phpString unserializes PHP's serialize() of a string, s:<n>:"<n bytes>";.
func phpString(b []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(b, []byte("s:"))
	if !ok {
		return nil, false
	}
	colon := bytes.IndexByte(rest, ':')
	if colon <= 0 || colon > 10 {
		return nil, false
	}
	n, err := strconv.Atoi(string(rest[:colon]))
	if err != nil || n < 0 {
		return nil, false
	}
	body := rest[colon+1:]
	if len(body) != n+3 || body[0] != '"' || body[n+1] != '"' || body[n+2] != ';' {
		return nil, false
	}
	return body[1 : n+1], true
}

// isPHPSerialized reports whether b looks like PHP's serialize() output:
// a type letter, ":" and a value ending in ";" or "}" (or "N;").
func isPHPSerialized(b []byte) bool {
	s := string(b)
	if s == "N;" {
		return true
	}
	if len(s) < 4 || s[1] != ':' || !strings.ContainsRune("sibdaOC", rune(s[0])) {
		return false
	}
	return strings.HasSuffix(s, ";") || strings.HasSuffix(s, "}")
}

// Prepare returns a target that tries each candidate as APP_KEY: one
// HMAC-SHA256 for CBC values, one AES-GCM open for GCM ones.
func (Laravel) Prepare(in Input) (Target, error) {
	p, err := parseLaravel(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return newLaravelTarget(p), nil
}

type laravelTarget struct {
	p   *laravelParts
	msg []byte // iv + value, the MAC's input
	m   *macState
	key []byte
}

func newLaravelTarget(p *laravelParts) *laravelTarget {
	return &laravelTarget{p: p, msg: []byte(p.ivB64 + p.valueB64), m: newMacState(sha256.New), key: make([]byte, 0, 64)}
}

// Try reports whether secret, as APP_KEY, authenticates the value.
func (t *laravelTarget) Try(secret []byte) bool {
	key := laravelKey(t.key, secret)
	if t.p.tag == nil {
		return subtle.ConstantTimeCompare(t.m.mac(key, t.msg), t.p.mac) == 1
	}
	_, ok := t.p.decrypt(key)
	return ok
}

// Clone returns a target with its own hash state.
func (t *laravelTarget) Clone() Target { return newLaravelTarget(t.p) }
