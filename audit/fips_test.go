package audit

import (
	mrand "math/rand/v2"
	"testing"
)

// TestFIPS140 checks the statistics against the bounds FIPS 140-2 gives
// (monobit 9725 < X < 10275, poker 2.16 < X < 46.17, the runs intervals, no
// run of 26 or more) on streams whose figures are known.
func TestFIPS140(t *testing.T) {
	alt := make([]byte, FIPSBits) // 0101...
	for i := range alt {
		alt[i] = byte(i & 1)
	}
	r := FIPS140(alt)
	if r.Ones != 10000 || r.Poker != 75000 || r.Runs[0][0] != 10000 || r.Runs[1][0] != 10000 || r.LongestRun != 1 {
		t.Errorf("0101...: %+v; want 10000 ones, poker 75000, 10000 runs of 1 of each bit", r)
	}
	if !r.MonobitOK || r.PokerOK || r.RunsOK || !r.LongRunOK {
		t.Errorf("0101...: monobit %v poker %v runs %v long %v; want pass, fail, fail, pass", r.MonobitOK, r.PokerOK, r.RunsOK, r.LongRunOK)
	}
	zeros := make([]byte, FIPSBits)
	if r := FIPS140(zeros); r.MonobitOK || r.LongRunOK || r.LongestRun != FIPSBits {
		t.Errorf("zeros: %+v; want monobit and long runs to fail", r)
	}
	// Monobit's bounds are exclusive: 9725 ones fail, 9726 pass.
	for ones, ok := range map[int]bool{9725: false, 9726: true, 10274: true, 10275: false} {
		s := make([]byte, FIPSBits)
		for i := 0; i < ones; i++ {
			s[i] = 1
		}
		if got := FIPS140(s).MonobitOK; got != ok {
			t.Errorf("%d ones: monobit ok %v, want %v", ones, got, ok)
		}
	}
	// A ChaCha8 stream (a CSPRNG, seeded fixed so the test is
	// deterministic) passes all four.
	cc := mrand.NewChaCha8([32]byte{1, 2, 3})
	b := make([]byte, FIPSBits/8)
	cc.Read(b)
	s := make([]byte, FIPSBits)
	for j := range s {
		s[j] = b[j/8] >> (j % 8) & 1
	}
	if r := FIPS140(s); !r.OK() {
		t.Errorf("ChaCha8 stream fails: %+v", r)
	}
	// A run of 26 fails the long run test; of 25 it passes.
	for n, ok := range map[int]bool{25: true, 26: false} {
		s := append([]byte(nil), alt...)
		for i := 100; i < 100+n; i++ {
			s[i] = 1
		}
		s[99], s[100+n] = 0, 0
		if got := FIPS140(s).LongRunOK; got != ok {
			t.Errorf("a run of %d: long run ok %v, want %v", n, got, ok)
		}
	}
}
