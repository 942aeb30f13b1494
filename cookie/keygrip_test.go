package cookie

import "testing"

// Vectors from keygrip's and cookie-session's tests (formats.md §1.3).
func TestKeygrip(t *testing.T) {
	const data = "Keyboard Cat has a hat."
	tests := []struct {
		alg  string
		keys []string
		hex  bool
		want string
	}{
		{"", []string{"SEKRIT1"}, false, "34Sr3OIsheUYWKL5_w--zJsdSNk"},
		{"sha1", []string{"SEKRIT2", "SEKRIT1"}, false, "_jl9qXYgk5AgBiKFOPYK073FMEQ"},
		{"sha256", []string{"SEKRIT1"}, false, "pu97aPRZRLKi3-eANtIlTG_CwSc39mAcIZ1c6FxsGCk"},
		{"sha1", []string{"SEKRIT1"}, true, "df84abdce22c85e51858a2f9ff0fbecc9b1d48d9"},
	}
	for _, tt := range tests {
		var keys [][]byte
		for _, k := range tt.keys {
			keys = append(keys, []byte(k))
		}
		k, err := NewKeygrip(tt.alg, keys...)
		if err != nil {
			t.Fatal(err)
		}
		if tt.hex {
			k = k.WithHex()
		}
		if got := k.Sign(data); got != tt.want {
			t.Errorf("%s %v: Sign = %q, want %q", tt.alg, tt.keys, got, tt.want)
		}
	}
	k, _ := NewKeygrip("", []byte("SEKRIT2"), []byte("SEKRIT1"))
	if i := k.Index(data, "34Sr3OIsheUYWKL5_w--zJsdSNk"); i != 1 {
		t.Errorf("Index with the second key = %d, want 1", i)
	}
	cs, _ := NewKeygrip("", []byte("a"), []byte("b"))
	if got := cs.Sign(`session=eyJtZXNzYWdlIjoiaGkifQ==`); got != "vdp2-kj-91tgzbWcV1QzofT3hu0" {
		t.Errorf("cookie-session sig = %q", got)
	}
	if i := cs.Index(`session=eyJtZXNzYWdlIjoiaGkifQ==`, "SiRRAEncekXEzVdvey_7SkWaMM4"); i != 1 {
		t.Errorf("cookie-session secondary key index = %d", i)
	}
}
