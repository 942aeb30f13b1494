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
// withDefaults) and checks the session counter. It returns an error only
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

// waitStart waits until the StartAt of the run, or fails when ctx is
// cancelled first.
func (e *engine) waitStart(ctx context.Context) error {
	at := e.cfg.StartAt
	wait := time.Until(at)
	if at.IsZero() || wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("interrupted while waiting for the start at %s: %w", at.Format(time.RFC3339), ctx.Err())
	case <-t.C:
		return nil
	}
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
	testID  string

	next     atomic.Int64
	start    time.Time
	deadline time.Time
	interval float64 // nanoseconds between arrivals in rate mode

	// sinks hold the workers' latencies: the goroutine engine's one, an
	// event loop's each (histsink.go).
	sinksMu sync.Mutex
	sinks   []*histSink

	abortMu     sync.Mutex
	abortReason string
	cancel      context.CancelFunc
	parent      context.Context // the caller's: done on an interrupt
	stop        context.Context // done when no request may start any more

	workers []*worker
	loader  loader
	series  series                  // the watchdog's alone until the result
	hist    *hdrhistogram.Histogram // the run's latencies, as series (drainSecond)
	final   liveCounts              // the workers' counts at the end
}

func newEngine(cfg Config) (*engine, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	testID := cfg.TestID
	if testID == "" {
		testID = cfg.testID()
	}
	cfg, err := cfg.segmented()
	if err != nil {
		return nil, err
	}
	if len(cfg.URLs) == 0 {
		return nil, errors.New("no URL to bench")
	}
	e := &engine{
		cfg:     cfg,
		counter: parseJSONPath(cfg.CounterPath),
		id:      parseJSONPath(cfg.IDPath),
		series:  series{sec: newHistogram()},
		hist:    newHistogram(),
		testID:  testID,
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
	if cfg.Jar != "" {
		if err := e.seed.fromJar(cfg.Jar, cfg.URLs[0]); err != nil {
			return nil, err
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

// endGrace is how long requests in flight at the -d deadline may still be
// answered (or --timeout when shorter); past it they are unfinished.
const endGrace = 2 * time.Second

func (e *engine) grace() time.Duration { return min(e.cfg.Timeout, endGrace) }

// interrupted tells whether the caller cancelled the run.
func (e *engine) interrupted() bool { return e.parent.Err() != nil }

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
func (e *engine) single(ctx context.Context, v *vu) (status int, counter int64, id []byte, fresh bool, err error) {
	var r response
	return e.singleInto(ctx, v, &r)
}

// singleInto is single with the response read into r, for a caller that
// wants more of it (CreateSession: its Set-Cookie lines).
func (e *engine) singleInto(ctx context.Context, v *vu, r *response) (status int, counter int64, id []byte, fresh bool, err error) {
	t := e.targets[0]
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	hc, err := dialConn(ctx, t, e.cfg.Timeout, e.cfg.Insecure)
	if err != nil {
		return 0, 0, nil, false, fmt.Errorf("connect to %s: %w", t.addr, err)
	}
	defer hc.close()
	now := time.Now()
	hc.c.SetDeadline(now.Add(e.cfg.Timeout))
	if _, err = hc.c.Write(v.request(e, 0, now)); err == nil {
		err = hc.readResponse(r, e.tmpls[0].isHead)
	}
	if err != nil {
		return 0, 0, nil, false, fmt.Errorf("%s %s: %w", e.cfg.Method, t.raw, err)
	}
	fresh = v.applyCookies(r, e.tmpls[0].path, time.Now(), true) || r.status == 201
	if r.status < 200 || r.status > 299 {
		return r.status, 0, nil, fresh, fmt.Errorf("%s %s: status %d", e.cfg.Method, t.raw, r.status)
	}
	if e.counter == nil {
		return r.status, 0, nil, fresh, nil
	}
	raw, ok := e.counter.lookup(r.body)
	if ok {
		counter, ok = parseCounter(raw)
	}
	if !ok {
		return r.status, 0, nil, fresh, fmt.Errorf("%s %s: no integer at %q in the body; %s", e.cfg.Method, t.raw, e.cfg.CounterPath, describeNumbers(r.body))
	}
	if e.id != nil {
		if raw, ok := e.id.lookup(r.body); ok {
			id = append([]byte(nil), raw...)
		}
	}
	return r.status, counter, id, fresh, nil
}

func (e *engine) run(parent context.Context) (*Result, error) {
	if e.cfg.Shared {
		v := e.newVU(e.seed.clone())
		session := sessionDigest(v.cookies.session())
		_, c, id, fresh, err := e.single(parent, v)
		if err != nil {
			return nil, fmt.Errorf("create the shared session: %w", err)
		}
		// A test's agents must all load the session they were given.
		switch {
		case fresh && e.cfg.Jar != "":
			return nil, fmt.Errorf("continue the session of jar %s: the server answered with a new session (it no longer knows that one)", e.cfg.Jar)
		case fresh && !e.cfg.Segment.Whole():
			return nil, errors.New("continue the session of the Cookie header: the server answered with a new session (it no longer knows that one)")
		}
		e.shared = &sharedCheck{initial: c, id: id, session: session}
		e.sharedV = v
	}
	// After the shared session's first probe: agents that start together
	// read their initial counters before any of them loads it.
	if err := e.waitStart(parent); err != nil {
		return nil, err
	}

	// The run's contexts: ctx ends it early (an abort, or the parent's
	// cancel: an interrupt); stop is done when no request may start any
	// more (ctx, or the -d deadline); cut when requests in flight must stop
	// too: with ctx, or a grace period after the deadline, after which a
	// request still unanswered is a failure of its own (unfinished).
	e.parent = parent
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	e.cancel = cancel
	e.start = time.Now()
	stop, cut := ctx, ctx
	if e.cfg.Duration > 0 {
		e.deadline = e.start.Add(e.cfg.Duration)
		var c2, c3 context.CancelFunc
		stop, c2 = context.WithDeadline(ctx, e.deadline)
		defer c2()
		cut, c3 = context.WithDeadline(ctx, e.deadline.Add(e.grace()))
		defer c3()
	}

	c := e.cfg.Concurrency
	e.workers = make([]*worker, c)
	for i := range e.workers {
		w := &worker{e: e, idx: i, conns: make([]*httpConn, len(e.targets)),
			fails: make([]failures, len(e.targets)), samples: map[string]string{}}
		for t := range w.fails {
			w.fails[t].classes = map[string]int64{}
		}
		if e.cfg.KeepHeader != "" {
			w.resp.keepName = []byte(strings.ToLower(e.cfg.KeepHeader))
		}
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

	e.stop = stop
	finished := make(chan struct{})
	go func() { e.loader.load(stop, cut, e); close(finished) }()
	e.watch(stop, finished)
	end := time.Now()

	res := e.result(end)
	res.Interrupted = parent.Err() != nil
	res.Aborted = e.aborted()

	if e.cfg.Shared && e.counter != nil {
		switch {
		case res.Interrupted:
			res.Consistency.FinalUnknown = "interrupted"
		default:
			_, c, _, _, err := e.single(context.WithoutCancel(parent), e.sharedV)
			if err != nil {
				res.Consistency.FinalUnknown = "final probe: " + err.Error()
			} else {
				res.Consistency.setLost(c-1, 0)
			}
		}
	}
	res.Consistency.setVerdict()
	res.Thresholds = e.cfg.Thresholds.Check(res)
	e.finishLive(e.final, res)
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
	nextSecond := e.start.Add(time.Second)
	e.publishLive(liveCounts{}, 0, nil)
	for {
		select {
		case <-finished:
			e.final = e.counts(true)
			e.drainSecond()
			e.series.sample(time.Since(e.start), e.final)
			return
		case now := <-tick.C:
			live := e.cfg.Live != nil
			c := e.counts(live)
			done, failed := c.done, c.failed
			if !now.Before(nextSecond) {
				nextSecond = nextSecond.Add(time.Second)
				c = e.counts(true)
				e.drainSecond()
				e.publishLive(c, now.Sub(e.start), e.series.sec)
				e.series.sample(now.Sub(e.start), c)
			} else if live {
				e.publishLive(c, now.Sub(e.start), nil)
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

func (e *engine) result(end time.Time) *Result {
	res := &Result{
		URLs:         e.cfg.URLs,
		Method:       e.cfg.Method,
		Connections:  e.cfg.Concurrency,
		Engine:       EngineFor(e.cfg),
		RateRPS:      e.cfg.Rate,
		Errors:       map[string]int64{},
		ErrorSamples: map[string]string{},
		ErrorsByURL:  map[string]map[string]int64{},
		DurationS:    end.Sub(e.start).Seconds(),
		Segment:      e.cfg.Segment.String(),
	}
	var a anomalies
	var lastAnswer time.Time
	var unf unfinished
	for _, w := range e.workers {
		res.Successes += w.successes
		res.Requests += w.successes + w.errs
		res.Answered += w.answered
		res.BytesRead += w.read
		res.BytesWritten += w.written
		if w.lastAnswer.After(lastAnswer) {
			lastAnswer = w.lastAnswer
		}
		if w.unfinished.n > 0 {
			unf.n += w.unfinished.n
			if w.unfinished.oldest >= unf.oldest {
				unf.oldest = w.unfinished.oldest
				res.ErrorSamples[errUnfinished] = w.samples[errUnfinished]
			}
		}
		for k, s := range w.samples {
			if _, ok := res.ErrorSamples[k]; !ok {
				res.ErrorSamples[k] = s
			}
		}
		for ti, f := range w.fails {
			url := e.cfg.URLs[ti]
			add := func(k string, n int64) {
				res.Errors[k] += n
				byURL := res.ErrorsByURL[url]
				if byURL == nil {
					byURL = map[string]int64{}
					res.ErrorsByURL[url] = byURL
				}
				byURL[k] += n
			}
			for k, n := range f.classes {
				add(k, n)
			}
			for code, n := range f.statuses {
				if n > 0 {
					k := "status_" + strconv.Itoa(code)
					add(k, n)
					if _, ok := res.ErrorSamples[k]; !ok {
						res.ErrorSamples[k] = fmt.Sprintf("%s %s: status %d", e.cfg.Method, url, code)
					}
				}
			}
		}
		a.add(&w.anom)
	}
	if !lastAnswer.IsZero() {
		res.AnsweredS = lastAnswer.Sub(e.start).Seconds()
		if res.AnsweredS > 0 {
			res.ThroughputRPS = float64(res.Answered) / res.AnsweredS
		}
	}
	if unf.n > 0 {
		res.UnfinishedOldestS = unf.oldest.Seconds()
	}
	// An abort says why the run stopped; stalled is for a run that went
	// to its end.
	if unf.n > 0 && e.aborted() == "" {
		// Nothing answered during the grace period and before it: the
		// target stopped answering, rather than the end cutting a few
		// requests short.
		if quiet := end.Sub(lastAnswer); lastAnswer.IsZero() || quiet >= e.grace() {
			since := "no request was ever answered"
			if !lastAnswer.IsZero() {
				since = fmt.Sprintf("nothing answered in the last %s", quiet.Round(100*time.Millisecond))
			}
			res.Stalled = fmt.Sprintf("the target stopped answering: %s; %s unanswered when the run ended (%s)",
				since, plural(unf.n, "request"), res.ErrorSamples[errUnfinished])
		}
	}
	h := e.hist
	res.Histogram = h
	res.Latency = latencyOf(h)
	res.LatencySpectrum = spectrumOf(h)
	res.Series = e.series.points
	if res.Series == nil {
		res.Series = []SeriesPoint{}
	}
	res.SeriesTruncated = e.series.truncated
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
	e.describeSession(&res.Consistency)
	res.rec = &runRecord{testID: e.testID, segment: e.cfg.Segment, thresholds: e.cfg.Thresholds,
		start: e.start, end: end, lastAnswer: lastAnswer, shared: e.shared}
	return res
}

// describeSession names the session's cookie in c and, when the session
// lives in the cookie, says so.
func (e *engine) describeSession(c *Consistency) {
	var v *vu
	switch {
	case e.sharedV != nil:
		v = e.sharedV
	case len(e.workers) > 0 && len(e.workers[0].vus) > 0:
		v = e.workers[0].vus[0]
	default:
		return
	}
	k := v.cookies.session()
	if k == nil {
		return
	}
	c.SessionCookie, c.SessionFormat = string(k.name), k.format
	if k.kind != sessionData {
		return
	}
	c.SessionInCookie = true
	if c.Mode == ModeShared {
		c.Note = fmt.Sprintf("the session lives in the cookie %s (%s): each response re-issues it with the new state, "+
			"so the client holds the state and concurrent requests on one cookie cannot see each other's updates; "+
			"the last writer wins, by design, and every other update is lost", c.SessionCookie, c.SessionFormat)
	}
}

// plural writes n and noun, with an s unless n is 1.
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}
