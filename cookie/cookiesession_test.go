package cookie

import "testing"

func FuzzDecodeCookieSession(f *testing.F) {
	seedFuzz(f, "cookie-session")
	f.Add("session", "e30=", "vdp2-kj-91tgzbWcV1QzofT3hu0", "a")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, CookieSession{}, in, k)
	})
}

func FuzzDecodeKoa(f *testing.F) {
	seedFuzz(f, "koa-session")
	f.Add("koa.sess", "eyJfZXhwaXJlIjoxZTMwMH0=", "x", "")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, Koa{}, in, k)
	})
}

// The vectors of cookie-session's own tests (formats.md 1.3).
func TestCookieSessionLibraryVectors(t *testing.T) {
	keys := Keys{Secrets: [][]byte{[]byte("a"), []byte("b")}}
	for _, tt := range []struct {
		sig   string
		index int
	}{{"vdp2-kj-91tgzbWcV1QzofT3hu0", 0}, {"SiRRAEncekXEzVdvey_7SkWaMM4", 1}} {
		d, err := Decode(Input{Name: "session", Value: "eyJtZXNzYWdlIjoiaGkifQ==", Sig: tt.sig, HasSig: true}, keys, "")
		if err != nil || d.Format != "cookie-session" || d.Signature != Valid || d.SecretIndex != tt.index {
			t.Errorf("sig %s: %+v %v", tt.sig, d, err)
		}
	}
	d, _ := Decode(Input{Value: "eyJtZXNzYWdlIjoiaGkifQ==", Sig: "vdp2-kj-91tgzbWcV1QzofT3hu0", HasSig: true}, keys, "")
	if d.Signature != Unverified || !hasWarning(d, "needs name") {
		t.Errorf("without a name: %+v", d)
	}
}

// TestCookieSessionBareValueNeedsName: a bare value cannot carry its .sig
// companion: unverified with the needs name warning, as the README says,
// not "unsigned".
func TestCookieSessionBareValueNeedsName(t *testing.T) {
	d, err := CookieSession{}.Decode(Input{Value: "eyJtZXNzYWdlIjoiaGkifQ=="}, Keys{Secrets: [][]byte{[]byte("k")}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Signature != Unverified || !hasWarning(d, "needs name:") || hasWarning(d, "unsigned:") {
		t.Errorf("bare value: %s %q", d.Signature, d.Warnings)
	}
	d, _ = CookieSession{}.Decode(Input{Name: "session", Value: "eyJtZXNzYWdlIjoiaGkifQ=="}, Keys{Secrets: [][]byte{[]byte("k")}})
	if d.Signature != Unsigned || !hasWarning(d, "unsigned:") {
		t.Errorf("named value without .sig: %s %q", d.Signature, d.Warnings)
	}
}
