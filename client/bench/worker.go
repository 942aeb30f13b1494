package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// Error classes of failed requests: the keys of Result.Errors besides
// status_NNN.
const (
	errConnect   = "connect"
	errTimeout   = "timeout"
	errClosed    = "closed"
	errProtocolC = "protocol"
	errNoCounter = "no_counter"
	// errUnfinished: sent, and unanswered when the run ended.
	errUnfinished = "unfinished"
)

// errClass numbers the error classes for the live counts of the series:
// the classes above, then the non-2xx statuses by hundred (status_0xx to
// status_9xx).
type errClass uint8

const (
	classConnect errClass = iota
	classTimeout
	classClosed
	classProtocol
	classNoCounter
	classUnfinished
	classStatus   // status_0xx; status_Nxx is classStatus+N
	numErrClasses = classStatus + 10
)

// errClassNames are the errClasses' names, the keys of
// SeriesPoint.ErrorsByClassPerS.
var errClassNames = func() (n [numErrClasses]string) {
	copy(n[:], []string{errConnect, errTimeout, errClosed, errProtocolC, errNoCounter, errUnfinished})
	for i := range 10 {
		n[int(classStatus)+i] = "status_" + string(rune('0'+i)) + "xx"
	}
	return n
}()

// classOf is the errClass of a class name of Result.Errors (but
// status_NNN).
func classOf(class string) errClass {
	for c, name := range errClassNames[:classStatus] {
		if name == class {
			return errClass(c)
		}
	}
	return classProtocol // no other class is ever failed with
}

// statusClass is the errClass of a non-2xx status: its hundred.
func statusClass(status int) errClass {
	return classStatus + errClass(min(max(status/100, 0), 9))
}

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
	answered        int64      // complete responses, of any status
	lastAnswer      time.Time  // when the last of them came
	fails           []failures // by target
	samples         map[string]string
	unfinished      unfinished
	read, written   int64
	anom            anomalies

	// lat is a ring of latencies in µs that record fills at latIn and the
	// drains of sink take from latOut (histsink.go).
	lat           [latRing]int64
	latIn, latOut atomic.Int64
	sink          *histSink

	counterAt, idAt pathCache

	// last is when the previous request ended, zero after a failure
	last time.Time

	// live counts for progress and the watchdog, read by another goroutine
	done, failed atomic.Int64
	liveErrs     [numErrClasses]atomic.Int64 // failed by class
	liveAnom     [len(anomalyCounts{})]atomic.Int64
	anomPub      anomalyCounts // what liveAnom holds
	_            [64]byte
}

// failures counts one target's failed requests by class and status.
type failures struct {
	classes  map[string]int64
	statuses [600]int64
}

// unfinished is what a worker knows of its requests that the end of the
// run left unanswered: how many, and the oldest one's age.
type unfinished struct {
	n      int64
	oldest time.Duration
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

// loop sends requests until stop is done (the run's end, an abort or an
// interrupt) or the request bound is reached; cut is done when requests in
// flight must stop too: with stop after an abort or an interrupt, a grace
// period after it at the run's end.
func (w *worker) loop(stop, cut context.Context) {
	for stop.Err() == nil {
		intended, ok := w.plan()
		if !ok {
			return
		}
		if !intended.IsZero() {
			if d := time.Until(intended); d > 0 && !w.sleep(stop, d) {
				return
			}
		}
		w.do(stop, cut, w.nextVU(), w.nextTarget(), intended)
	}
}

// plan takes the worker's next request from the run's bounds: its
// intended send time in a paced run (zero otherwise), and false when the
// request bound is reached or a paced run's next request falls after its
// deadline, or the run is stopping. Both engines take their requests from
// it.
func (w *worker) plan() (intended time.Time, ok bool) {
	e := w.e
	if e.stop.Err() != nil {
		return time.Time{}, false
	}
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
	refused := errors.Is(err, syscall.ECONNREFUSED)
	if isTimeout(err) {
		err = fmt.Errorf("no answer in %s: %w", e.cfg.Timeout, err)
	}
	w.fail(v, ti, errConnect, fmt.Errorf("connect to %s: %w", e.targets[ti].addr, err))
	if refused {
		e.abort(fmt.Sprintf("connection refused by %s: nothing listens there (any more)", e.targets[ti].addr))
	}
}

// requestFailed counts a request to target ti that was sent and failed
// with err; a timeout says how far the request got.
func (w *worker) requestFailed(v *vu, ti int, err error) {
	e := w.e
	class := classify(err)
	if class == errTimeout {
		if n := w.resp.n; n == 0 {
			err = fmt.Errorf("connected, request sent, no answer in %s", e.cfg.Timeout)
		} else {
			err = fmt.Errorf("connected, request sent, %d bytes of an answer, then nothing for %s", n, e.cfg.Timeout)
		}
	}
	w.fail(v, ti, class, fmt.Errorf("%s %s: %w", e.cfg.Method, e.targets[ti].raw, err))
	v.seq.late++ // sent, and the server may count it yet
}

// cutShort counts a request of v to target ti, sent at start, that the end
// of the run cut (state says how far it got: "connecting", "connected,
// request sent, no answer") as unfinished; not when the run was
// interrupted, whose figures are partial anyway.
func (w *worker) cutShort(v *vu, ti int, start time.Time, state string) {
	e := w.e
	if e.interrupted() {
		return
	}
	what := fmt.Sprintf("%s %s", e.cfg.Method, e.targets[ti].raw)
	if state == "connecting" {
		what = "connect to " + e.targets[ti].addr
	}
	age := time.Since(start)
	if age > w.unfinished.oldest || w.unfinished.n == 0 {
		w.unfinished.oldest = age
		w.samples[errUnfinished] = fmt.Sprintf("%s: %s for %s when the run ended", what, state, age.Round(time.Millisecond))
	}
	w.unfinished.n++
	w.errs++
	w.fails[ti].classes[errUnfinished]++
	w.liveErrs[classUnfinished].Add(1)
	w.failed.Add(1)
	w.done.Add(1)
	v.seq.resync = true
}

// cutState says how far a request cut by the end of the run got, from the
// bytes of its answer read.
func cutState(read int64) string {
	if read > 0 {
		return fmt.Sprintf("connected, request sent, %d bytes of an answer", read)
	}
	return "connected, request sent, no answer"
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
	w.answered++
	w.lastAnswer = end
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

func (w *worker) do(stop, cut context.Context, v *vu, ti int, intended time.Time) {
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
		hc, err = dialConn(cut, e.targets[ti], e.cfg.Timeout, e.cfg.Insecure)
		if err != nil {
			if cut.Err() != nil {
				w.cutShort(v, ti, start, "connecting")
				return
			}
			w.connectFailed(v, ti, err)
			w.sleep(stop, connectPause)
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
		if cut.Err() != nil {
			w.cutShort(v, ti, start, cutState(r.n))
			return
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
	fresh := v.applyCookies(r, e.tmpls[ti].path, now, !e.cfg.Shared && !e.cfg.Fresh)
	if e.cfg.OnResponse != nil {
		e.cfg.OnResponse(Response{Status: r.status, SetCookies: r.setCookies, Header: r.kept, Body: r.body})
	}
	fresh = fresh || r.status == 201
	if r.status < 200 || r.status > 299 {
		if f := &w.fails[ti]; r.status >= 0 && r.status < len(f.statuses) {
			f.statuses[r.status]++
		}
		w.liveErrs[statusClass(r.status)].Add(1)
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
			if _, seen := w.samples[errNoCounter]; !seen {
				w.samples[errNoCounter] = fmt.Sprintf("%s %s: %s at %q; %s", e.cfg.Method, e.targets[ti].raw,
					errCounterMissing, e.cfg.CounterPath, describeNumbers(r.body))
			}
			w.fail(v, ti, errNoCounter, errCounterMissing)
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
		w.publishAnomalies()
	}
	w.successes++
	w.done.Add(1)
}

func (w *worker) fail(v *vu, ti int, class string, err error) {
	w.errs++
	w.fails[ti].classes[class]++
	w.liveErrs[classOf(class)].Add(1)
	if _, ok := w.samples[class]; !ok {
		w.samples[class] = err.Error()
	}
	w.failed.Add(1)
	w.done.Add(1)
	v.seq.resync = true
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
