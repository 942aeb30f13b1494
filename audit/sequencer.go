package audit

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Significance levels the effective entropy is given at, as Burp
// Sequencer's: 0.001% to 10%. The verdict is judged at HeadlineLevel.
var Significance = []float64{0.00001, 0.0001, 0.001, 0.01, 0.05, 0.1}

// HeadlineLevel is the significance level of the verdict: 1%.
const HeadlineLevel = 0.01

// Token verdicts.
const (
	VerdictGood        = "good"        // 64 bits or more
	VerdictWeak        = "weak"        // under the 64 bits OWASP asks for
	VerdictGuessable   = "guessable"   // under 20 bits: a few requests find a live id
	VerdictPredictable = "predictable" // the ids increase: a counter or a clock
)

// TokenAnalysis is what Analyze found in a token sample.
type TokenAnalysis struct {
	// Source says which token: "cookie connect.sid (the session id)",
	// "body sid", "header X-Token".
	Source      string  `json:"source"`
	Samples     int     `json:"samples"`
	DurationS   float64 `json:"duration_s"`
	MinLength   int     `json:"min_length"`
	MaxLength   int     `json:"max_length"`
	Charset     string  `json:"charset"`
	CharsetSize int     `json:"charset_size"`
	Distinct    int     `json:"distinct"`
	Duplicates  int     `json:"duplicates"`
	// Positions is the per-position character analysis.
	Positions []Position `json:"positions"`
	// CharBits is the sum of log2(characters) over the positions that pass
	// both the count and the transition test at HeadlineLevel.
	CharBits float64 `json:"char_bits"`
	// CollisionBits, when there are duplicates, is log2 of the number of
	// values the duplicates say the ids are drawn from.
	CollisionBits *float64 `json:"collision_bits,omitempty"`
	// Trend is the rank correlation (Spearman) of numeric tokens with the
	// order they were made: about 0 for random ones, near 1 for a counter
	// or a clock, whatever the reordering of concurrent requests; nil for
	// tokens that are not numbers. StepBits is log2 of the median step
	// between successive ones.
	Trend    *float64 `json:"trend,omitempty"`
	StepBits *float64 `json:"step_bits,omitempty"`
	// FIPS is the bit-level analysis: the FIPS 140-2 tests on each bit
	// position across the first 20 000 tokens; nil with fewer.
	FIPS *FIPSSummary `json:"fips,omitempty"`
	// Entropy is the effective entropy at each significance level.
	Entropy []EntropyLevel `json:"effective_entropy"`
	// EffectiveBits is the effective entropy at HeadlineLevel.
	EffectiveBits float64 `json:"effective_bits"`
	Verdict       string  `json:"verdict"`
}

// Position is one character position's analysis.
type Position struct {
	Index int `json:"index"`
	// Chars is the number of distinct characters seen there; Present the
	// share of tokens long enough to have the position.
	Chars   int     `json:"chars"`
	Present float64 `json:"present"`
	// CountP and TransitionP are the p-values of the chi-square tests of the
	// characters' counts and of the steps between successive tokens.
	CountP      float64 `json:"count_p"`
	TransitionP float64 `json:"transition_p"`
}

// EntropyLevel is the effective entropy at one significance level.
type EntropyLevel struct {
	SignificancePct float64 `json:"significance_pct"`
	Bits            float64 `json:"bits"`
}

// FIPSSummary counts the bit positions that pass each FIPS 140-2 test.
type FIPSSummary struct {
	Bits     int `json:"bits"`
	Monobit  int `json:"monobit_pass"`
	Poker    int `json:"poker_pass"`
	Runs     int `json:"runs_pass"`
	LongRuns int `json:"long_runs_pass"`
	All      int `json:"all_pass"`
}

// FIPSBits is the length of the stream the FIPS 140-2 tests are defined on.
const FIPSBits = 20000

// FIPSResult is the outcome of the FIPS 140-2 (§4.9.1, change notice 1)
// statistical tests on 20 000 bits.
type FIPSResult struct {
	Ones       int       `json:"ones"`
	Poker      float64   `json:"poker"`
	Runs       [2][6]int `json:"runs"` // [bit][length 1..6+]
	LongestRun int       `json:"longest_run"`
	MonobitOK  bool      `json:"monobit_ok"`
	PokerOK    bool      `json:"poker_ok"`
	RunsOK     bool      `json:"runs_ok"`
	LongRunOK  bool      `json:"long_run_ok"`
}

// OK tells whether all four tests pass.
func (r FIPSResult) OK() bool { return r.MonobitOK && r.PokerOK && r.RunsOK && r.LongRunOK }

// The FIPS 140-2 bounds (change notice 1, 2001): the monobit count, the
// poker statistic, the intervals of runs of length 1 to 6+ and the long
// run.
var (
	monobitLow, monobitHigh = 9725, 10275
	pokerLow, pokerHigh     = 2.16, 46.17
	runBounds               = [6][2]int{{2315, 2685}, {1114, 1386}, {527, 723}, {240, 384}, {103, 209}, {103, 209}}
	longRun                 = 26
)

// FIPS140 runs the FIPS 140-2 monobit, poker, runs and long runs tests on
// the first FIPSBits of bits (each 0 or 1); it panics with fewer.
func FIPS140(bits []byte) FIPSResult {
	bits = bits[:FIPSBits]
	var r FIPSResult
	for _, b := range bits {
		r.Ones += int(b)
	}
	var f [16]int
	for i := 0; i+4 <= len(bits); i += 4 {
		f[bits[i]<<3|bits[i+1]<<2|bits[i+2]<<1|bits[i+3]]++
	}
	sum := 0.0
	for _, n := range f {
		sum += float64(n * n)
	}
	r.Poker = 16.0/5000.0*sum - 5000
	run := 1
	for i := 1; i <= len(bits); i++ {
		if i < len(bits) && bits[i] == bits[i-1] {
			run++
			continue
		}
		r.Runs[bits[i-1]][min(run, 6)-1]++
		r.LongestRun = max(r.LongestRun, run)
		run = 1
	}
	r.MonobitOK = r.Ones > monobitLow && r.Ones < monobitHigh
	r.PokerOK = r.Poker > pokerLow && r.Poker < pokerHigh
	r.RunsOK = true
	for b := 0; b < 2; b++ {
		for l := 0; l < 6; l++ {
			if n := r.Runs[b][l]; n < runBounds[l][0] || n > runBounds[l][1] {
				r.RunsOK = false
			}
		}
	}
	r.LongRunOK = r.LongestRun < longRun
	return r
}

// Analyze analyses tokens, in the order they were made.
func Analyze(tokens []string) *TokenAnalysis {
	ta := &TokenAnalysis{Samples: len(tokens), Positions: []Position{}, Entropy: []EntropyLevel{}}
	if len(tokens) == 0 {
		return ta
	}
	ta.MinLength = math.MaxInt
	seen := make(map[string]struct{}, len(tokens))
	all := map[byte]bool{}
	for _, t := range tokens {
		ta.MinLength = min(ta.MinLength, len(t))
		ta.MaxLength = max(ta.MaxLength, len(t))
		seen[t] = struct{}{}
		for i := 0; i < len(t); i++ {
			all[t[i]] = true
		}
	}
	ta.Distinct = len(seen)
	ta.Duplicates = len(tokens) - len(seen)
	ta.Charset, ta.CharsetSize = describeCharset(all)

	// Per position: the characters seen, sorted, and each token's index.
	type pos struct {
		chars []byte
		idx   [256]int
		n     int
	}
	bitStreams := [][]byte{}
	passAt := make([]float64, len(Significance))
	for p := 0; p < ta.MaxLength; p++ {
		var ps pos
		set := map[byte]bool{}
		for _, t := range tokens {
			if p < len(t) {
				set[t[p]] = true
				ps.n++
			}
		}
		for c := range set {
			ps.chars = append(ps.chars, c)
		}
		sort.Slice(ps.chars, func(i, j int) bool { return ps.chars[i] < ps.chars[j] })
		for i, c := range ps.chars {
			ps.idx[c] = i
		}
		k := len(ps.chars)
		position := Position{Index: p, Chars: k, Present: float64(ps.n) / float64(len(tokens))}
		if k > 1 {
			counts := make([]float64, k)
			steps := make([]float64, k)
			prev := -1
			for _, t := range tokens {
				if p >= len(t) {
					continue
				}
				i := ps.idx[t[p]]
				counts[i]++
				if prev >= 0 {
					steps[((i-prev)%k+k)%k]++
				}
				prev = i
			}
			position.CountP = uniformP(counts)
			position.TransitionP = uniformP(steps)
			bits := math.Log2(float64(k)) * position.Present
			for li, a := range Significance {
				if position.CountP >= a && position.TransitionP >= a {
					passAt[li] += bits
				}
			}
			if ps.n == len(tokens) && len(tokens) >= FIPSBits {
				nb := bitsFor(k)
				for b := nb - 1; b >= 0; b-- {
					s := make([]byte, FIPSBits)
					for j := 0; j < FIPSBits; j++ {
						s[j] = byte(ps.idx[tokens[j][p]]>>b) & 1
					}
					bitStreams = append(bitStreams, s)
				}
			}
		}
		ta.Positions = append(ta.Positions, position)
	}
	if len(tokens) >= FIPSBits {
		fs := &FIPSSummary{Bits: len(bitStreams)}
		for _, s := range bitStreams {
			r := FIPS140(s)
			fs.Monobit += b2i(r.MonobitOK)
			fs.Poker += b2i(r.PokerOK)
			fs.Runs += b2i(r.RunsOK)
			fs.LongRuns += b2i(r.LongRunOK)
			fs.All += b2i(r.OK())
		}
		ta.FIPS = fs
	}

	limit := math.Inf(1)
	if ta.Duplicates > 0 {
		b := math.Log2(collisionSpace(len(tokens), ta.Distinct))
		ta.CollisionBits = &b
		limit = b
	}
	predictable := false
	if trend, step, ok := numericTrend(tokens); ok {
		ta.Trend, ta.StepBits = &trend, &step
		if math.Abs(trend) > 0.5 {
			predictable = true
			limit = min(limit, step)
		}
	}
	for li, a := range Significance {
		// Duplicates measure the space the ids come from directly (a
		// variable-length number fools the per-position tests); without
		// them the character analysis is all there is.
		b := passAt[li]
		if ta.CollisionBits != nil {
			b = *ta.CollisionBits
		}
		b = round1(min(b, limit))
		ta.Entropy = append(ta.Entropy, EntropyLevel{SignificancePct: a * 100, Bits: b})
		if a == HeadlineLevel {
			ta.EffectiveBits = b
			ta.CharBits = round1(passAt[li])
		}
	}
	switch {
	case predictable:
		ta.Verdict = VerdictPredictable
	case ta.EffectiveBits < 20:
		ta.Verdict = VerdictGuessable
	case ta.EffectiveBits < 64:
		ta.Verdict = VerdictWeak
	default:
		ta.Verdict = VerdictGood
	}
	return ta
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// bitsFor is the bits an index below k takes.
func bitsFor(k int) int {
	n := 0
	for 1<<n < k {
		n++
	}
	return n
}

// uniformP is the p-value of a chi-square test that counts are uniform.
func uniformP(counts []float64) float64 {
	total := 0.0
	for _, c := range counts {
		total += c
	}
	if total == 0 || len(counts) < 2 {
		return 0
	}
	exp := total / float64(len(counts))
	chi := 0.0
	for _, c := range counts {
		chi += (c - exp) * (c - exp) / exp
	}
	return chiSquareQ(float64(len(counts)-1), chi)
}

// chiSquareQ is the upper tail of the chi-square distribution with df
// degrees of freedom at x: the regularized gamma Q(df/2, x/2).
func chiSquareQ(df, x float64) float64 {
	if x <= 0 {
		return 1
	}
	a, x := df/2, x/2
	lg, _ := math.Lgamma(a)
	if x < a+1 { // series for P
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term < sum*1e-15 {
				break
			}
		}
		return 1 - sum*math.Exp(-x+a*math.Log(x)-lg)
	}
	// Continued fraction for Q (Lentz).
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 1000; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return math.Exp(-x+a*math.Log(x)-lg) * h
}

// collisionSpace is the number of equally likely values n draws giving
// distinct different ones come from: K with K(1-exp(-n/K)) = distinct.
func collisionSpace(n, distinct int) float64 {
	if distinct >= n {
		return math.Inf(1)
	}
	lo, hi := float64(distinct), float64(distinct)
	for hi*(1-math.Exp(-float64(n)/hi)) < float64(distinct) {
		hi *= 2
	}
	for i := 0; i < 200; i++ {
		mid := (lo + hi) / 2
		if mid*(1-math.Exp(-float64(n)/mid)) < float64(distinct) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// numericTrend reads tokens as decimal or hex numbers (ok false when they
// are not, or are longer than 16 digits) and returns their rank
// correlation with their order and log2 of the median step between them.
func numericTrend(tokens []string) (trend, stepBits float64, ok bool) {
	if len(tokens) < 3 {
		return 0, 0, false
	}
	base := 10
	for _, t := range tokens {
		if len(t) == 0 || len(t) > 16 {
			return 0, 0, false
		}
		for i := 0; i < len(t); i++ {
			c := t[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
				base = 16
			default:
				return 0, 0, false
			}
		}
	}
	vals := make([]uint64, len(tokens))
	for i, t := range tokens {
		v, err := strconv.ParseUint(t, base, 64)
		if err != nil {
			return 0, 0, false
		}
		vals[i] = v
	}
	steps := make([]float64, 0, len(vals)-1)
	for i := 1; i < len(vals); i++ {
		d := vals[i] - vals[i-1]
		if vals[i] < vals[i-1] {
			d = vals[i-1] - vals[i]
		}
		steps = append(steps, float64(d))
	}
	sort.Float64s(steps)
	med := steps[len(steps)/2]
	return round2(spearman(vals)), round1(math.Log2(med + 1)), true
}

// spearman is the rank correlation of vals with their index (ties ranked
// by index).
func spearman(vals []uint64) float64 {
	n := len(vals)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return vals[order[i]] < vals[order[j]] })
	var sum float64
	for rank, i := range order {
		d := float64(rank - i)
		sum += d * d
	}
	fn := float64(n)
	return 1 - 6*sum/(fn*(fn*fn-1))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// describeCharset names the set of characters tokens use.
func describeCharset(set map[byte]bool) (string, int) {
	in := func(s string) bool {
		for c := range set {
			found := false
			for i := 0; i < len(s); i++ {
				if s[i] == c {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	const digits = "0123456789"
	switch {
	case in(digits):
		return "decimal", len(set)
	case in(digits + "abcdef"):
		return "hex", len(set)
	case in(digits + "ABCDEF"):
		return "HEX", len(set)
	case in(digits + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"):
		return "alphanumeric", len(set)
	case in(digits + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"):
		return "base64url", len(set)
	case in(digits + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/="):
		return "base64", len(set)
	}
	return fmt.Sprintf("%d characters", len(set)), len(set)
}
