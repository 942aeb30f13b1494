package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Bench defaults.
const (
	DefaultConcurrency = 50
	DefaultDuration    = 10 * time.Second
	DefaultTimeout     = 10 * time.Second
	DefaultCounterPath = "visitCount"
	DefaultIDPath      = "sid"
)

// BenchConfig configures a bench run. Zero values take the defaults named.
type BenchConfig struct {
	// URLs are the targets (http or https), taken round-robin; they count
	// as one origin for cookies: several instances of one app.
	URLs []string
	// Method is the request method; empty means GET.
	Method string
	// Header holds extra request headers in order. A Cookie header seeds
	// every virtual user's cookies.
	Header [][2]string
	// Body is the request body, sent with a Content-Length.
	Body []byte
	// Concurrency is the number of workers, each with one keep-alive
	// connection per URL; 0 means DefaultConcurrency.
	Concurrency int
	// Requests bounds the run to that many requests; Duration bounds it in
	// time. Either may be 0 (no bound); both 0 means DefaultDuration.
	Requests int64
	Duration time.Duration
	// Rate, when above 0, sends requests at that many per second in all
	// (an open model, as wrk2): request i is due at start + i/Rate and its
	// latency counts from then, so a stalled server is not hidden by a
	// client that waits for it. 0 means each worker sends as fast as the
	// server answers (a closed model, as wrk).
	Rate float64
	// Timeout bounds each request (to between 15/16 of it and all of it:
	// the deadline moves in steps), its connect included; 0 means
	// DefaultTimeout. The run stops when no request has succeeded for a
	// Timeout and requests failed meanwhile (the target went away or
	// hangs), and at once when a connection is refused.
	Timeout time.Duration
	// Sessions is the number of virtual users in per-session mode, each
	// with its own cookies and session and its requests one after
	// another; 0 means one per worker. It must be at least Concurrency.
	Sessions int
	// Shared makes every request carry one session, created before the
	// load: the lost-update test.
	Shared bool
	// CounterPath is the dotted JSON path of the session's counter in a
	// response body (DefaultCounterPath is the express example's);
	// empty means no consistency check.
	CounterPath string
	// IDPath is the dotted JSON path of the session's own id in the body;
	// empty means the id is not checked.
	IDPath string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Progress, when set, is called about every ProgressEvery (0 means
	// 250ms) from a goroutine of the run's own, and not after Bench returns.
	Progress      func(BenchProgress)
	ProgressEvery time.Duration
}

// BenchProgress is a snapshot of a run in progress.
type BenchProgress struct {
	Done, Errors int64
	// Total is the request bound, 0 when the run is bound by time only.
	Total     int64
	Elapsed   time.Duration
	Remaining time.Duration // estimated; 0 when unknown
	RateRPS   float64       // since the start
}

// Bench runs the load described by cfg and checks the session counter.
// It returns an error only when the run could not start (a bad URL, the
// shared session could not be created); failed requests are counted in the
// result. When ctx is cancelled it stops and returns what it measured so
// far with Interrupted set.
func Bench(ctx context.Context, cfg BenchConfig) (*BenchResult, error) {
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	return e.run(ctx)
}

type engine struct {
	cfg     BenchConfig
	targets []*target
	tmpls   []*requestTemplate
	seed    loadCookies
	counter jsonPath
	id      jsonPath
	shared  *sharedCheck
	sharedV *vu

	next     atomic.Int64
	start    time.Time
	deadline time.Time
	interval float64 // nanoseconds between arrivals in rate mode

	histMu sync.Mutex
	hist   *hdrhistogram.Histogram

	abortMu     sync.Mutex
	abortReason string
	cancel      context.CancelFunc

	workers []*worker
}

func newEngine(cfg BenchConfig) (*engine, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no URL to bench")
	}
	if cfg.Method == "" {
		cfg.Method = "GET"
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Requests <= 0 && cfg.Duration <= 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("rate %g: must not be negative", cfg.Rate)
	}
	if cfg.Shared {
		cfg.Sessions = 1
	} else {
		if cfg.Sessions == 0 {
			cfg.Sessions = cfg.Concurrency
		}
		if cfg.Sessions < cfg.Concurrency {
			return nil, fmt.Errorf("%d sessions for %d connections: a session's requests are sequential, so there must be at least one session per connection (or use shared mode)", cfg.Sessions, cfg.Concurrency)
		}
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	e := &engine{
		cfg:     cfg,
		counter: parseJSONPath(cfg.CounterPath),
		id:      parseJSONPath(cfg.IDPath),
		hist:    hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3),
	}
	for _, raw := range cfg.URLs {
		t, err := parseTarget(raw)
		if err != nil {
			return nil, err
		}
		e.targets = append(e.targets, t)
		e.tmpls = append(e.tmpls, newRequestTemplate(t, cfg.Method, cfg.Header, cfg.Body))
	}
	for _, kv := range cfg.Header {
		if strings.EqualFold(kv[0], "Cookie") {
			e.seed.seed(kv[1])
		}
	}
	if cfg.Rate > 0 {
		e.interval = float64(time.Second) / cfg.Rate
	}
	return e, nil
}

func (e *engine) mode() string {
	switch {
	case e.counter == nil:
		return ModeNone
	case e.cfg.Shared:
		return ModeShared
	default:
		return ModePerSession
	}
}

// vu is a virtual user: its cookies, its requests with the current Cookie
// header (one per URL, rebuilt only when a cookie changes) and its session's
// counter state.
type vu struct {
	cookies loadCookies
	expiry  time.Time // earliest cookie expiry; zero when none
	reqs    [][]byte
	gens    []int
	seq     seqState
}

func (e *engine) newVU(cookies loadCookies) *vu {
	v := &vu{cookies: cookies, reqs: make([][]byte, len(e.targets)), gens: make([]int, len(e.targets))}
	for i := range v.gens {
		v.gens[i] = -1
	}
	v.expiry = v.cookies.nextExpiry()
	return v
}

func (v *vu) request(e *engine, ti int, now time.Time) []byte {
	if !v.expiry.IsZero() && now.After(v.expiry) {
		v.cookies.expire(now)
		v.expiry = v.cookies.nextExpiry()
	}
	if v.gens[ti] != v.cookies.gen {
		t := e.tmpls[ti]
		b := append(v.reqs[ti][:0], t.head...)
		b = v.cookies.appendHeader(b, t.path)
		v.reqs[ti] = append(b, t.tail...)
		v.gens[ti] = v.cookies.gen
	}
	return v.reqs[ti]
}

// applyCookies stores the response's cookies in v and reports whether one
// already held got a new value.
func (v *vu) applyCookies(r *response, path string, now time.Time, apply bool) (replaced bool) {
	changed := false
	for _, sc := range r.setCookies {
		rep, ch := v.cookies.set(sc, path, now, apply)
		replaced = replaced || rep
		changed = changed || ch
	}
	if changed && apply {
		v.expiry = v.cookies.nextExpiry()
	}
	return replaced
}

// Error classes of failed requests.
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
	e := w.e
	// Only a bounded or paced run needs the shared ticket: an unbounded
	// closed-model run keeps its workers off that cache line.
	ticketed := e.cfg.Requests > 0 || e.interval > 0
	for ctx.Err() == nil {
		var ticket int64
		if ticketed {
			ticket = e.next.Add(1) - 1
			if e.cfg.Requests > 0 && ticket >= e.cfg.Requests {
				return
			}
		}
		var intended time.Time
		if e.interval > 0 {
			intended = e.start.Add(time.Duration(float64(ticket) * e.interval))
			if !e.deadline.IsZero() && !intended.Before(e.deadline) {
				return
			}
			if d := time.Until(intended); d > 0 && !w.sleep(ctx, d) {
				return
			}
		}
		w.do(ctx, w.nextVU(), w.nextTarget(), intended)
	}
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
			w.fail(v, errConnect, fmt.Errorf("connect to %s: %w", e.targets[ti].addr, err))
			if errors.Is(err, syscall.ECONNREFUSED) {
				e.abort(fmt.Sprintf("connection refused by %s: nothing listens there (any more)", e.targets[ti].addr))
			}
			w.sleep(ctx, 20*time.Millisecond) // do not spin on a target that is down
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
	r.n = 0
	if err == nil {
		err = r.read(hc.br, e.tmpls[ti].isHead)
	}
	if err != nil {
		reused := hc.reused
		hc.close()
		w.conns[ti] = nil
		if ctx.Err() != nil {
			return // cut by the end of the run: not a failure of the target
		}
		// A keep-alive connection the server closed while idle: try once
		// more on a new one, as net/http does.
		if reused && !retried && r.n == 0 && !isTimeout(err) {
			retried = true
			goto again
		}
		w.fail(v, classify(err), fmt.Errorf("%s %s: %w", e.cfg.Method, e.targets[ti].raw, err))
		return
	}
	end := time.Now()
	hc.reused = true
	w.read += r.n
	w.record(end.Sub(intended))
	if r.close {
		hc.close()
		w.conns[ti] = nil
	}
	w.handle(v, ti, end)
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

func (e *engine) abort(reason string) {
	e.abortMu.Lock()
	defer e.abortMu.Unlock()
	if e.abortReason == "" {
		e.abortReason = reason
		e.cancel()
	}
}

func (e *engine) aborted() string {
	e.abortMu.Lock()
	defer e.abortMu.Unlock()
	return e.abortReason
}

// single sends one request of v outside the load (the shared session's
// creation and final probe) and returns its status and counter.
func (e *engine) single(ctx context.Context, v *vu) (status int, counter int64, id []byte, err error) {
	t := e.targets[0]
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	hc, err := dialConn(ctx, t, e.cfg.Timeout, e.cfg.Insecure)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("connect to %s: %w", t.addr, err)
	}
	defer hc.close()
	now := time.Now()
	hc.c.SetDeadline(now.Add(e.cfg.Timeout))
	var r response
	if _, err = hc.c.Write(v.request(e, 0, now)); err == nil {
		err = r.read(hc.br, e.tmpls[0].isHead)
	}
	if err != nil {
		return 0, 0, nil, fmt.Errorf("%s %s: %w", e.cfg.Method, t.raw, err)
	}
	v.applyCookies(&r, e.tmpls[0].path, time.Now(), true)
	if r.status < 200 || r.status > 299 {
		return r.status, 0, nil, fmt.Errorf("%s %s: status %d", e.cfg.Method, t.raw, r.status)
	}
	if e.counter == nil {
		return r.status, 0, nil, nil
	}
	raw, ok := e.counter.lookup(r.body)
	if ok {
		counter, ok = parseCounter(raw)
	}
	if !ok {
		return r.status, 0, nil, fmt.Errorf("%s %s: no integer at %q in the body %.200q", e.cfg.Method, t.raw, e.cfg.CounterPath, r.body)
	}
	if e.id != nil {
		if raw, ok := e.id.lookup(r.body); ok {
			id = append([]byte(nil), raw...)
		}
	}
	return r.status, counter, id, nil
}

func (e *engine) run(parent context.Context) (*BenchResult, error) {
	if e.cfg.Shared {
		v := e.newVU(e.seed.clone())
		_, c, id, err := e.single(parent, v)
		if err != nil {
			return nil, fmt.Errorf("create the shared session: %w", err)
		}
		e.shared = &sharedCheck{initial: c, id: id}
		e.sharedV = v
	}

	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	e.cancel = cancel
	e.start = time.Now()
	if e.cfg.Duration > 0 {
		e.deadline = e.start.Add(e.cfg.Duration)
		var c2 context.CancelFunc
		ctx, c2 = context.WithDeadline(ctx, e.deadline)
		defer c2()
	}

	c := e.cfg.Concurrency
	e.workers = make([]*worker, c)
	for i := range e.workers {
		w := &worker{e: e, idx: i, conns: make([]*httpConn, len(e.targets)),
			classes: map[string]int64{}, samples: map[string]string{}}
		w.urlNext = i % len(e.targets)
		if e.cfg.Shared {
			w.vus = []*vu{e.newVU(e.sharedV.cookies.clone())}
		} else {
			for s := i; s < e.cfg.Sessions; s += c {
				w.vus = append(w.vus, e.newVU(e.seed.clone()))
			}
		}
		e.workers[i] = w
	}

	var wg sync.WaitGroup
	for _, w := range e.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
			for i, hc := range w.conns {
				if hc != nil {
					hc.close()
					w.conns[i] = nil
				}
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	e.watch(ctx, finished)
	end := time.Now()

	res := e.result(end.Sub(e.start))
	res.Interrupted = parent.Err() != nil
	res.Aborted = e.aborted()

	if e.cfg.Shared && e.counter != nil {
		switch {
		case res.Interrupted:
			res.Consistency.FinalUnknown = "interrupted"
		default:
			_, c, _, err := e.single(context.WithoutCancel(parent), e.sharedV)
			if err != nil {
				res.Consistency.FinalUnknown = "final probe: " + err.Error()
			} else {
				res.Consistency.setLost(c - 1)
			}
		}
	}
	res.Consistency.setVerdict()
	return res, nil
}

// watch reports progress and stops the run when no request has succeeded
// for a Timeout and at least two failed meanwhile, until the workers are
// finished.
func (e *engine) watch(ctx context.Context, finished <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	// The successes so far, when the last of them was seen, and the
	// failures then.
	lastOK, lastOKAt, failedAtOK := int64(0), time.Now(), int64(0)
	nextProgress := time.Now().Add(e.cfg.ProgressEvery)
	for {
		select {
		case <-finished:
			return
		case now := <-tick.C:
			var done, failed int64
			for _, w := range e.workers {
				done += w.done.Load()
				failed += w.failed.Load()
			}
			// At least two failures, so that one lost request of a slow
			// open-model run does not end it.
			switch ok := done - failed; {
			case ok != lastOK:
				lastOK, lastOKAt, failedAtOK = ok, now, failed
			case failed > failedAtOK+1 && now.Sub(lastOKAt) >= e.cfg.Timeout && ctx.Err() == nil:
				e.abort(fmt.Sprintf("no request succeeded for %s while %d failed: the target went away or hangs",
					now.Sub(lastOKAt).Round(100*time.Millisecond), failed-failedAtOK))
			}
			if e.cfg.Progress != nil && !now.Before(nextProgress) {
				nextProgress = now.Add(e.cfg.ProgressEvery)
				e.cfg.Progress(e.progress(now, done, failed))
			}
		}
	}
}

func (e *engine) progress(now time.Time, done, failed int64) BenchProgress {
	p := BenchProgress{Done: done, Errors: failed, Total: e.cfg.Requests, Elapsed: now.Sub(e.start)}
	if s := p.Elapsed.Seconds(); s > 0 {
		p.RateRPS = float64(done) / s
	}
	if !e.deadline.IsZero() {
		p.Remaining = e.deadline.Sub(now)
	}
	if p.Total > 0 && p.RateRPS > 0 {
		r := time.Duration(float64(p.Total-done) / p.RateRPS * float64(time.Second))
		if p.Remaining == 0 || r < p.Remaining {
			p.Remaining = r
		}
	}
	if p.Remaining < 0 {
		p.Remaining = 0
	}
	return p
}

func (e *engine) result(d time.Duration) *BenchResult {
	res := &BenchResult{
		URLs:         e.cfg.URLs,
		Method:       e.cfg.Method,
		Connections:  e.cfg.Concurrency,
		RateRPS:      e.cfg.Rate,
		Errors:       map[string]int64{},
		ErrorSamples: map[string]string{},
		DurationS:    d.Seconds(),
	}
	var a anomalies
	for _, w := range e.workers {
		w.flush()
		res.Successes += w.successes
		res.Requests += w.successes + w.errs
		res.BytesRead += w.read
		res.BytesWritten += w.written
		for k, n := range w.classes {
			res.Errors[k] += n
		}
		for k, s := range w.samples {
			if _, ok := res.ErrorSamples[k]; !ok {
				res.ErrorSamples[k] = s
			}
		}
		for code, n := range w.statuses {
			if n > 0 {
				k := "status_" + strconv.Itoa(code)
				res.Errors[k] += n
				if _, ok := res.ErrorSamples[k]; !ok {
					res.ErrorSamples[k] = fmt.Sprintf("%s %s: status %d", e.cfg.Method, strings.Join(e.cfg.URLs, ", "), code)
				}
			}
		}
		a.add(&w.anom)
	}
	if res.DurationS > 0 {
		res.ThroughputRPS = float64(res.Requests) / res.DurationS
	}
	h := e.hist
	ms := func(us int64) float64 { return float64(us) / 1000 }
	if h.TotalCount() > 0 {
		res.Latency = Latency{
			Min:  ms(h.Min()),
			Mean: h.Mean() / 1000,
			P50:  ms(h.ValueAtQuantile(50)),
			P90:  ms(h.ValueAtQuantile(90)),
			P99:  ms(h.ValueAtQuantile(99)),
			P999: ms(h.ValueAtQuantile(99.9)),
			Max:  ms(h.Max()),
		}
	}
	res.Consistency = a.consistency(e.mode(), e.cfg.Sessions)
	res.Consistency.CounterPath = e.cfg.CounterPath
	res.Consistency.IDPath = e.cfg.IDPath
	if e.shared != nil {
		res.Consistency.InitialCounter = e.shared.initial
		// Creating the shared session was the one session expected.
		res.Consistency.SessionsCreated++
		res.Consistency.ExtraSessions = max(0, res.Consistency.SessionsCreated-1)
	}
	return res
}
