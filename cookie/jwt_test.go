package cookie

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
)

func FuzzDecodeJWT(f *testing.F) {
	seedFuzz(f, "jwt")
	f.Add("", "eyJhbGciOiJub25lIn0.e30.", "", "")
	f.Add("", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA", "", "")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, JWT{}, in, k)
	})
}

// RFC 7515 A.1 and jwt.io's default token (formats.md 1.6).
func TestJWTPublishedVectors(t *testing.T) {
	k, _ := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	tests := []struct{ token, secret string }{
		{"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", string(k)},
		{"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "your-256-bit-secret"},
	}
	for _, tt := range tests {
		d, err := Decode(Input{Value: tt.token}, Keys{Secrets: [][]byte{[]byte(tt.secret)}}, "")
		if err != nil || d.Format != "jwt" || d.Signature != Valid {
			t.Errorf("%.20s...: %+v %v", tt.token, d, err)
		}
	}
	// An empty signature never verifies (CVE-2020-28042).
	d, _ := Decode(Input{Value: "eyJhbGciOiJIUzI1NiJ9.e30."}, Keys{Secrets: [][]byte{[]byte("x")}}, "")
	if d.Signature != Invalid {
		t.Errorf("empty HS256 signature: %s", d.Signature)
	}
}

// EdDSA is not in jsonwebtoken 9: sign with Go's ed25519 and verify through
// a PEM the way --key gives it.
func TestJWTEdDSA(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	der, _ := x509.MarshalPKIXPublicKey(pub)
	keys, err := ParsePublicKeys(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	signed := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"x"}`))
	token := signed + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(signed)))
	d, err := Decode(Input{Value: token}, Keys{PublicKeys: keys}, "")
	if err != nil || d.Signature != Valid || d.SecretIndex != 0 {
		t.Fatalf("%+v %v", d, err)
	}
	// A secret alone never verifies an asymmetric token.
	d, _ = Decode(Input{Value: token}, Keys{Secrets: [][]byte{der}}, "")
	if d.Signature != Unverified {
		t.Errorf("secret only: %s", d.Signature)
	}
	if _, err := ParsePublicKeys([]byte("not pem")); err == nil {
		t.Error("ParsePublicKeys accepted garbage")
	}
}

// Both PEM readers take the three private key blocks the same way, and a
// PKCS #8 key that cannot sign (X25519) is an error naming the block, not a
// panic.
func TestParsePrivateKeyBlocks(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edk, _ := ed25519.GenerateKey(nil)
	pkcs8 := func(k any) []byte { der, _ := x509.MarshalPKCS8PrivateKey(k); return der }
	sec1, _ := x509.MarshalECPrivateKey(ek)
	block := func(typ string, der []byte) []byte {
		// A leading block of another type is skipped by ParsePrivateKey.
		lead := pem.EncodeToMemory(&pem.Block{Type: "PARAMETERS", Bytes: []byte{0}})
		return append(lead, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
	}
	for _, tt := range []struct {
		name string
		pem  []byte
	}{
		{"pkcs8 rsa", block("PRIVATE KEY", pkcs8(rk))},
		{"pkcs8 ecdsa", block("PRIVATE KEY", pkcs8(ek))},
		{"pkcs8 ed25519", block("PRIVATE KEY", pkcs8(edk))},
		{"pkcs1", block("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))},
		{"sec1", block("EC PRIVATE KEY", sec1)},
	} {
		s, err := ParsePrivateKey(tt.pem)
		if err != nil {
			t.Errorf("%s: ParsePrivateKey: %v", tt.name, err)
			continue
		}
		// ParsePublicKeys rejects the PARAMETERS block: give it the key alone.
		_, rest := pem.Decode(tt.pem)
		keys, err := ParsePublicKeys(rest)
		if err != nil || len(keys) != 1 {
			t.Errorf("%s: ParsePublicKeys: %v %v", tt.name, keys, err)
			continue
		}
		if eq, ok := keys[0].(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(s.Public()) {
			t.Errorf("%s: public half %T is not the signer's", tt.name, keys[0])
		}
	}
	xk, _ := ecdh.X25519().GenerateKey(rand.Reader)
	x := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8(xk)})
	if _, err := ParsePrivateKey(x); err == nil || !strings.Contains(err.Error(), "PEM block 1 (PRIVATE KEY)") {
		t.Errorf("ParsePrivateKey(X25519): %v", err)
	}
	if _, err := ParsePublicKeys(x); err == nil || !strings.Contains(err.Error(), "cannot sign") {
		t.Errorf("ParsePublicKeys(X25519): %v", err)
	}
}
