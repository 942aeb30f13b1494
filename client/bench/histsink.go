package bench

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The layout of every latency histogram sessctl records, which a result
// file's must have: microseconds from 1 µs to an hour, three significant
// digits.
const (
	histLowest  = 1
	histHighest = int64(time.Hour / time.Microsecond)
	histDigits  = 3
)

// newHistogram is the latency histogram of a run, a loop or a second, of
// that layout.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

// latRing is the size of a worker's ring of latencies not yet in the
// histograms (a power of two).
const latRing = 256

// histSink holds the latencies of some workers (all of the goroutine
// engine's, an event loop's) in sec, the current second's histogram,
// which the watchdog empties at every second into the series' and the
// run's (drainSecond). A worker records into its own ring (record, no
// lock) and the ring is drained into sec under mu: by the worker when the
// ring is full (one lock per 256 requests), and by the watchdog at every
// second, so that a second's histogram holds the latencies recorded in
// that second even at a low rate.
type histSink struct {
	mu  sync.Mutex
	sec *hdrhistogram.Histogram
	ws  []*worker // fixed once the sink is the engine's (addSink)
}

func newHistSink() *histSink {
	return &histSink{sec: newHistogram()}
}

// add makes s the sink of w's latencies; before addSink only.
func (s *histSink) add(w *worker) {
	w.sink = s
	s.ws = append(s.ws, w)
}

// drain moves w's ring into s's histograms; the caller holds s.mu. Values
// past an hour are dropped.
func (s *histSink) drain(w *worker) {
	in, out := w.latIn.Load(), w.latOut.Load()
	for ; out < in; out++ {
		s.sec.RecordValue(w.lat[out&(latRing-1)])
	}
	w.latOut.Store(in)
}

// addSink registers s, its workers added, for the watchdog and the
// result.
func (e *engine) addSink(s *histSink) {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	e.sinks = append(e.sinks, s)
}

func (e *engine) sinkList() []*histSink {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	return e.sinks
}

// drainSecond drains every worker's ring and moves the sinks' second
// histograms into the series' (e.series.sec) and the run's (e.hist),
// emptying them. The watchdog's alone: at every second and at the end,
// after which e.hist holds every latency of the run.
func (e *engine) drainSecond() {
	for _, s := range e.sinkList() {
		s.mu.Lock()
		for _, w := range s.ws {
			s.drain(w)
		}
		if s.sec.TotalCount() > 0 {
			e.series.sec.Merge(s.sec)
			e.hist.Merge(s.sec)
			s.sec.Reset()
		}
		s.mu.Unlock()
	}
}

// record adds the latency d to w's ring, draining the ring first when it
// is full.
func (w *worker) record(d time.Duration) {
	us := max(int64(d/time.Microsecond), 1)
	in := w.latIn.Load() // w's own: the store below is for the drainers
	if in-w.latOut.Load() == latRing {
		w.flush()
	}
	w.lat[in&(latRing-1)] = us
	w.latIn.Store(in + 1)
}

// flush drains w's ring into its sink.
func (w *worker) flush() {
	s := w.sink
	s.mu.Lock()
	s.drain(w)
	s.mu.Unlock()
}
