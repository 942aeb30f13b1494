package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Iron is a sealed value of @hapi/iron and iron-webcrypto, as iron-session
// (Next.js) and hapi's cookie plugins set it:
//
//	Fe26.2*<password id>*<enc salt>*<iv>*<ciphertext>*<expiration>*<mac salt>*<mac>
//
// The JSON is encrypted with AES-256-CBC under PBKDF2-SHA1(password, enc
// salt, 1 iteration, 32 bytes) and the first six parts are MACed with
// HMAC-SHA256 under PBKDF2-SHA1(password, mac salt, 1, 32); salts are hex
// text used as they are, iv, ciphertext and mac base64url, expiration in
// epoch milliseconds or empty. iron-session appends "~2", outside the MAC.
type Iron struct{}

// Name returns "iron".
func (Iron) Name() string { return "iron" }

const (
	ironPrefix = "Fe26.2"
	// ironMinPassword is the shortest password iron seals with.
	ironMinPassword = 32
	// ironSessionTTL is iron-session's default ttl (14 days).
	ironSessionTTL = 14 * 24 * time.Hour
)

type ironParts struct {
	id, encSalt, mac, macSalt string
	macBase                   string
	iv, ciphertext            []byte
	expiration                string
	suffix                    string // "~2" of iron-session, or ""
}

func parseIron(v string) (*ironParts, error) {
	p := &ironParts{}
	if i := strings.IndexByte(v, '~'); i >= 0 {
		v, p.suffix = v[:i], v[i:]
	}
	parts := strings.Split(v, "*")
	if len(parts) != 8 || parts[0] != ironPrefix {
		return nil, fmt.Errorf("iron: %w: not %s* and 8 '*'-separated parts", ErrMalformed, ironPrefix)
	}
	p.id, p.encSalt, p.expiration, p.macSalt, p.mac = parts[1], parts[2], parts[5], parts[6], parts[7]
	p.macBase = strings.Join(parts[:6], "*")
	var err error
	if p.iv, err = decodeURLBase64(parts[3]); err != nil || len(p.iv) != aes.BlockSize {
		return nil, fmt.Errorf("iron: %w: iv is not base64url of 16 bytes", ErrMalformed)
	}
	if p.ciphertext, err = decodeURLBase64(parts[4]); err != nil || len(p.ciphertext) == 0 || len(p.ciphertext)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("iron: %w: ciphertext is not base64url of whole AES blocks", ErrMalformed)
	}
	if p.expiration != "" {
		if _, err := strconv.ParseInt(p.expiration, 10, 64); err != nil || strings.Trim(p.expiration, "0123456789") != "" {
			return nil, fmt.Errorf("iron: %w: expiration %q is not epoch milliseconds", ErrMalformed, p.expiration)
		}
	}
	return p, nil
}

// Match is 100 for a sealed value: the Fe26.2 prefix is iron's alone.
func (Iron) Match(in Input) int {
	if _, err := parseIron(DecodeCookieValue(in.Value)); err == nil {
		return 100
	}
	return 0
}

// ironKey is iron's generateKey for a password string.
func ironKey(password []byte, salt string) []byte {
	k, _ := pbkdf2.Key(sha1.New, string(password), []byte(salt), 1, 32)
	return k
}

func (p *ironParts) verify(password []byte) bool {
	mac := base64.RawURLEncoding.EncodeToString(hmacSum("sha256", ironKey(password, p.macSalt), []byte(p.macBase)))
	return subtle.ConstantTimeCompare([]byte(mac), []byte(p.mac)) == 1
}

func (p *ironParts) decrypt(password []byte) ([]byte, bool) {
	block, _ := aes.NewCipher(ironKey(password, p.encSalt))
	out := make([]byte, len(p.ciphertext))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(out, p.ciphertext)
	return unpadPKCS7(out, aes.BlockSize)
}

// Decode checks the MAC with each secret (the password, or each of
// iron-session's password map), decrypts the JSON with the one that
// verifies, and shows the expiration.
func (Iron) Decode(in Input, keys Keys) (*Decoded, error) {
	p, err := parseIron(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "iron")
	d.field("algorithm", "AES-256-CBC + HMAC-SHA256")
	d.field("key_derivation", "PBKDF2-SHA1(password, salt, 1 iteration, 32 bytes)")
	if p.id != "" {
		d.field("password_id", p.id)
	}
	d.opt("password_id", orNone(p.id))
	if p.suffix != "" {
		d.field("envelope", fmt.Sprintf("iron-session (%q after the seal)", p.suffix))
		d.opt("suffix", p.suffix)
	} else {
		d.field("envelope", "@hapi/iron (no suffix)")
		d.opt("suffix", "none")
	}
	if p.expiration != "" {
		ms, _ := strconv.ParseInt(p.expiration, 10, 64)
		if t := unixTime(ms / 1000); t != nil {
			e := t.Add(time.Duration(ms%1000) * time.Millisecond)
			d.ExpiresAt = &e
		}
	} else {
		d.warn(WarnNoExpiry)
	}
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.warn("encrypted: give --secret (the password) to decrypt the payload")
		return d, nil
	}
	d.Signature = Invalid
	for i, s := range keys.Secrets {
		if !p.verify(s) {
			continue
		}
		plain, ok := p.decrypt(s)
		if !ok {
			d.warn(WarnDecryptFailed + ": the MAC verifies but the padding does not: the encryption password differs from the integrity one")
			return d, nil
		}
		d.Signature, d.SecretIndex = Valid, i
		if len(s) < ironMinPassword {
			d.warn(fmt.Sprintf("short password: %d characters; iron and iron-session refuse passwords under %d", len(s), ironMinPassword))
		}
		if json.Valid(plain) {
			d.Payload = json.RawMessage(plain)
		} else {
			d.Payload = string(plain)
			d.field("serialization", "not JSON: shown as text")
		}
		break
	}
	return d, nil
}

// orNone is s, or "none" for the empty string (an option cannot be empty).
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Prepare returns a target that checks candidate passwords on the MAC.
func (Iron) Prepare(in Input) (Target, error) {
	p, err := parseIron(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	return ironTarget{p}, nil
}

type ironTarget struct{ p *ironParts }

// Try reports whether secret is the integrity password.
func (t ironTarget) Try(secret []byte) bool { return t.p.verify(secret) }

// Clone returns t: it keeps no state between tries.
func (t ironTarget) Clone() Target { return t }
