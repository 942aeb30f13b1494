package cookie

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// JWT is the JWS compact form: base64url(header).base64url(payload).
// base64url(signature). HS256/384/512 verify with the secrets, RS*, PS*,
// ES* and EdDSA with the public keys; the token's alg only picks among the
// keys of the right kind, so a public key is never used as an HMAC secret.
// alg "none" is reported as unsigned, with a warning.
type JWT struct{}

// Name returns "jwt".
func (JWT) Name() string { return "jwt" }

type jwtParts struct {
	signed  string // header.payload as sent
	header  map[string]any
	hraw    []byte
	payload []byte
	sig     []byte
	alg     string
}

func parseJWT(v string) (*jwtParts, error) {
	h, rest, ok := strings.Cut(v, ".")
	if !ok {
		return nil, fmt.Errorf("jwt: %w: not three dot-separated parts", ErrMalformed)
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok || strings.IndexByte(s, '.') >= 0 {
		return nil, fmt.Errorf("jwt: %w: not three dot-separated parts", ErrMalformed)
	}
	var j jwtParts
	var err error
	if j.hraw, err = base64.RawURLEncoding.DecodeString(h); err != nil {
		return nil, fmt.Errorf("jwt: %w: header is not base64url: %v", ErrMalformed, err)
	}
	if err := json.Unmarshal(j.hraw, &j.header); err != nil || j.header == nil {
		return nil, fmt.Errorf("jwt: %w: header is not a JSON object", ErrMalformed)
	}
	alg, ok := j.header["alg"].(string)
	if !ok {
		return nil, fmt.Errorf("jwt: %w: header has no alg", ErrMalformed)
	}
	j.alg = alg
	if j.payload, err = base64.RawURLEncoding.DecodeString(p); err != nil {
		return nil, fmt.Errorf("jwt: %w: payload is not base64url: %v", ErrMalformed, err)
	}
	if j.sig, err = base64.RawURLEncoding.DecodeString(s); err != nil {
		return nil, fmt.Errorf("jwt: %w: signature is not base64url: %v", ErrMalformed, err)
	}
	j.signed = v[:len(h)+1+len(p)]
	return &j, nil
}

// Match is 95 for three base64url parts whose first is a JSON object with
// an alg.
func (JWT) Match(in Input) int {
	if _, err := parseJWT(DecodeCookieValue(in.Value)); err == nil {
		return 95
	}
	return 0
}

// Decode shows header fields, the claims and their times, and checks the
// signature with the secrets (HS*) or public keys (the others).
func (JWT) Decode(in Input, keys Keys) (*Decoded, error) {
	j, err := parseJWT(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	d := newDecoded(in, "jwt")
	d.field("alg", j.alg)
	d.opt("alg", j.alg)
	for _, k := range []string{"typ", "kid", "cty"} {
		if s, ok := j.header[k].(string); ok {
			d.field(k, s)
			d.opt(k, s)
		}
	}
	if _, ok := j.header["jwk"]; ok {
		d.field("jwk", "embedded key in the header (never trust it to verify)")
	}
	if p := bytes.TrimSpace(j.payload); json.Valid(p) {
		d.Payload = json.RawMessage(p)
		var claims map[string]any
		if json.Unmarshal(p, &claims) == nil {
			d.IssuedAt = claimTime(claims, "iat")
			d.ExpiresAt = claimTime(claims, "exp")
			if nbf := claimTime(claims, "nbf"); nbf != nil {
				d.field("nbf", nbf.Format("2006-01-02T15:04:05Z07:00"))
			}
		}
	} else {
		d.Payload = string(j.payload)
	}
	d.warn(WarnClientReadable)
	if d.ExpiresAt == nil {
		d.warn(WarnNoExpiry)
	}
	switch {
	case strings.EqualFold(j.alg, "none"):
		d.Signature = Unsigned
		d.warn(WarnAlgNone)
		if len(j.sig) > 0 {
			d.field("signature_part", "not empty despite alg none")
		}
	case strings.HasPrefix(j.alg, "HS"):
		h := jwtHash(j.alg)
		switch {
		case h == "":
			d.Signature = Unverified
			d.field("verify", "unknown algorithm")
		case len(keys.Secrets) == 0:
			d.Signature = Unverified
		default:
			d.Signature = Invalid
			m := newMacState(hashByName(h))
			for i, s := range keys.Secrets {
				if len(j.sig) > 0 && hmac.Equal(m.mac(s, []byte(j.signed)), j.sig) {
					d.Signature, d.SecretIndex = Valid, i
					break
				}
			}
		}
	default:
		if !jwtAsymmetric(j.alg) {
			d.Signature = Unverified
			d.field("verify", "unknown algorithm")
			break
		}
		if len(keys.PublicKeys) == 0 {
			d.Signature = Unverified
			break
		}
		d.Signature = Invalid
		for i, k := range keys.PublicKeys {
			if verifyJWS(j.alg, k, []byte(j.signed), j.sig) {
				d.Signature, d.SecretIndex = Valid, i
				break
			}
		}
	}
	return d, nil
}

func claimTime(claims map[string]any, k string) *time.Time {
	f, ok := claims[k].(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
		return nil
	}
	return unixTime(int64(f))
}

// jwtHash returns the hash name of an HS, RS, PS or ES alg.
func jwtHash(alg string) string {
	if len(alg) != 5 {
		return ""
	}
	switch alg[2:] {
	case "256":
		return "sha256"
	case "384":
		return "sha384"
	case "512":
		return "sha512"
	}
	return ""
}

// jwtDigest hashes signed with the SHA-2 an RS*, PS* or ES* alg names;
// the caller has checked alg (jwtAsymmetric).
func jwtDigest(alg string, signed []byte) (crypto.Hash, []byte) {
	ch := map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}[jwtHash(alg)]
	h := ch.New()
	h.Write(signed)
	return ch, h.Sum(nil)
}

func jwtAsymmetric(alg string) bool {
	if alg == "EdDSA" || alg == "Ed25519" {
		return true
	}
	switch alg[:min(2, len(alg))] {
	case "RS", "PS", "ES":
		return jwtHash(alg) != ""
	}
	return false
}

func verifyJWS(alg string, key crypto.PublicKey, signed, sig []byte) bool {
	if alg == "EdDSA" || alg == "Ed25519" {
		k, ok := key.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, signed, sig)
	}
	ch, digest := jwtDigest(alg, signed)
	switch alg[:2] {
	case "RS":
		k, ok := key.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(k, ch, digest, sig) == nil
	case "PS":
		k, ok := key.(*rsa.PublicKey)
		return ok && rsa.VerifyPSS(k, ch, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
	case "ES":
		k, ok := key.(*ecdsa.PublicKey)
		if !ok || len(sig)%2 != 0 {
			return false
		}
		n := len(sig) / 2
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// ParsePublicKeys reads every public key in PEM data: PUBLIC KEY (PKIX),
// RSA PUBLIC KEY, CERTIFICATE, and the public half of PRIVATE KEY, RSA
// PRIVATE KEY and EC PRIVATE KEY blocks.
func ParsePublicKeys(data []byte) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		var k any
		var err error
		switch b.Type {
		case "PUBLIC KEY":
			k, err = x509.ParsePKIXPublicKey(b.Bytes)
		case "RSA PUBLIC KEY":
			k, err = x509.ParsePKCS1PublicKey(b.Bytes)
		case "CERTIFICATE":
			var c *x509.Certificate
			if c, err = x509.ParseCertificate(b.Bytes); err == nil {
				k = c.PublicKey
			}
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			var pk crypto.Signer
			if pk, err = parsePrivateBlock(b); err == nil {
				k = pk.Public()
			}
		default:
			return nil, fmt.Errorf("PEM block %d: unsupported type %q", n, b.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, b.Type, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM key found")
	}
	return keys, nil
}

// parsePrivateBlock parses a PRIVATE KEY (PKCS #8), RSA PRIVATE KEY (PKCS #1)
// or EC PRIVATE KEY (SEC 1) block into a key that signs. A PKCS #8 key that
// cannot sign (X25519's *ecdh.PrivateKey) is an error, not a panic.
func parsePrivateBlock(b *pem.Block) (crypto.Signer, error) {
	var k any
	var err error
	switch b.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		return nil, errors.New("not a private key")
	}
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%T cannot sign", k)
	}
	return s, nil
}

// Prepare returns a target that tries a secret as the HMAC key of an HS*
// token.
func (JWT) Prepare(in Input) (Target, error) {
	j, err := parseJWT(DecodeCookieValue(in.Value))
	if err != nil {
		return nil, err
	}
	h := jwtHash(j.alg)
	if !strings.HasPrefix(j.alg, "HS") || h == "" {
		return nil, fmt.Errorf("jwt: alg %s is not HMAC: a wordlist cannot find its key", j.alg)
	}
	return newMacTarget(h, []byte(j.signed), j.sig), nil
}
