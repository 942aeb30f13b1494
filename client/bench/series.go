package bench

import (
	"encoding/binary"
	"math/bits"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// MaxSeriesPoints bounds a run's per-second series: an hour of seconds.
// A longer run keeps its first hour and sets SeriesTruncated.
const MaxSeriesPoints = 3600

// SeriesPoint is one second of a run, as the watchdog sampled the
// workers' live counts (both engines feed them): TS is the end of the
// interval in seconds since the start, IntervalS its length (1, less for
// the last one), RequestsPerS the requests finished in it (answered or
// failed) per second, ErrorsPerS the failed ones and SuccessesPerS the
// others.
type SeriesPoint struct {
	TS            float64 `json:"t_s"`
	IntervalS     float64 `json:"interval_s"`
	RequestsPerS  float64 `json:"requests_per_s"`
	ErrorsPerS    float64 `json:"errors_per_s"`
	SuccessesPerS float64 `json:"successes_per_s"`
	// ErrorsByClassPerS is ErrorsPerS by class, for the classes that had
	// any in the interval: the classes of Result.Errors, but the non-2xx
	// statuses grouped by hundred (status_4xx, status_5xx, ...) instead of
	// status_NNN. Absent when nothing failed.
	ErrorsByClassPerS map[string]float64 `json:"errors_by_class_per_s,omitempty"`
	// Latency is the distribution of the latencies recorded in the
	// interval; absent when nothing was answered in it. A latency counts
	// in the interval in which the watchdog took it from its worker (at
	// every second, or earlier in batches of 256): the interval of its
	// response, but for a response that came within the watchdog's read
	// of the counts and its read of the latencies.
	Latency *SeriesLatency `json:"latency_ms,omitempty"`
	// hist is the interval's latencies (Histogram), kept compact: empty
	// when nothing was answered.
	hist compactHist
}

// Histogram is the HDR histogram of the interval's latencies (µs, 1 µs
// to an hour, three significant digits, as the run's), so that runs merge
// second by second exactly; nil when nothing was answered in it.
func (p *SeriesPoint) Histogram() *hdrhistogram.Histogram {
	if len(p.hist) == 0 {
		return nil
	}
	return p.hist.histogram()
}

// SeriesLatency is a second's latency percentiles in milliseconds.
type SeriesLatency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

// liveCounts are the workers' live totals as the watchdog reads them.
type liveCounts struct {
	done, failed int64
	errs         [numErrClasses]int64 // read only when asked
}

// counts sums the workers' live counts, by error class too when classes
// is set.
func (e *engine) counts(classes bool) liveCounts {
	var c liveCounts
	for _, w := range e.workers {
		c.done += w.done.Load()
		c.failed += w.failed.Load()
		if classes {
			for k := range c.errs {
				c.errs[k] += w.liveErrs[k].Load()
			}
		}
	}
	return c
}

// series samples the run's counts once a second into a capped slice; sec
// holds the latencies of the interval being sampled.
type series struct {
	points    []SeriesPoint
	truncated bool
	lastAt    time.Duration
	last      liveCounts
	sec       *hdrhistogram.Histogram
}

// sample adds the interval from the previous sample to at, whose totals
// are c and whose latencies are in s.sec, which it empties; intervals
// shorter than a millisecond are skipped (their counts and latencies go
// to the next).
func (s *series) sample(at time.Duration, c liveCounts) {
	d := (at - s.lastAt).Seconds()
	if d < 0.001 {
		return
	}
	if len(s.points) == MaxSeriesPoints {
		s.truncated = true
		s.sec.Reset()
		return
	}
	p := SeriesPoint{TS: at.Seconds(), IntervalS: d,
		RequestsPerS:  float64(c.done-s.last.done) / d,
		ErrorsPerS:    float64(c.failed-s.last.failed) / d,
		SuccessesPerS: float64((c.done-c.failed)-(s.last.done-s.last.failed)) / d}
	for k, n := range c.errs {
		if n -= s.last.errs[k]; n > 0 {
			if p.ErrorsByClassPerS == nil {
				p.ErrorsByClassPerS = map[string]float64{}
			}
			p.ErrorsByClassPerS[errClassNames[k]] = float64(n) / d
		}
	}
	if h := s.sec; h.TotalCount() > 0 {
		p.setLatency(h)
		h.Reset()
	}
	s.points = append(s.points, p)
	s.lastAt, s.last = at, c
}

// setLatency sets p's Latency and Histogram from h, not empty: the
// series' and a merge's.
func (p *SeriesPoint) setLatency(h *hdrhistogram.Histogram) {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	p.Latency = &SeriesLatency{P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max())}
	p.hist = compact(h)
}

// compactHist is a latency histogram of the run's layout as its non-zero
// counts, each a pair of uvarints: its index's distance from the previous
// one's (from -1) and the count. A second's histogram is kept so rather
// than in HdrHistogram's encoding, which only a result file needs
// (Result.File encodes them then): hdrhistogram-go's Encode takes about a
// millisecond and 0.8 MB (a new zlib writer) each time, which every run
// would pay once a second; compact copies the counts (Export, 0.2 MB) and
// takes a few bytes per non-zero count.
type compactHist []byte

func compact(h *hdrhistogram.Histogram) compactHist {
	counts := h.Export().Counts
	// Sized first: one allocation, of the bytes it keeps.
	size, last := 0, -1
	for i, n := range counts {
		if n != 0 {
			size += uvarintLen(uint64(i-last)) + uvarintLen(uint64(n))
			last = i
		}
	}
	c := make(compactHist, 0, size)
	last = -1
	for i, n := range counts {
		if n != 0 {
			c = binary.AppendUvarint(c, uint64(i-last))
			c = binary.AppendUvarint(c, uint64(n))
			last = i
		}
	}
	return c
}

// uvarintLen is the length of x as a uvarint.
func uvarintLen(x uint64) int { return max(1, (bits.Len64(x)+6)/7) }

// histogram is the histogram c holds.
func (c compactHist) histogram() *hdrhistogram.Histogram {
	s := newHistogram().Export() // the layout, and counts of its length
	for i, b := -1, []byte(c); len(b) > 0; {
		d, k := binary.Uvarint(b)
		n, k2 := binary.Uvarint(b[k:])
		b = b[k+k2:]
		i += int(d)
		s.Counts[i] = int64(n)
	}
	return hdrhistogram.Import(s)
}
