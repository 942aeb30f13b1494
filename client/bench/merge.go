package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/RoaringBitmap/roaring/v2/roaring64"
)

// This file holds the merge of result files (sessctl bench merge): the
// Result that one run of the whole test would have given, from the
// shares its agents ran.
//
// Counts (requests, successes, errors by class, status and URL, bytes,
// checks and anomalies) are summed. Times are put on one clock, the
// agents' own (agent.start): the merged run starts at the earliest start,
// DurationS ends at the latest end and AnsweredS at the latest last
// answer, and ThroughputRPS is the answered requests over AnsweredS, the
// union of the agents' time. The latencies come from the sum of the
// agents' histograms (exact: they share one layout). The series is
// aligned on absolute seconds: each agent's point goes to the whole second
// since the earliest start nearest its own start (and after its previous
// point), and a merged point sums the rates of the agents' points in it;
// its percentiles come from the sum of their histograms.
// Per-session counts are summed: each agent's virtual users have sessions
// of their own. The thresholds are checked again on the merged Result and
// the verdict is decided again.
//
// Shared mode (one session for all agents, each with its own probes):
//
//	duplicates     = Σ (agent's duplicates + its distinct values) − |∪ values|
//	                 the responses on the session, less regressions, less the
//	                 distinct counter values across agents: a value two agents
//	                 saw counts once in the union, so its second sighting is a
//	                 duplicate as it would be in one run
//	regressions    = Σ (each agent's: below its own initial counter)
//	initial        = the lowest initial counter, the first probe
//	final          = the highest final counter any agent read: the last
//	                 probe's, when no update was lost; a lower later read
//	                 means that updates were lost anyway
//	expected final = initial + Σ on-session successes + 2(N−1)
//	                 the other N−1 agents' first probes came after the first
//	                 (all probes come before any load: Run reads the counter
//	                 before it waits for StartAt) and their N−1 final probes
//	                 before the last; each agent's own final probe is
//	                 discounted as in one run
//	lost updates   = expected final − final, never below 0
//
// N = 1 gives one run's figures exactly. As in one run, requests still in
// flight at the end (unfinished) may be counted by the server after the
// last probe, or not: against one run of the same size, the merged lost
// updates agree within the requests in flight when the agents end.

// Merge returns the Result of the whole test whose shares files are. It
// refuses, naming the files: none; files of different tests (test ids),
// thresholds or shared sessions; segments that overlap or leave a part of [0, 1) to no file.
func Merge(files []*ResultFile) (*Result, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("merge: no result file")
	}
	files = slices.Clone(files)
	if err := checkSameTest(files); err != nil {
		return nil, err
	}
	if err := checkTiling(files); err != nil {
		return nil, err
	}
	first := files[0]
	th, _ := first.thresholds()
	one := len(files) == 1
	t0 := first.Agent.Start
	for _, f := range files {
		if f.Agent.Start.Before(t0) {
			t0 = f.Agent.Start
		}
	}

	res := &Result{
		URLs:         first.Result.URLs,
		Method:       first.Result.Method,
		Errors:       map[string]int64{},
		ErrorsByURL:  map[string]map[string]int64{},
		ErrorSamples: map[string]string{},
	}
	hist := newHistogram()
	var engines []string
	var lastAnswer float64
	for _, f := range files {
		r := f.Result
		off := f.Agent.Start.Sub(t0).Seconds()
		res.Connections += r.Connections
		res.RateRPS += r.RateRPS
		res.Requests += r.Requests
		res.Successes += r.Successes
		res.Answered += r.Answered
		res.BytesRead += r.BytesRead
		res.BytesWritten += r.BytesWritten
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
		for k, n := range r.Errors {
			res.Errors[k] += n
		}
		for u, m := range r.ErrorsByURL {
			byURL := res.ErrorsByURL[u]
			if byURL == nil {
				byURL = map[string]int64{}
				res.ErrorsByURL[u] = byURL
			}
			for k, n := range m {
				byURL[k] += n
			}
		}
		for k, s := range r.ErrorSamples {
			if _, ok := res.ErrorSamples[k]; !ok {
				res.ErrorSamples[k] = s
			}
		}
		if r.Answered > 0 && r.AnsweredS > 0 {
			lastAnswer = max(lastAnswer, off+r.AnsweredS)
		}
		res.DurationS = max(res.DurationS, off+r.DurationS)
		res.UnfinishedOldestS = max(res.UnfinishedOldestS, r.UnfinishedOldestS)
		res.SeriesTruncated = res.SeriesTruncated || r.SeriesTruncated
		res.Interrupted = res.Interrupted || r.Interrupted
		// Why an agent stopped early is why the test did.
		if res.Aborted == "" && r.Aborted != "" {
			res.Aborted = agentSays(f, one, r.Aborted)
		}
		if res.Stalled == "" && r.Stalled != "" {
			res.Stalled = agentSays(f, one, r.Stalled)
		}
		hist.Merge(f.hist)
	}
	if !one {
		// Shares of a rate in thirds do not sum back to it in floats.
		res.RateRPS = math.Round(res.RateRPS*1e6) / 1e6
	}
	res.Engine = strings.Join(engines, ", ")
	if lastAnswer > 0 {
		res.AnsweredS = lastAnswer
		res.ThroughputRPS = float64(res.Answered) / res.AnsweredS
	}
	res.Latency = latencyOf(hist)
	res.LatencySpectrum = spectrumOf(hist)
	res.Series = mergeSeries(files, t0)
	if len(res.Series) > MaxSeriesPoints {
		res.Series, res.SeriesTruncated = res.Series[:MaxSeriesPoints], true
	}
	res.Consistency = mergeConsistency(files)
	res.Consistency.setVerdict()
	res.Thresholds = th.Check(res)
	res.Histogram = hist
	res.rec = &runRecord{testID: first.TestID, thresholds: th, start: t0,
		end: t0.Add(time.Duration(res.DurationS * float64(time.Second)))}
	return res, nil
}

// agentSays prefixes what an agent said with its segment and file, when
// there are several.
func agentSays(f *ResultFile, one bool, s string) string {
	if one {
		return s
	}
	return fmt.Sprintf("%s (segment %s): %s", f.name(), f.segmentString(), s)
}

func (f *ResultFile) name() string {
	if f.path != "" {
		return f.path
	}
	return "result of " + f.Agent.Hostname
}

func (f *ResultFile) segmentString() string {
	if f.seg.Whole() {
		return "0:1"
	}
	return f.seg.String()
}

// checkSameTest refuses files of different tests, modes or thresholds,
// and shared-mode files of different sessions.
func checkSameTest(files []*ResultFile) error {
	first := files[0]
	for _, f := range files[1:] {
		switch {
		case f.TestID != first.TestID:
			return fmt.Errorf("merge: %s and %s are results of different tests (test ids %s and %s): merge the files of one test "+
				"(its agents run with the same flags but --segment: the id is a hash of them, unless --test-id names it)",
				first.name(), f.name(), first.TestID, f.TestID)
		case f.Result.Consistency.Mode != first.Result.Consistency.Mode:
			return fmt.Errorf("merge: %s and %s ran in different modes (%s and %s)",
				first.name(), f.name(), first.Result.Consistency.Mode, f.Result.Consistency.Mode)
		case f.Thresholds != first.Thresholds:
			return fmt.Errorf("merge: %s and %s set different thresholds (%s; %s)",
				first.name(), f.name(), first.Thresholds, f.Thresholds)
		case f.Shared != nil && first.Shared != nil && f.Shared.Session != first.Shared.Session:
			return fmt.Errorf("merge: %s and %s loaded different sessions (their session cookies differ): "+
				"the agents of a shared test must all continue the one session made for it", first.name(), f.name())
		}
	}
	return nil
}

// checkTiling refuses segments that overlap (one agent's file given twice,
// or a copy of it, says so) or leave a gap in [0, 1).
// Fractions compare by cross-multiplication: denominators are at most
// 2^20.
func checkTiling(files []*ResultFile) error {
	type frac struct{ n, d int64 }
	less := func(a, b frac) bool { return a.n*b.d < b.n*a.d }
	ends := func(f *ResultFile) (frac, frac) {
		if f.seg.Whole() {
			return frac{0, 1}, frac{1, 1}
		}
		return frac{f.seg.From, f.seg.Den}, frac{f.seg.To, f.seg.Den}
	}
	slices.SortStableFunc(files, func(a, b *ResultFile) int {
		af, _ := ends(a)
		bf, _ := ends(b)
		switch {
		case less(af, bf):
			return -1
		case less(bf, af):
			return 1
		}
		return 0
	})
	show := func(a, b frac) string { return Segment{From: a.n * b.d, To: b.n * a.d, Den: a.d * b.d}.reduced() }
	at := frac{0, 1}
	var prev *ResultFile
	for _, f := range files {
		from, to := ends(f)
		switch {
		case less(from, at) && prev.Agent.same(f.Agent):
			return fmt.Errorf("merge: %s and %s are one agent's result (host %s, pid %d, started %s): give each agent's file once",
				prev.name(), f.name(), f.Agent.Hostname, f.Agent.PID, f.Agent.Start.Format(time.RFC3339Nano))
		case less(from, at):
			return fmt.Errorf("merge: the segments of %s (%s) and %s (%s) overlap: each part of the test must be in one file",
				prev.name(), prev.segmentString(), f.name(), f.segmentString())
		case less(at, from):
			return fmt.Errorf("merge: segment %s is missing: no file ran it (run it with --segment %s)", show(at, from), show(at, from))
		}
		at, prev = to, f
	}
	if one := (frac{1, 1}); less(at, one) {
		return fmt.Errorf("merge: segment %s is missing: no file ran it (run it with --segment %s)", show(at, one), show(at, one))
	}
	return nil
}

// same reports whether a and b are one agent's run: one host, process
// and start.
func (a Agent) same(b Agent) bool {
	return a.Hostname == b.Hostname && a.PID == b.PID && a.Start.Equal(b.Start)
}

// reduced writes [From/Den, To/Den) in the FROM:TO form of --segment.
func (g Segment) reduced() string {
	k := gcd(gcd(g.From, g.To), g.Den)
	return Segment{From: g.From / k, To: g.To / k, Den: g.Den / k}.String()
}

// mergeSeries aligns the agents' seconds on the earliest start t0: each
// point goes to the whole second nearest its start (after the agent's
// previous point); a merged point sums the rates of the points in it,
// takes the latest end and the longest interval, and its latencies come
// from the sum of their histograms.
func mergeSeries(files []*ResultFile, t0 time.Time) []SeriesPoint {
	type bucket struct {
		p    SeriesPoint
		hist *hdrhistogram.Histogram
	}
	buckets := map[int64]*bucket{}
	for _, f := range files {
		off := f.Agent.Start.Sub(t0).Seconds()
		prev := int64(-1)
		for _, s := range f.Seconds {
			if s.IntervalS <= 0 {
				continue
			}
			k := max(int64(math.Round(off+s.TS-s.IntervalS)), prev+1)
			prev = k
			b := buckets[k]
			if b == nil {
				b = &bucket{}
				buckets[k] = b
			}
			p := &b.p
			p.TS = max(p.TS, off+s.TS)
			p.IntervalS = max(p.IntervalS, s.IntervalS)
			p.RequestsPerS += float64(s.Requests) / s.IntervalS
			p.ErrorsPerS += float64(s.Errors) / s.IntervalS
			p.SuccessesPerS += float64(s.Successes) / s.IntervalS
			for k, n := range s.ErrorsByClass {
				if p.ErrorsByClassPerS == nil {
					p.ErrorsByClassPerS = map[string]float64{}
				}
				p.ErrorsByClassPerS[k] += float64(n) / s.IntervalS
			}
			if s.hist != nil {
				if b.hist == nil {
					b.hist = newHistogram()
				}
				b.hist.Merge(s.hist)
			}
		}
	}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]SeriesPoint, 0, len(keys))
	for _, k := range keys {
		b := buckets[k]
		if b.hist != nil && b.hist.TotalCount() > 0 {
			b.p.setLatency(b.hist)
		}
		out = append(out, b.p)
	}
	return out
}

// mergeConsistency sums the agents' checks; in shared mode it applies the
// formulas of this file's comment.
func mergeConsistency(files []*ResultFile) Consistency {
	first := files[0].Result.Consistency
	c := Consistency{Mode: first.Mode, CounterPath: first.CounterPath, IDPath: first.IDPath}
	for _, f := range files {
		a := f.Result.Consistency
		c.Checked += a.Checked
		c.Sessions += a.Sessions
		c.SessionsCreated += a.SessionsCreated
		c.Gaps += a.Gaps
		c.Repeats += a.Repeats
		c.Regressions += a.Regressions
		c.Resets += a.Resets
		c.IDChanges += a.IDChanges
		if c.SessionCookie == "" && a.SessionCookie != "" {
			c.SessionCookie, c.SessionFormat, c.SessionInCookie = a.SessionCookie, a.SessionFormat, a.SessionInCookie
		}
		if c.Note == "" {
			c.Note = a.Note
		}
	}
	if c.Mode != ModeShared {
		for _, f := range files {
			c.Duplicates += f.Result.Consistency.Duplicates
		}
		if extra := c.SessionsCreated - int64(c.Sessions); extra > 0 {
			c.ExtraSessions = extra
		}
		return c
	}
	n := int64(len(files))
	// One session for all: each agent counted it as its one expected.
	c.Sessions = 1
	c.SessionsCreated -= n - 1
	if extra := c.SessionsCreated - 1; extra > 0 {
		c.ExtraSessions = extra
	}
	union := roaring64.New()
	var tracked int64
	c.InitialCounter = files[0].Shared.InitialCounter
	final, unknown := int64(math.MinInt64), ""
	for _, f := range files {
		s := f.Shared
		union.Or(f.values)
		tracked += f.Result.Consistency.Duplicates + int64(s.ValuesCount)
		c.InitialCounter = min(c.InitialCounter, s.InitialCounter)
		if s.FinalUnknown != "" {
			if unknown == "" {
				unknown = agentSays(f, n == 1, s.FinalUnknown)
			}
			continue
		}
		final = max(final, s.FinalCounter)
	}
	c.Duplicates = tracked - int64(union.GetCardinality())
	if unknown != "" {
		c.FinalUnknown = unknown
		return c
	}
	c.setLost(final, 2*(n-1))
	return c
}
