package cookie

import (
	"encoding/hex"
	"testing"
)

// Vectors from cookie-signature's and express-session's own tests
// (shared/reference/formats.md §1.1).
func TestExpressSign(t *testing.T) {
	bin, _ := hex.DecodeString("A0ABBC0C")
	tests := []struct {
		secret []byte
		value  string
		want   string
	}{
		{[]byte("tobiiscool"), "hello", "hello.DGDUkGlIkCzPz+C0B064FNgHdEjox7ch8tOBGslZ5QI"},
		{bin, "hello", "hello.hIvljrKw5oOZtHHSq5u+MlL27cgnPKX77y7F+x5r1to"},
	}
	for _, tt := range tests {
		s, err := NewExpressSigner(tt.secret)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Sign(tt.value); got != tt.want {
			t.Errorf("Sign(%q) = %q, want %q", tt.value, got, tt.want)
		}
		if v, i, ok := s.Unsign(tt.want); !ok || v != tt.value || i != 0 {
			t.Errorf("Unsign(%q) = %q, %d, %v", tt.want, v, i, ok)
		}
		if _, _, ok := s.Unsign(tt.want + "x"); ok {
			t.Errorf("Unsign accepted trailing garbage")
		}
	}
}

func TestExpressSessionCookie(t *testing.T) {
	s, _ := NewExpressSigner([]byte("keyboard cat"))
	tests := []struct{ id, cookie string }{
		{"apple", "s%3Aapple.D8Y%2BpkTAmeR0PobOhY4G97PRW%2Bj7bUnP%2F5m6%2FOn1MCU"},
		{"%", "s%3A%25.kzQ6x52kKVdF35Qh62AWk4ZekS28K5XYCXKa%2FOTZ01g"},
		{"/foo", "s%3A%2Ffoo.paEKBtAHbV5s1IB8B2zPnzAgYmmnRPIqObW4VRYj%2FMQ"},
	}
	for _, tt := range tests {
		if got := s.SessionCookieValue(tt.id); got != tt.cookie {
			t.Errorf("SessionCookieValue(%q) = %q, want %q", tt.id, got, tt.cookie)
		}
		if id, ok := s.ParseSessionCookie(tt.cookie); !ok || id != tt.id {
			t.Errorf("ParseSessionCookie(%q) = %q, %v", tt.cookie, id, ok)
		}
		raw := DecodeCookieValue(tt.cookie)
		if id, ok := s.ParseSessionCookie(raw); !ok || id != tt.id {
			t.Errorf("ParseSessionCookie(raw %q) = %q, %v", raw, id, ok)
		}
	}
}

func TestExpressRotation(t *testing.T) {
	old, _ := NewExpressSigner([]byte("old"))
	both, _ := NewExpressSigner([]byte("new"), []byte("old"))
	v := old.Sign("abc")
	if id, i, ok := both.Unsign(v); !ok || id != "abc" || i != 1 {
		t.Fatalf("rotation: got %q %d %v", id, i, ok)
	}
	if _, _, ok := old.Unsign(both.Sign("abc")); ok {
		t.Fatal("old-only signer accepted a value signed with the new secret")
	}
	for _, bad := range []string{"", "s:", "abc", "abc.", "s:abc.xyz", "%zz"} {
		if _, ok := both.ParseSessionCookie(bad); ok {
			t.Errorf("ParseSessionCookie(%q) ok", bad)
		}
	}
}
