package cookie

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
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
