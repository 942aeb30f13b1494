package bench

import (
	"maps"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Live is a run's figures as they stand, for a reader outside the run (a
// metrics endpoint): set Config.Live to one made by NewLive, and the
// run's watchdog updates it every 100 ms (the latency histogram once a
// second) and with the final figures when the run ends. Its methods are
// safe for concurrent use; a Live serves one run.
type Live struct {
	mu   sync.Mutex
	snap LiveSnapshot
	hist *hdrhistogram.Histogram // the latencies so far
}

// LiveSnapshot is a copy of a Live's figures. The counts are totals since
// the start and only grow; they equal the Result's when Final is set.
type LiveSnapshot struct {
	// Started is set once the load has started; Final once the run has
	// ended and the figures are the Result's (the shared session's lost
	// updates too).
	Started, Final bool
	// Engine, Mode, URLs and Connections are what runs (Result's Engine,
	// Consistency.Mode, len(URLs) and Connections).
	Engine, Mode string
	URLs         int
	Connections  int
	// Elapsed is the time since the start of the load.
	Elapsed time.Duration
	// Requests, Successes and Errors are as in Result.
	Requests, Successes, Errors int64
	// ErrorsByClass counts the errors by class, with the non-2xx statuses
	// by hundred as SeriesPoint.ErrorsByClassPerS has them (status_5xx);
	// classes without any are absent.
	ErrorsByClass map[string]int64
	// Responses counts the complete responses by status class: "2xx",
	// "4xx", ...; classes without any are absent.
	Responses map[string]int64
	// The consistency counts so far, as in Result.Consistency: Checked,
	// Gaps, Repeats, Regressions, Resets, IDChanges and Duplicates.
	Checked, Gaps, Repeats, Regressions, Resets, IDChanges, Duplicates int64
	// LostUpdates is known only once the shared session's final probe has
	// read the counter after the load: LostKnown is then set.
	LostUpdates int64
	LostKnown   bool
}

// NewLive returns an empty Live for Config.Live.
func NewLive() *Live { return &Live{hist: newHistogram()} }

// Snapshot returns a copy of l's figures.
func (l *Live) Snapshot() LiveSnapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.snap
	s.ErrorsByClass, s.Responses = maps.Clone(s.ErrorsByClass), maps.Clone(s.Responses)
	return s
}

// LatencyBuckets reads the latencies of the responses so far (updated
// once a second) as a cumulative histogram: their count and sum, and for
// each of bounds (ascending) how many were at most that long, within the
// HDR histogram's precision (a value counts at the top of its bucket of
// equivalent values, 0.1% wide).
func (l *Live) LatencyBuckets(bounds []time.Duration) (count int64, sum time.Duration, cumulative []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hist
	cumulative = make([]int64, len(bounds))
	count = h.TotalCount()
	if count == 0 {
		return 0, 0, cumulative
	}
	sum = time.Duration(h.Mean() * float64(count) * float64(time.Microsecond))
	b := 0
	var below int64
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		for b < len(bounds) && time.Duration(bar.To)*time.Microsecond > bounds[b] {
			cumulative[b] = below
			b++
		}
		below += bar.Count
	}
	for ; b < len(bounds); b++ {
		cumulative[b] = below
	}
	return count, sum, cumulative
}

// anomalyCounts are the consistency counts a worker publishes for Live
// (anomalies.live): gaps, repeats, regressions, resets, id changes and
// duplicates.
type anomalyCounts [6]int64

func (a *anomalies) live() anomalyCounts {
	return anomalyCounts{a.gaps, a.repeats, a.regressions, a.resets, a.ids, a.duplicates}
}

// publishAnomalies copies w's anomaly counts where Live reads them, when
// any changed (rare: the check runs on every response, the anomalies are
// the exceptions).
func (w *worker) publishAnomalies() {
	if w.e.cfg.Live == nil {
		return
	}
	a := w.anom.live()
	if a == w.anomPub {
		return
	}
	w.anomPub = a
	for i, n := range a {
		w.liveAnom[i].Store(n)
	}
}

// publishLive updates cfg.Live from the live counts c (read with their
// classes) at elapsed; sec, when not nil, holds latencies to add to the
// histogram.
func (e *engine) publishLive(c liveCounts, elapsed time.Duration, sec *hdrhistogram.Histogram) {
	l := e.cfg.Live
	if l == nil {
		return
	}
	var anom anomalyCounts
	for _, w := range e.workers {
		for i := range anom {
			anom[i] += w.liveAnom[i].Load()
		}
	}
	s := e.liveBase(elapsed)
	s.Requests, s.Errors, s.Successes = c.done, c.failed, c.done-c.failed
	if e.counter != nil {
		s.Checked = s.Successes // every success was checked
	}
	s.Gaps, s.Repeats, s.Regressions, s.Resets, s.IDChanges, s.Duplicates = anom[0], anom[1], anom[2], anom[3], anom[4], anom[5]
	s.ErrorsByClass, s.Responses = map[string]int64{}, map[string]int64{}
	for k, n := range c.errs {
		if n > 0 {
			s.ErrorsByClass[errClassNames[k]] = n
			if k >= int(classStatus) {
				s.Responses[errClassNames[k][len("status_"):]] = n
			}
		}
	}
	// 2xx: the successes and the 2xx bodies without the counter
	if n := s.Successes + c.errs[classNoCounter]; n > 0 {
		s.Responses["2xx"] = n
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap = s
	if sec != nil {
		l.hist.Merge(sec)
	}
}

func (e *engine) liveBase(elapsed time.Duration) LiveSnapshot {
	return LiveSnapshot{Started: true, Engine: EngineFor(e.cfg), Mode: e.mode(), URLs: len(e.cfg.URLs),
		Connections: e.cfg.Concurrency, Elapsed: elapsed}
}

// finishLive gives cfg.Live the figures of the run's result: the counts
// of the final live counts c, the consistency check's and its latencies.
func (e *engine) finishLive(c liveCounts, res *Result) {
	l := e.cfg.Live
	if l == nil {
		return
	}
	e.publishLive(c, time.Duration(res.DurationS*float64(time.Second)), nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	s, k := &l.snap, &res.Consistency
	s.Final = true
	s.Requests, s.Successes = res.Requests, res.Successes
	s.Checked, s.Gaps, s.Repeats, s.Regressions, s.Resets, s.IDChanges, s.Duplicates =
		k.Checked, k.Gaps, k.Repeats, k.Regressions, k.Resets, k.IDChanges, k.Duplicates
	if k.Mode == ModeShared && k.FinalUnknown == "" {
		s.LostUpdates, s.LostKnown = k.LostUpdates, true
	}
	l.hist.Reset() // a copy: res is the caller's
	l.hist.Merge(res.Histogram)
}
