package cookie

import (
	"encoding/base64"
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
