package cookie

import (
	"testing"
)

// TestDetectNewFormats: each of the four formats takes its own real
// vectors and no other format's (the Flask cookie stays Flask's though
// Starlette's shape is close).
func TestDetectNewFormats(t *testing.T) {
	for _, format := range []string{"starlette", "iron", "authjs", "secure-session"} {
		for _, v := range loadDecodeVectors(t, format) {
			if f, _ := Detect(v.input()); f == nil || f.Name() != format {
				t.Errorf("%s/%s: detected as %v", format, v.Desc, f)
			}
		}
	}
	for _, tt := range []struct{ value, want string }{
		{"eyJ1c2VyIjoiYWRtaW4ifQ.ZVPxAA.U1VCv--TmKZfpC9P89KgvH3J8uQ", "flask"},
		{"eyJ1c2VyIjogImFkbWluIn0=.ZVPxAA.bQ7xMtVZfTSCtptWkCH5KKm2EZE", "starlette"},
	} {
		if f, _ := Detect(Input{Name: "session", Value: tt.value}); f == nil || f.Name() != tt.want {
			t.Errorf("%s: detected as %v, want %s", tt.value, f, tt.want)
		}
	}
}

// FuzzDecodeNewFormats: no value makes the four decoders panic.
func FuzzDecodeNewFormats(f *testing.F) {
	for _, format := range []string{"starlette", "iron", "authjs", "secure-session"} {
		for _, v := range loadDecodeVectors(f, format) {
			f.Add(v.Name, v.Value)
		}
	}
	keys := Keys{Secrets: [][]byte{[]byte("complex-password-at-least-32-characters-long")}, EncKeys: [][]byte{[]byte("a-32-byte-secretbox-key-01234567")}}
	f.Fuzz(func(t *testing.T, name, value string) {
		for _, format := range []Format{Starlette{}, Iron{}, AuthJS{}} {
			format.Match(Input{Name: name, Value: value})
			format.Decode(Input{Name: name, Value: value}, keys)
		}
		// The key option only: --secret costs an Argon2id run.
		SecureSession{}.Decode(Input{Name: name, Value: value}, Keys{EncKeys: keys.EncKeys})
	})
}
