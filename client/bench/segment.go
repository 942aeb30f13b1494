package bench

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Segment is the share of a test that one agent runs: the part [From, To)
// of the interval [0, 1), with From and To fractions of Den. N agents whose
// segments tile [0, 1) run together the test one agent would: each takes
// its share of the connections, sessions, requests and rate (Share). The
// zero Segment is the whole test.
type Segment struct {
	From, To, Den int64
}

// maxSegmentDen bounds a segment's denominator, so that shares of any
// realistic count stay within an int64.
const maxSegmentDen = 1 << 20

// ParseSegment reads "I/N" (the I-th of N equal segments, I from 0) or k6's
// "FROM:TO" form, each end a fraction ("1/3") or 0 or 1 ("0:1/3",
// "1/3:2/3").
func ParseSegment(s string) (Segment, error) {
	if from, to, ok := strings.Cut(s, ":"); ok {
		fn, fd, err := parseFraction(from)
		if err != nil {
			return Segment{}, fmt.Errorf("segment %q: %w", s, err)
		}
		tn, td, err := parseFraction(to)
		if err != nil {
			return Segment{}, fmt.Errorf("segment %q: %w", s, err)
		}
		den := lcm(fd, td)
		if den > maxSegmentDen {
			return Segment{}, fmt.Errorf("segment %q: denominators too large", s)
		}
		g := Segment{From: fn * (den / fd), To: tn * (den / td), Den: den}
		if err := g.validate(); err != nil {
			return Segment{}, fmt.Errorf("segment %q: %w", s, err)
		}
		return g, nil
	}
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: want I/N (0/3) or FROM:TO (0:1/3)", s)
	}
	iv, err1 := strconv.ParseInt(i, 10, 64)
	nv, err2 := strconv.ParseInt(n, 10, 64)
	switch {
	case err1 != nil || err2 != nil:
		return Segment{}, fmt.Errorf("segment %q: want I/N with whole numbers (0/3)", s)
	case nv < 1 || nv > maxSegmentDen:
		return Segment{}, fmt.Errorf("segment %q: N must be from 1 to %d", s, maxSegmentDen)
	case iv < 0 || iv >= nv:
		return Segment{}, fmt.Errorf("segment %q: I must be from 0 to N-1 (%d)", s, nv-1)
	}
	return Segment{From: iv, To: iv + 1, Den: nv}, nil
}

func parseFraction(s string) (num, den int64, err error) {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		d = "1"
	}
	num, err1 := strconv.ParseInt(n, 10, 64)
	den, err2 := strconv.ParseInt(d, 10, 64)
	if err1 != nil || err2 != nil || den < 1 || den > maxSegmentDen || num < 0 {
		return 0, 0, fmt.Errorf("%q is not a fraction from 0 to 1 (1/3)", s)
	}
	return num, den, nil
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

// Whole reports whether g is the whole test (the zero Segment included).
func (g Segment) Whole() bool { return g.Den == 0 || (g.From == 0 && g.To == g.Den) }

func (g Segment) validate() error {
	switch {
	case g.Den == 0 && g.From == 0 && g.To == 0:
		return nil
	case g.Den < 1 || g.Den > maxSegmentDen:
		return fmt.Errorf("denominator must be from 1 to %d, not %d", maxSegmentDen, g.Den)
	case g.From < 0 || g.To > g.Den || g.From >= g.To:
		return errors.New("want 0 <= FROM < TO <= 1")
	}
	return nil
}

// Share is this segment's part of total: the whole numbers in
// [total*From, total*To), so that the shares of segments that tile [0, 1)
// add up to total exactly.
func (g Segment) Share(total int64) int64 {
	if g.Whole() {
		return total
	}
	return total*g.To/g.Den - total*g.From/g.Den
}

// Fraction is the segment's width, for a rate.
func (g Segment) Fraction() float64 {
	if g.Whole() {
		return 1
	}
	return float64(g.To-g.From) / float64(g.Den)
}

// String gives g in the FROM:TO form ParseSegment reads ("1/3:2/3"), or ""
// for the whole test.
func (g Segment) String() string {
	if g.Den == 0 {
		return ""
	}
	frac := func(n int64) string {
		k := gcd(n, g.Den)
		if n == 0 {
			return "0"
		}
		if n/k == g.Den/k {
			return "1"
		}
		return fmt.Sprintf("%d/%d", n/k, g.Den/k)
	}
	return frac(g.From) + ":" + frac(g.To)
}

// segmented returns c (defaulted) reduced to its Segment's share, or an
// error when the share leaves nothing to run: no connection, or a bound of
// requests that rounds to none.
func (c Config) segmented() (Config, error) {
	g := c.Segment
	if g.Whole() {
		return c, nil
	}
	d := c
	d.Concurrency = int(g.Share(int64(c.Concurrency)))
	d.Sessions = int(g.Share(int64(c.Sessions)))
	d.Requests = g.Share(c.Requests)
	d.Rate = c.Rate * g.Fraction()
	switch {
	case d.Concurrency < 1:
		return c, fmt.Errorf("segment %s of %d connections is none: use more connections (-c) or fewer segments", g, c.Concurrency)
	case c.Requests > 0 && d.Requests < 1:
		return c, fmt.Errorf("segment %s of %d requests is none: use more requests (-n) or fewer segments", g, c.Requests)
	case d.Sessions != 0 && d.Sessions < d.Concurrency:
		return c, fmt.Errorf("segment %s has %d sessions for %d connections: use more sessions", g, d.Sessions, d.Concurrency)
	}
	return d, nil
}
