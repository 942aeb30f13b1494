package cookie

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
)

// Keygrip signs and verifies data as the npm package keygrip does (used by
// cookies, cookie-session and koa-session): HMAC of the data with the first
// key signs, any key verifies, and the digest is base64url without padding
// (keygrip's default encoding) or hex.
type Keygrip struct {
	keys [][]byte
	alg  func() hash.Hash
	hex  bool
}

// NewKeygrip returns a Keygrip over keys with algorithm alg ("sha1", the
// default when empty, "sha256", "sha384" or "sha512") and the base64url
// encoding.
func NewKeygrip(alg string, keys ...[]byte) (*Keygrip, error) {
	if len(keys) == 0 {
		return nil, ErrNoSecret
	}
	k := &Keygrip{keys: keys}
	switch alg {
	case "", "sha1":
		k.alg = sha1.New
	case "sha256":
		k.alg = sha256.New
	case "sha384":
		k.alg = sha512.New384
	case "sha512":
		k.alg = sha512.New
	default:
		return nil, fmt.Errorf("keygrip: unknown algorithm %q", alg)
	}
	return k, nil
}

// WithHex returns a copy of k that encodes digests as lower-case hex.
func (k *Keygrip) WithHex() *Keygrip {
	c := *k
	c.hex = true
	return &c
}

func (k *Keygrip) digest(key []byte, data string) string {
	m := hmac.New(k.alg, key)
	m.Write([]byte(data))
	sum := m.Sum(nil)
	if k.hex {
		return hex.EncodeToString(sum)
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// Sign returns the digest of data with the first key.
func (k *Keygrip) Sign(data string) string { return k.digest(k.keys[0], data) }

// Index returns the index of the first key whose digest of data is digest,
// or -1, comparing in constant time as keygrip's index does.
func (k *Keygrip) Index(data, digest string) int {
	for i, key := range k.keys {
		if subtle.ConstantTimeCompare([]byte(k.digest(key, data)), []byte(digest)) == 1 {
			return i
		}
	}
	return -1
}

// Verify reports whether any key signs data as digest.
func (k *Keygrip) Verify(data, digest string) bool { return k.Index(data, digest) >= 0 }
