package cookie

import (
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// AuthJS is the session token of Auth.js (@auth/core, NextAuth v5) with
// its default JWT strategy: a JWE in compact form, alg "dir" and enc
// A256CBC-HS512, whose 64-byte key is HKDF-SHA256(AUTH_SECRET, salt,
// "Auth.js Generated Encryption Key (<salt>)"), the salt being the cookie
// name ("authjs.session-token", "__Secure-authjs.session-token" over
// HTTPS). The header's kid is the key's JWK thumbprint (SHA-512). The
// claims are the token with iat, exp (30 days on) and jti.
type AuthJS struct{}

// Name returns "authjs".
func (AuthJS) Name() string { return "authjs" }

// Auth.js's session cookie names: the salt of the key.
const (
	authJSCookie       = "authjs.session-token"
	authJSSecureCookie = "__Secure-authjs.session-token"
	authJSMaxAge       = 30 * 24 * 60 * 60 // DEFAULT_MAX_AGE, seconds
)

type authJSHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid"`
}

func parseAuthJS(v string) (*authJSHeader, *jose.JSONWebEncryption, error) {
	if strings.Count(v, ".") != 4 {
		return nil, nil, fmt.Errorf("authjs: %w: not a compact JWE (five '.'-separated parts)", ErrMalformed)
	}
	hb, err := decodeURLBase64(v[:strings.IndexByte(v, '.')])
	var h authJSHeader
	if err != nil || json.Unmarshal(hb, &h) != nil {
		return nil, nil, fmt.Errorf("authjs: %w: the JWE header is not base64url JSON", ErrMalformed)
	}
	if h.Alg != "dir" || h.Enc != "A256CBC-HS512" && h.Enc != "A256GCM" {
		return nil, nil, fmt.Errorf("authjs: %w: alg %q enc %q, not dir with A256CBC-HS512 or A256GCM", ErrMalformed, h.Alg, h.Enc)
	}
	obj, err := jose.ParseEncryptedCompact(v, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256CBC_HS512, jose.A256GCM})
	if err != nil {
		return nil, nil, fmt.Errorf("authjs: %w: %v", ErrMalformed, err)
	}
	return &h, obj, nil
}

// Match is 100 for a compact JWE with alg "dir" and Auth.js's enc: the
// other formats have no five-part values.
func (AuthJS) Match(in Input) int {
	if _, _, err := parseAuthJS(DecodeCookieValue(in.Value)); err == nil {
		return 100
	}
	return 0
}

// authJSKey is getDerivedEncryptionKey: 64 bytes for A256CBC-HS512, 32 for
// A256GCM.
func authJSKey(enc string, secret []byte, salt string) []byte {
	n := 64
	if enc == "A256GCM" {
		n = 32
	}
	k, _ := hkdf.Key(sha256.New, secret, []byte(salt), "Auth.js Generated Encryption Key ("+salt+")", n)
	return k
}

// authJSThumbprint is the RFC 7638 thumbprint of the key as an oct JWK,
// under SHA-512 for a 64-byte key and SHA-256 for a 32-byte one, as
// calculateJwkThumbprint(..., `sha${bits}`) computes it.
func authJSThumbprint(key []byte) string {
	jwk := `{"k":"` + base64.RawURLEncoding.EncodeToString(key) + `","kty":"oct"}`
	if len(key) == 32 {
		s := sha256.Sum256([]byte(jwk))
		return base64.RawURLEncoding.EncodeToString(s[:])
	}
	s := sha512.Sum512([]byte(jwk))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// authJSSalts are the salts a token is tried with: its cookie name (a
// chunk's ".N" dropped), or both default names when it has none, then
// --salt's.
func authJSSalts(name string, extra []string) []string {
	var salts []string
	if name != "" {
		if i := strings.LastIndexByte(name, '.'); i > 0 && strings.Trim(name[i+1:], "0123456789") == "" && i < len(name)-1 {
			name = name[:i]
		}
		salts = append(salts, name)
	} else {
		salts = append(salts, authJSCookie, authJSSecureCookie)
	}
	return append(salts, extra...)
}

// Decode decrypts the token with each secret (AUTH_SECRET, and the older
// ones of a rotation) under each salt, and shows the claims with iat and
// exp as the issue and expiry times.
func (AuthJS) Decode(in Input, keys Keys) (*Decoded, error) {
	h, obj, err := parseAuthJS(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "authjs")
	d.field("alg", h.Alg)
	d.field("enc", h.Enc)
	d.opt("enc", h.Enc)
	if h.Kid != "" {
		d.field("kid", h.Kid)
	}
	if len(keys.Secrets) == 0 {
		d.Signature = Unverified
		d.warn("encrypted: give --secret (AUTH_SECRET) to decrypt the token")
		return d, nil
	}
	d.Signature = Invalid
	var plain []byte
search:
	for _, salt := range authJSSalts(in.Name, keys.Salts) {
		for i, s := range keys.Secrets {
			key := authJSKey(h.Enc, s, salt)
			if h.Kid != "" && h.Kid != authJSThumbprint(key) {
				continue
			}
			if b, err := obj.Decrypt(key); err == nil {
				plain, d.Signature, d.SecretIndex = b, Valid, i
				d.field("key_derivation", fmt.Sprintf("HKDF-SHA256(AUTH_SECRET, %q, \"Auth.js Generated Encryption Key (%s)\")", salt, salt))
				d.field("salt", salt)
				d.opt("salt", salt)
				break search
			}
		}
	}
	if plain == nil {
		if in.Name == "" {
			d.warn("needs name: the key is derived from the cookie name; give NAME=VALUE (tried " + authJSCookie + " and " + authJSSecureCookie + ")")
		}
		return d, nil
	}
	if !json.Valid(plain) {
		d.Payload = string(plain)
		d.field("serialization", "not JSON: shown as text")
		return d, nil
	}
	d.Payload = json.RawMessage(plain)
	var c struct {
		Iat *float64 `json:"iat"`
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(plain, &c) == nil {
		if c.Iat != nil {
			d.IssuedAt = unixTime(int64(*c.Iat))
		}
		if c.Exp != nil {
			d.ExpiresAt = unixTime(int64(*c.Exp))
		} else {
			d.warn(WarnNoExpiry)
		}
	}
	return d, nil
}
