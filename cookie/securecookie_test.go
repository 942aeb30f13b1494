package cookie

import "testing"

func FuzzDecodeSecurecookie(f *testing.F) {
	seedFuzz(f, "securecookie")
	f.Add("session", "MTcwMDAwMDAwMHxEdi1CQkFFQ180SUFBUkFCRUFBQUlfLUNBQUVHYzNSeWFXNW5EQVlBQkhWelpYSUdjM1J5YVc1bkRBY0FCV0ZzYVdObHxqtb0u11-tnDC1w1Ds2BnBsPjmH0s6SPRGAFOkyOupbw==", "", "k")
	f.Fuzz(func(t *testing.T, name, value, sig, secret string) {
		in, k := fuzzInput(name, value, sig, secret)
		fuzzFormat(t, SecureCookie{}, in, k)
	})
}

func FuzzGobPayload(f *testing.F) {
	f.Add([]byte("\x0e\xff\x81\x04\x01\x02\xff\x82\x00\x01\x10\x01\x10\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		gobPayload(b)
	})
}
