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
// any input, and ParseInputs on any line.
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
		for _, in := range ParseInputs([]string{value, name + "=" + value}) {
			Detect(in)
		}
		_ = Describe(value)
	})
}
