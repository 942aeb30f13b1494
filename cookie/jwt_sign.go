package cookie

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// DefaultName returns "token".
func (JWT) DefaultName() string { return "token" }

// jwtAlgs are the algorithms Sign writes.
var jwtAlgs = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA", "none"}

// Sign makes a JWS compact token of the payload, header
// {"alg":...,"typ":"JWT"} (plus kid and cty when given) as jsonwebtoken
// writes it. Option alg picks the algorithm: HS* sign with the secret,
// RS*, PS*, ES* and EdDSA with the private key (the default alg follows
// the key: RS256, ES256/384/512 by curve, EdDSA), "none" signs nothing.
// An HS* alg with a public key's PEM as the secret is the RS-to-HS key
// confusion token jwt_tool makes. An object payload gets an iat claim of
// the issue time unless it has one, and always when IssuedAt is set.
func (JWT) Sign(r SignRequest) ([]SignedCookie, error) {
	def := "HS256"
	if r.Key.PrivateKey != nil && len(r.Key.Secret) == 0 {
		def = jwtKeyAlg(r.Key.PrivateKey)
	}
	alg, err := r.optOneOf("jwt", "alg", def, jwtAlgs...)
	if err != nil {
		return nil, err
	}
	header := `{"alg":` + jsonString(alg) + `,"typ":` + jsonString(r.opt("typ", "JWT"))
	for _, k := range []string{"kid", "cty"} {
		if v := r.opt(k, ""); v != "" {
			header += `,"` + k + `":` + jsonString(v)
		}
	}
	header += "}"
	payload := compactJSON(r.Payload)
	if payload[0] == '{' {
		if payload, err = jwtSetIat(payload, r.IssuedAt.Unix(), r.issuedAtGiven); err != nil {
			return nil, err
		}
	}
	signed := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload)
	var sig []byte
	switch {
	case alg == "none":
	case strings.HasPrefix(alg, "HS"):
		secret, err := r.secret()
		if err != nil {
			return nil, err
		}
		sig = hmacSum(jwtHash(alg), secret, []byte(signed))
	default:
		if sig, err = signJWS(alg, r.Key.PrivateKey, []byte(signed), r); err != nil {
			return nil, err
		}
	}
	return []SignedCookie{{Name: r.Name, Value: signed + "." + base64.RawURLEncoding.EncodeToString(sig)}}, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jwtSetIat adds "iat" to a compact JSON object, or replaces it when force.
func jwtSetIat(obj []byte, iat int64, force bool) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, fmt.Errorf("jwt: %w: %v", ErrPayload, err)
	}
	if _, ok := m["iat"]; ok && !force {
		return obj, nil
	}
	if _, ok := m["iat"]; ok {
		// Replaced: the claims then come out in sorted order.
		m["iat"] = json.RawMessage(fmt.Sprint(iat))
		b, _ := json.Marshal(m)
		return b, nil
	}
	if len(m) == 0 {
		return []byte(fmt.Sprintf(`{"iat":%d}`, iat)), nil
	}
	return fmt.Appendf(bytes.TrimSuffix(obj, []byte("}")), `,"iat":%d}`, iat), nil
}

// jwtKeyAlg is the algorithm a private key signs with by default.
func jwtKeyAlg(k crypto.Signer) string {
	switch k := k.Public().(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P384():
			return "ES384"
		case elliptic.P521():
			return "ES512"
		}
		return "ES256"
	case ed25519.PublicKey:
		return "EdDSA"
	}
	return "RS256"
}

// signJWS signs with an asymmetric alg; ES signatures are R || S, each as
// long as the curve's order (RFC 7518 3.4).
func signJWS(alg string, key crypto.Signer, signed []byte, r SignRequest) ([]byte, error) {
	if key == nil {
		return nil, &KeyError{Key: KeyPrivateKey, Err: fmt.Errorf("alg %s needs a private key", alg)}
	}
	if alg == "EdDSA" {
		k, ok := key.(ed25519.PrivateKey)
		if !ok {
			return nil, &KeyError{Key: KeyPrivateKey, Err: fmt.Errorf("alg EdDSA needs an Ed25519 key, not %s", keyKind(key))}
		}
		return ed25519.Sign(k, signed), nil
	}
	ch, digest := jwtDigest(alg, signed)
	switch alg[:2] {
	case "RS", "PS":
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, &KeyError{Key: KeyPrivateKey, Err: fmt.Errorf("alg %s needs an RSA key, not %s", alg, keyKind(key))}
		}
		if alg[0] == 'R' {
			return rsa.SignPKCS1v15(r.Rand, k, ch, digest)
		}
		return rsa.SignPSS(r.Rand, k, ch, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	k, ok := key.(*ecdsa.PrivateKey)
	want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
	if !ok || k.Curve != want {
		return nil, &KeyError{Key: KeyPrivateKey, Err: fmt.Errorf("alg %s needs an ECDSA %s key, not %s", alg, want.Params().Name, keyKind(key))}
	}
	rr, ss, err := ecdsa.Sign(r.Rand, k, digest)
	if err != nil {
		return nil, err
	}
	n := (k.Curve.Params().BitSize + 7) / 8
	sig := make([]byte, 2*n)
	rr.FillBytes(sig[:n])
	ss.FillBytes(sig[n:])
	return sig, nil
}

func keyKind(k crypto.Signer) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return "an RSA key"
	case *ecdsa.PrivateKey:
		return "an ECDSA " + k.Curve.Params().Name + " key"
	case ed25519.PrivateKey:
		return "an Ed25519 key"
	}
	return fmt.Sprintf("a %T", k)
}

// ParsePrivateKey reads the first private key in PEM data: PRIVATE KEY
// (PKCS #8: RSA, ECDSA, Ed25519), RSA PRIVATE KEY (PKCS #1) or EC PRIVATE
// KEY (SEC 1).
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("no PEM private key found")
		}
		switch b.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		default:
			continue
		}
		s, err := parsePrivateBlock(b)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, b.Type, err)
		}
		return s, nil
	}
}
