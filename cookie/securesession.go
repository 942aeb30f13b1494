package cookie

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
)

// SecureSession is @fastify/secure-session's cookie: the session JSON (with
// its "__ts" touch time, epoch seconds) in a libsodium secretbox
// (XSalsa20-Poly1305), sent as "<base64 ciphertext>;<base64 nonce>",
// URL-encoded by @fastify/cookie. The 32-byte key is the plugin's key
// option (--enc-key) or crypto_pwhash (Argon2id, OPSLIMIT_MODERATE 3,
// MEMLIMIT_MODERATE 256 MiB) of its secret option (--secret) with its salt
// (16 bytes; the plugin's fixed default unless salt is set).
type SecureSession struct{}

// Name returns "secure-session".
func (SecureSession) Name() string { return "secure-session" }

const (
	// secureSessionSalt is the plugin's default salt, base64
	// "mq9hDxBVDbspDR6nLfFT1g==", as text for the salt option.
	secureSessionSaltB64 = "mq9hDxBVDbspDR6nLfFT1g=="
	// SecureSessionExpiry is the plugin's default expiry: a session whose
	// __ts is older is refused.
	SecureSessionExpiry = 86401 * time.Second
)

type secureSessionParts struct {
	box   []byte
	nonce [24]byte
}

func parseSecureSession(v string) (*secureSessionParts, error) {
	c, n, ok := strings.Cut(v, ";")
	if !ok || strings.IndexByte(n, ';') >= 0 {
		return nil, fmt.Errorf("secure-session: %w: not <base64 ciphertext>;<base64 nonce>", ErrMalformed)
	}
	p := &secureSessionParts{}
	var err error
	if p.box, err = base64.StdEncoding.DecodeString(c); err != nil || len(p.box) < secretbox.Overhead {
		return nil, fmt.Errorf("secure-session: %w: ciphertext is not base64 of at least %d bytes", ErrMalformed, secretbox.Overhead)
	}
	nonce, err := base64.StdEncoding.DecodeString(n)
	if err != nil || len(nonce) != len(p.nonce) {
		return nil, fmt.Errorf("secure-session: %w: nonce is not base64 of %d bytes", ErrMalformed, len(p.nonce))
	}
	copy(p.nonce[:], nonce)
	return p, nil
}

// Match is 100 for the shape: base64, ";", base64 of a 24-byte nonce.
func (SecureSession) Match(in Input) int {
	if _, err := parseSecureSession(DecodeCookieValue(in.Value)); err == nil {
		return 100
	}
	return 0
}

func (p *secureSessionParts) open(key []byte) ([]byte, bool) {
	if len(key) != 32 {
		return nil, false
	}
	var k [32]byte
	copy(k[:], key)
	return secretbox.Open(nil, p.box, &p.nonce, &k)
}

// secureSessionKeys caches crypto_pwhash results: each costs 256 MiB and
// a good part of a second.
var secureSessionKeys sync.Map // string(salt) + "\x00" + secret -> []byte

// secureSessionKey derives the key from the secret option as the plugin
// does: crypto_pwhash(32 bytes, secret, salt, OPSLIMIT_MODERATE,
// MEMLIMIT_MODERATE, ALG_DEFAULT), which is Argon2id with one lane.
func secureSessionKey(secret, salt []byte) []byte {
	id := string(salt) + "\x00" + string(secret)
	if k, ok := secureSessionKeys.Load(id); ok {
		return k.([]byte)
	}
	k := argon2.IDKey(secret, salt, 3, 256*1024, 1, 32)
	secureSessionKeys.Store(id, k)
	return k
}

// secureSessionSalt reads the salt option: the plugin takes a string salt
// as ASCII bytes and wants 16 of them; the default is its fixed salt.
func secureSessionSalt(opt string) ([]byte, error) {
	if opt == "" {
		return base64.StdEncoding.DecodeString(secureSessionSaltB64)
	}
	if len(opt) != 16 {
		return nil, fmt.Errorf("salt must be 16 bytes, got %d", len(opt))
	}
	return []byte(opt), nil
}

// Decode opens the box with each --enc-key (the key option: 32 bytes) and
// then each --secret (the secret option, at least 32 bytes, through
// crypto_pwhash with the default salt or --salt's first), shows the JSON
// and judges __ts against the default expiry of 86401 seconds.
func (SecureSession) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseSecureSession(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "secure-session")
	d.field("algorithm", "libsodium secretbox (XSalsa20-Poly1305)")
	saltOpt := ""
	if len(keys.Salts) > 0 {
		saltOpt = keys.Salts[0]
	}
	if len(keys.EncKeys) == 0 && len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.warn("encrypted: give --enc-key (the key option) or --secret (the secret option) to open the box")
		return d, nil
	}
	d.Signature = Invalid
	var plain []byte
	for i, k := range keys.EncKeys {
		if b, ok := p.open(k); ok {
			plain, d.Signature, d.SecretIndex = b, Valid, i
			d.field("key", "the key option (--enc-key)")
			break
		}
	}
	if plain == nil && len(keys.Secrets) > 0 {
		salt, err := secureSessionSalt(saltOpt)
		if err != nil {
			return nil, fmt.Errorf("secure-session: --salt: %w", err)
		}
		for i, s := range keys.Secrets {
			if b, ok := p.open(secureSessionKey(s, salt)); ok {
				plain, d.Signature, d.SecretIndex = b, Valid, i
				d.field("key", "crypto_pwhash (Argon2id, opslimit 3, memlimit 256 MiB) of the secret option (--secret)")
				if saltOpt != "" {
					d.opt("salt", saltOpt)
				}
				break
			}
		}
	}
	if plain == nil {
		return d, nil
	}
	var m struct {
		TS *float64 `json:"__ts"`
	}
	if !json.Valid(plain) {
		d.Payload = string(plain)
		d.field("serialization", "not JSON: shown as text")
		return d, nil
	}
	d.Payload = json.RawMessage(plain)
	if json.Unmarshal(plain, &m) == nil && m.TS != nil {
		if t := unixTime(int64(*m.TS)); t != nil {
			d.IssuedAt = t
			d.setLifetime(SecureSessionExpiry, "@fastify/secure-session's expiry default")
		}
	} else {
		d.warn("no __ts: the plugin reads a session without its touch time as expired")
	}
	return d, nil
}
