package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Error classes of failed requests: the keys of Result.Errors besides
// status_NNN.
const (
	errConnect   = "connect"
	errTimeout   = "timeout"
	errClosed    = "closed"
	errProtocolC = "protocol"
	errNoCounter = "no_counter"
)

var errCounterMissing = errors.New("2xx response without the counter in its body")

// worker sends requests one after another over its own connections.
type worker struct {
	e       *engine
	idx     int
	conns   []*httpConn
	vus     []*vu
	vuNext  int
	urlNext int
	resp    response
	timer   *time.Timer

	successes, errs int64
	classes         map[string]int64
	samples         map[string]string
	statuses        [600]int64
	read, written   int64
	anom            anomalies

	lat  [256]int64
	latN int
	// hist is the event loop's own histogram, which flush fills without a
	// lock; nil: the run's, under its lock.
	hist *hdrhistogram.Histogram

	counterAt, idAt pathCache

	// last is when the previous request ended, zero after a failure
	last time.Time

	// live counts for progress and the watchdog, read by another goroutine
	done, failed atomic.Int64
	_            [64]byte
}

func (w *worker) nextVU() *vu {
	v := w.vus[w.vuNext]
	if w.vuNext++; w.vuNext == len(w.vus) {
		w.vuNext = 0
	}
	return v
}

func (w *worker) nextTarget() int {
	t := w.urlNext
	if w.urlNext++; w.urlNext == len(w.e.targets) {
		w.urlNext = 0
	}
	return t
}

func (w *worker) loop(ctx context.Context) {
	for ctx.Err() == nil {
		intended, ok := w.plan()
		if !ok {
			return
		}
		if !intended.IsZero() {
			if d := time.Until(intended); d > 0 && !w.sleep(ctx, d) {
				return
			}
		}
		w.do(ctx, w.nextVU(), w.nextTarget(), intended)
	}
}

// plan takes the worker's next request from the run's bounds: its
// intended send time in a paced run (zero otherwise), and false when the
// request bound is reached or a paced run's next request falls after its
// deadline. Both engines take their requests from it.
func (w *worker) plan() (intended time.Time, ok bool) {
	e := w.e
	// Only a bounded or paced run needs the shared ticket: an unbounded
	// closed-model run keeps its workers off that cache line.
	if e.cfg.Requests <= 0 && e.interval <= 0 {
		return time.Time{}, true
	}
	ticket := e.next.Add(1) - 1
	if e.cfg.Requests > 0 && ticket >= e.cfg.Requests {
		return time.Time{}, false
	}
	if e.interval > 0 {
		intended = e.start.Add(time.Duration(float64(ticket) * e.interval))
		if !e.deadline.IsZero() && !intended.Before(e.deadline) {
			return time.Time{}, false
		}
	}
	return intended, true
}

// connectPause is how long a worker waits after a failed connect, so as
// not to spin on a target that is down.
const connectPause = 20 * time.Millisecond

// connectFailed counts a failed connect to target ti; a refused one ends
// the run: nothing listens there.
func (w *worker) connectFailed(v *vu, ti int, err error) {
	e := w.e
	w.fail(v, errConnect, fmt.Errorf("connect to %s: %w", e.targets[ti].addr, err))
	if errors.Is(err, syscall.ECONNREFUSED) {
		e.abort(fmt.Sprintf("connection refused by %s: nothing listens there (any more)", e.targets[ti].addr))
	}
}

// requestFailed counts a request to target ti that failed with err.
func (w *worker) requestFailed(v *vu, ti int, err error) {
	w.fail(v, classify(err), fmt.Errorf("%s %s: %w", w.e.cfg.Method, w.e.targets[ti].raw, err))
}

// retryable reports whether a failed request is sent once more on a new
// connection: a keep-alive connection the server closed while idle (it
// was reused, nothing of the response came, the error is no timeout), and
// only once, as net/http does.
func retryable(reused, retried bool, r *response, err error) bool {
	return reused && !retried && r.n == 0 && !isTimeout(err)
}

// completed counts the complete response in w.resp, which ended at end,
// and checks it.
func (w *worker) completed(v *vu, ti int, intended, end time.Time) {
	w.read += w.resp.n
	w.record(end.Sub(intended))
	w.handle(v, ti, end)
}

// sleep waits d or until ctx is done; it reports whether d passed.
func (w *worker) sleep(ctx context.Context, d time.Duration) bool {
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	select {
	case <-w.timer.C:
		return true
	case <-ctx.Done():
		w.timer.Stop()
		return false
	}
}

func (w *worker) do(ctx context.Context, v *vu, ti int, intended time.Time) {
	e := w.e
	retried := false
again:
	// In the closed model a request starts when the worker's previous one
	// ended: only its response check runs in between, and the clock is
	// read once per request instead of twice.
	start := w.last
	w.last = time.Time{}
	if start.IsZero() || !intended.IsZero() {
		start = time.Now()
	}
	if intended.IsZero() {
		intended = start
	}
	hc := w.conns[ti]
	if hc == nil {
		var err error
		hc, err = dialConn(ctx, e.targets[ti], e.cfg.Timeout, e.cfg.Insecure)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.connectFailed(v, ti, err)
			w.sleep(ctx, connectPause)
			return
		}
		w.conns[ti] = hc
	}
	req := v.request(e, ti, start)
	// Moving the deadline is a timer update; on a busy keep-alive
	// connection it moves only when less than 15/16 of Timeout is left, so
	// a request times out after between 15/16 of Timeout and Timeout.
	if hc.deadline.Sub(start) < e.cfg.Timeout-e.cfg.Timeout/16 {
		hc.deadline = start.Add(e.cfg.Timeout)
		hc.c.SetDeadline(hc.deadline)
	}
	n, err := hc.c.Write(req)
	w.written += int64(n)
	r := &w.resp
	r.reset(e.tmpls[ti].isHead)
	if err == nil {
		err = hc.readResponse(r, e.tmpls[ti].isHead)
	}
	if err != nil {
		reused := hc.reused
		hc.close()
		w.conns[ti] = nil
		if ctx.Err() != nil {
			return // cut by the end of the run: not a failure of the target
		}
		if retryable(reused, retried, r, err) {
			retried = true
			goto again
		}
		w.requestFailed(v, ti, err)
		return
	}
	end := time.Now()
	hc.reused = true
	if r.close {
		hc.close()
		w.conns[ti] = nil
	}
	w.completed(v, ti, intended, end)
	w.last = end
}

// handle checks one complete response.
func (w *worker) handle(v *vu, ti int, now time.Time) {
	e, r := w.e, &w.resp
	fresh := v.applyCookies(r, e.tmpls[ti].path, now, !e.cfg.Shared)
	fresh = fresh || r.status == 201
	if r.status < 200 || r.status > 299 {
		if r.status >= 0 && r.status < len(w.statuses) {
			w.statuses[r.status]++
		}
		w.errs++
		w.failed.Add(1)
		w.done.Add(1)
		v.seq.resync = true
		return
	}
	if e.counter != nil {
		raw, ok := e.counter.lookupCached(r.body, &w.counterAt)
		var c int64
		if ok {
			c, ok = parseCounter(raw)
		}
		if !ok {
			w.fail(v, errNoCounter, fmt.Errorf("%w at %q", errCounterMissing, e.cfg.CounterPath))
			return
		}
		var id []byte
		if e.id != nil {
			id, _ = e.id.lookupCached(r.body, &w.idAt)
		}
		o := observation{counter: c, id: id, fresh: fresh}
		if e.cfg.Shared {
			w.anom.observeShared(e.shared, o)
		} else {
			w.anom.observeSequential(&v.seq, o)
		}
	}
	w.successes++
	w.done.Add(1)
}

func (w *worker) fail(v *vu, class string, err error) {
	w.errs++
	w.classes[class]++
	if _, ok := w.samples[class]; !ok {
		w.samples[class] = err.Error()
	}
	w.failed.Add(1)
	w.done.Add(1)
	v.seq.resync = true
}

func (w *worker) record(d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < 1 {
		us = 1
	}
	w.lat[w.latN] = us
	if w.latN++; w.latN == len(w.lat) {
		w.flush()
	}
}

// flush moves the buffered latencies into the run's histogram: one lock per
// 256 requests.
func (w *worker) flush() {
	if w.hist != nil {
		for _, us := range w.lat[:w.latN] {
			w.hist.RecordValue(us)
		}
		w.latN = 0
		return
	}
	w.e.histMu.Lock()
	for _, us := range w.lat[:w.latN] {
		w.e.hist.RecordValue(us) // values past an hour are dropped
	}
	w.e.histMu.Unlock()
	w.latN = 0
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func classify(err error) string {
	switch {
	case isTimeout(err):
		return errTimeout
	case errors.Is(err, errProtocol):
		return errProtocolC
	default: // EOF, ECONNRESET, EPIPE: the server closed the connection
		return errClosed
	}
}
