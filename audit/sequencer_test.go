package audit

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	mrand "math/rand"
	"strconv"
	"testing"
	"time"
)

// tokenSets are known-good and known-bad token streams and what Analyze
// must call them.
func tokenSets(n int) map[string]struct {
	tokens           []string
	verdict          string
	minBits, maxBits float64
} {
	type set = struct {
		tokens           []string
		verdict          string
		minBits, maxBits float64
	}
	gen := func(f func(i int) string) []string {
		ts := make([]string, n)
		for i := range ts {
			ts[i] = f(i)
		}
		return ts
	}
	start := time.Now().UnixNano()
	// A math/rand stream seeded by the clock at each id, as
	// rand.Seed(time.Now().UnixMilli()) in a handler: ids made in the same
	// millisecond are the same.
	clockSeeded := gen(func(i int) string {
		ms := start/1e6 + int64(i/20) // 20 ids a millisecond: 20 000 ids a second
		return strconv.FormatInt(mrand.New(mrand.NewSource(ms)).Int63(), 36)
	})
	return map[string]set{
		"crypto/rand 24 bytes base64url": {gen(func(int) string {
			var b [24]byte
			rand.Read(b[:])
			return base64.RawURLEncoding.EncodeToString(b[:])
		}), VerdictGood, 170, 193},
		"sid below 10000": {gen(func(int) string { return strconv.Itoa(mrand.Intn(10000)) }), VerdictGuessable, 12, 14.5},
		"sequential":      {gen(func(i int) string { return strconv.Itoa(1000 + i) }), VerdictPredictable, 0, 3},
		"time-based hex ns": {gen(func(i int) string {
			return strconv.FormatInt(start+int64(i)*int64(20*time.Microsecond)+mrand.Int63n(1000), 16)
		}), VerdictPredictable, 0, 20},
		"16-bit random inside a long token": {gen(func(int) string {
			var b [2]byte
			rand.Read(b[:])
			return "5f3c9a1e7d2b4c6f8a0e1d3c5b7a9" + hex.EncodeToString(b[:]) + "0c2e4a6b8d"
		}), VerdictGuessable, 14, 16.5},
		"math/rand seeded by the clock": {clockSeeded, VerdictGuessable, 0, 12},
	}
}

func TestAnalyzeClassifies(t *testing.T) {
	for name, s := range tokenSets(DefaultSamples) {
		t.Run(name, func(t *testing.T) {
			ta := Analyze(s.tokens)
			if ta.Verdict != s.verdict || ta.EffectiveBits < s.minBits || ta.EffectiveBits > s.maxBits {
				t.Errorf("verdict %s, %.1f bits; want %s, %.1f-%.1f bits (char %.1f, collision %v, dups %d)",
					ta.Verdict, ta.EffectiveBits, s.verdict, s.minBits, s.maxBits, ta.CharBits, ptr(ta.CollisionBits), ta.Duplicates)
			}
		})
	}
}

func ptr(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *p)
}
