package cookie

import (
	"encoding/json"
	"testing"
)

// fuzzFormat checks the invariants every format keeps on any input: no
// panic, a decoded value of its own format with a known verdict that
// marshals to JSON, and an auditor that neither panics.
func fuzzFormat(t *testing.T, f Format, in Input, keys Keys) {
	_ = f.Match(in)
	d, err := f.Decode(in, keys)
	if err != nil {
		if d != nil {
			t.Fatalf("Decode returned both %v and %+v", err, d)
		}
		return
	}
	if d.Format != f.Name() {
		t.Fatalf("format %q from %s", d.Format, f.Name())
	}
	switch d.Signature {
	case Valid, Invalid, Unverified, Unsigned:
	default:
		t.Fatalf("verdict %q", d.Signature)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatalf("Decoded does not marshal: %v", err)
	}
	if a, ok := f.(Auditor); ok {
		if tg, err := a.Prepare(in); err == nil {
			tg.Try([]byte("k"))
			tg.Clone().Try(nil)
		}
	}
}

// seedFuzz adds every vector of format to the corpus as (name, value, sig,
// secret).
func seedFuzz(f *testing.F, format string) {
	for _, v := range loadDecodeVectors(f, format) {
		secret := ""
		if len(v.Secrets) > 0 {
			secret = v.Secrets[0]
		}
		f.Add(v.Name, v.Value, v.Sig, secret)
	}
}

func fuzzInput(name, value, sig, secret string) (Input, Keys) {
	in := Input{Name: name, Value: value, Sig: sig, HasSig: sig != ""}
	var k Keys
	if secret != "" {
		k.Secrets = [][]byte{[]byte(secret)}
		k.EncKeys = [][]byte{[]byte(secret)}
	}
	return in, k
}

func FuzzDecodeExpress(f *testing.F) {
	seedFuzz(f, "express")
	f.Add("", "s:.", "", "")
	f.Add("x", "j:{", "", "")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, Express{}, in, k)
	})
}

func TestExpressRoundTrip(t *testing.T) {
	s, _ := NewExpressSigner([]byte("new"), []byte("old"))
	old, _ := NewExpressSigner([]byte("old"))
	v := old.SessionCookieValue("abc")
	d, err := Express{}.Decode(Input{Name: "connect.sid", Value: v}, Keys{Secrets: [][]byte{[]byte("new"), []byte("old")}})
	if err != nil || d.Signature != Valid || d.SecretIndex != 1 || d.Payload != "abc" {
		t.Fatalf("got %+v, %v", d, err)
	}
	if got := s.SessionCookieValue("abc"); got == v {
		t.Fatal("rotation signs with the first secret")
	}
	if m := (Express{}).Match(Input{Value: "s:abc.short"}); m >= 90 {
		t.Errorf("Match of a short signature = %d", m)
	}
}
