package cookie

import "testing"

func FuzzDecodeOpaque(f *testing.F) {
	seedFuzz(f, "opaque")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, Opaque{}, in, k)
	})
}

// FuzzDetect runs every format's Match and the detected format's Decode on
// any input, and ParseInput on any line.
func FuzzDetect(f *testing.F) {
	for _, format := range decodeVectorFormats {
		seedFuzz(f, format)
	}
	f.Add("", "Cookie: a=1; a.sig=2; b=\"3\"", "", "")
	f.Add("", "Set-Cookie: x=s%3Aa.b; Path=/", "", "")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		if fm, _ := Detect(in); fm != nil {
			fuzzFormat(t, fm, in, k)
		} else if _, err := Decode(in, k, ""); err == nil {
			t.Fatal("Decode succeeded where Detect found nothing")
		}
		for _, a := range []string{value, name + "=" + value} {
			for _, in := range ParseInput(a) {
				Detect(in)
			}
		}
		_ = Describe(value)
	})
}

// koa-session with an external store keeps a randomUUID() key in the
// cookie, signed like any koa cookie.
func TestOpaqueSignedStoreKey(t *testing.T) {
	const id = "6f1c2b7e-3d4a-4b8e-9c2d-1a2b3c4d5e6f"
	kg, _ := NewKeygrip("", []byte("koa-key"))
	in := Input{Name: "koa.sess", Value: id, Sig: kg.Sign("koa.sess=" + id), HasSig: true}
	d, err := Decode(in, Keys{Secrets: [][]byte{[]byte("koa-key")}}, "")
	if err != nil || d.Format != "opaque" || d.Signature != Valid || d.Payload != id {
		t.Fatalf("%+v %v", d, err)
	}
	d, _ = Decode(in, Keys{Secrets: [][]byte{[]byte("other")}}, "")
	if d.Signature != Invalid {
		t.Errorf("wrong key: %s", d.Signature)
	}
}

// TestJSESSIONIDEntropyWithoutRoute: the jvmRoute suffix is not counted.
func TestJSESSIONIDEntropyWithoutRoute(t *testing.T) {
	for _, v := range []string{"0123456789ABCDEF0123456789ABCDEF.node1", "0123456789ABCDEF0123456789ABCDEF"} {
		d, err := Opaque{}.Decode(Input{Name: "JSESSIONID", Value: v}, Keys{})
		if err != nil {
			t.Fatal(err)
		}
		if got := fieldValue(d.Fields, "entropy_bits"); got != "at most 128 (32 chars x 4 bits)" {
			t.Errorf("%s: entropy %q", v, got)
		}
	}
}
