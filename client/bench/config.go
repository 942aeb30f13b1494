package bench

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client"
)

// Defaults of a Config's zero fields.
const (
	DefaultConcurrency = 50
	defaultDuration    = 10 * time.Second
	DefaultTimeout     = 10 * time.Second
	DefaultCounterPath = "visitCount"
	DefaultIDPath      = "sid"
)

// NoTimeout is the Timeout of `bench --timeout 0` (as visit's and curl's
// --max-time 0: no limit): a year, longer than any run, and small enough
// that the engines' arithmetic on a Timeout (15/16 of it, a sixteenth for the
// scan period) cannot overflow. With it a hung request waits until the run
// ends, and the run is never cut short for want of a success.
const NoTimeout = 365 * 24 * time.Hour

// Config configures a bench run. Zero values take the defaults named
// (withDefaults); Validate says what Run refuses.
type Config struct {
	// URLs are the targets (http or https), taken round-robin; they count
	// as one origin for cookies: several instances of one app.
	URLs []string
	// Method is the request method (well-known ones upper-cased by
	// client.CanonicalMethod); empty means GET.
	Method string
	// Header holds extra request headers in order. A Cookie header seeds
	// every virtual user's cookies; in per-session mode it must not hold a
	// session cookie (ErrSessionCookieHeader).
	Header [][2]string
	// Jar is a cookies.txt file (visit's or curl's) whose cookies for the
	// first URL seed the run: its session is continued in shared mode (Jar
	// implies Shared). It is read, never written.
	Jar string
	// Body is the request body, sent with a Content-Length.
	Body []byte
	// Concurrency is the number of workers, each with one keep-alive
	// connection per URL; 0 means DefaultConcurrency.
	Concurrency int
	// Requests bounds the run to that many requests; Duration bounds it in
	// time. Either may be 0 (no bound); both 0 means 10s.
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
	// another; 0 means one per worker. It must be at least Concurrency,
	// and 0 with Shared.
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
	// Engine is EngineAuto (also when empty), EngineEpoll or
	// EngineGoroutine (see EngineFor).
	Engine string
	// Threads is the number of event loops, each on an OS thread of its
	// own, of the epoll engine; 0 means GOMAXPROCS. The goroutine engine
	// ignores it (GOMAXPROCS bounds it).
	Threads int
	// Thresholds are the limits the run must stay within (the zero value
	// allows no failed request); Result.Thresholds says which held.
	Thresholds Thresholds
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Fresh makes virtual users keep none of the cookies responses set
	// (only a Cookie header's seed), so that every request starts a new
	// session: sessctl audit's token collection. Counters are then best
	// left unchecked (an empty CounterPath).
	Fresh bool
	// KeepHeader names a response header (any case) whose values
	// OnResponse gets in Response.Header; empty keeps none.
	KeepHeader string
	// OnResponse, when set, is called with every complete response, of
	// any status, from the run's goroutines (several at once: it must be
	// safe for concurrent use). The Response's slices are valid only
	// during the call.
	OnResponse func(Response)
	// Live, when set (NewLive), receives the run's figures as they stand
	// while it runs, and its final ones when it ends (a metrics endpoint
	// reads them); nil keeps none.
	Live *Live
	// Progress, when set, is called about every ProgressEvery (0 means
	// 250ms) from a goroutine of the run's own, and not after Run returns.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Segment, when not the whole test (the zero value), makes this run
	// one agent's share of the test the rest of Config describes: its part
	// of Concurrency, Sessions, Requests and Rate (Segment.Share). Each
	// agent's virtual users make sessions of their own, so per-session
	// checks stay local; in shared mode all carry the one session.
	Segment Segment
	// StartAt, when set, is when the load begins: Run waits until then
	// (after it has checked its settings and, in shared mode, read the
	// initial counter), so that agents begin together and every agent's
	// first probe comes before any load.
	StartAt time.Time
	// TestID names the test this run is a share of, in its result file
	// (Result.File), so that a merge refuses files of other tests; empty
	// means a hash of the settings that define the whole test (testID).
	TestID string
}

// defaultProgressEvery is how often Progress is called when ProgressEvery
// is 0.
const defaultProgressEvery = 250 * time.Millisecond

// withDefaults returns c with its zero fields set to their defaults: GET,
// DefaultConcurrency, DefaultTimeout, defaultDuration when neither Requests
// nor Duration bounds the run, one session per worker (unless Shared), and
// a Progress call every 250ms.
func (c Config) withDefaults() Config {
	if c.Method == "" {
		c.Method = "GET"
	}
	c.Method = client.CanonicalMethod(c.Method) // one rule with visit
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Requests == 0 && c.Duration == 0 {
		c.Duration = defaultDuration
	}
	if c.Jar != "" {
		c.Shared = true
	}
	if c.Sessions == 0 && !c.Shared {
		c.Sessions = c.Concurrency
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = defaultProgressEvery
	}
	return c
}

// Validate reports the first setting of c that Run would refuse: a
// Concurrency below 1, a Timeout not above 0, a negative Requests,
// Duration, Rate or threshold, Sessions with Shared (or Jar), fewer
// Sessions than Concurrency, a URL that is not http or https, a session
// cookie in a Cookie header in per-session mode (ErrSessionCookieHeader),
// a Cookie header with Jar, a segment of a shared test without the
// session to continue (ErrSharedSegmentSession), an unknown Engine, EngineEpoll off Linux or
// with an https URL, negative Threads. Zero values that have a default
// (Requests, Duration, Sessions, Method) pass; Run applies withDefaults
// before it validates, so there a zero Concurrency or Timeout passes too.
// It does not require URLs (Run does), so that a caller can check its
// settings before it picks its targets.
func (c Config) Validate() error {
	switch {
	case c.Concurrency < 1:
		return fmt.Errorf("connections must be at least 1, not %d", c.Concurrency)
	case c.Requests < 0:
		return fmt.Errorf("requests must not be negative, not %d", c.Requests)
	case c.Duration < 0:
		return fmt.Errorf("duration must not be negative, not %s", c.Duration)
	case c.Rate < 0:
		return fmt.Errorf("rate must not be negative, not %g", c.Rate)
	case c.Timeout <= 0:
		return fmt.Errorf("timeout must be above 0, not %s", c.Timeout)
	case c.Thresholds.MaxP99 < 0 || c.Thresholds.MaxP50 < 0:
		return errors.New("latency limits must not be negative")
	case c.Thresholds.MaxErrors.N < 0 || c.Thresholds.MaxErrors.Pct < 0 || c.Thresholds.MaxErrors.Pct > 100:
		return fmt.Errorf("error limit %s: want a count (0 or more) or a percentage from 0%% to 100%%", c.Thresholds.MaxErrors)
	case c.Sessions < 0:
		return fmt.Errorf("sessions must not be negative, not %d", c.Sessions)
	case (c.Shared || c.Jar != "") && c.Sessions != 0:
		return errors.New("sessions and shared mode exclude each other: shared mode uses one session")
	case c.Sessions != 0 && c.Sessions < c.Concurrency:
		return fmt.Errorf("%d sessions for %d connections: a session's requests are sequential, so each connection needs at least one (or use shared mode)", c.Sessions, c.Concurrency)
	}
	if err := c.Segment.validate(); err != nil {
		return fmt.Errorf("segment %s: %w", c.Segment, err)
	}
	if _, err := c.withDefaults().segmented(); err != nil {
		return err
	}
	for _, raw := range c.URLs {
		if _, err := parseTarget(raw); err != nil {
			return err
		}
	}
	headerSession := false
	for _, kv := range c.Header {
		if !strings.EqualFold(kv[0], "Cookie") {
			continue
		}
		if c.Jar != "" {
			return errors.New("a jar and a Cookie header exclude each other: the jar gives the cookies")
		}
		var seeded userCookies
		seeded.seed(kv[1])
		if k := seeded.session(); k != nil {
			if !c.Shared {
				return fmt.Errorf("%w: %s would give every virtual user that one session; per-session mode gives each user its own, shared mode loads that one session", ErrSessionCookieHeader, k.name)
			}
			headerSession = true
		}
	}
	if c.Shared && !c.Segment.Whole() && c.Jar == "" && !headerSession {
		return fmt.Errorf("%w: segment %s would load a session of its own, and a merge would read the counters of several sessions as one", ErrSharedSegmentSession, c.Segment)
	}
	return c.validateEngine()
}

// ErrSharedSegmentSession is Validate's error for a share of a shared-mode
// test (Segment) with no session to continue (Jar, or a session cookie in
// a Cookie header): every agent of the test must load the one session
// made before it (CreateSession).
var ErrSharedSegmentSession = errors.New("an agent of a shared test needs the test's session")

// ErrSessionCookieHeader is Validate's error for a Cookie header that holds
// a session cookie in per-session mode: every virtual user would carry
// that one session, concurrently, and its counter would read as gaps.
var ErrSessionCookieHeader = errors.New("session cookie in the Cookie header")
