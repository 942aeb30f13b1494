package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Progress is a snapshot of a run in progress.
type Progress struct {
	Done, Errors int64
	// Total is the request bound, 0 when the run is bound by time only.
	Total     int64
	Elapsed   time.Duration
	Remaining time.Duration // estimated; 0 when unknown
	RateRPS   float64       // since the start
}

// Run runs the load described by cfg (its zero fields defaulted by
// WithDefaults) and checks the session counter. It returns an error only
// when the run could not start (cfg fails Validate, no URL, the shared
// session could not be created); failed requests are counted in the
// result. When ctx is cancelled it stops and returns what it measured so
// far with Interrupted set.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	return e.run(ctx)
}

type engine struct {
	cfg     Config
	targets []*target
	tmpls   []*requestTemplate
	seed    userCookies
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
	loader  loader
}

func newEngine(cfg Config) (*engine, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no URL to bench")
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
	e.loader = newLoader(cfg)
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
		err = hc.readResponse(&r, e.tmpls[0].isHead)
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

func (e *engine) run(parent context.Context) (*Result, error) {
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

	finished := make(chan struct{})
	go func() { e.loader.load(ctx, e); close(finished) }()
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

func (e *engine) progress(now time.Time, done, failed int64) Progress {
	p := Progress{Done: done, Errors: failed, Total: e.cfg.Requests, Elapsed: now.Sub(e.start)}
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

func (e *engine) result(d time.Duration) *Result {
	res := &Result{
		URLs:         e.cfg.URLs,
		Method:       e.cfg.Method,
		Connections:  e.cfg.Concurrency,
		Engine:       EngineFor(e.cfg),
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
	sessions := e.cfg.Sessions
	if e.shared != nil {
		// Creating the shared session was the one session expected.
		a.created++
		sessions = 1
	}
	res.Consistency = a.consistency(e.mode(), sessions)
	res.Consistency.CounterPath = e.cfg.CounterPath
	res.Consistency.IDPath = e.cfg.IDPath
	if e.shared != nil {
		res.Consistency.InitialCounter = e.shared.initial
	}
	return res
}
