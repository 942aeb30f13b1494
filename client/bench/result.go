package bench

import "github.com/HdrHistogram/hdrhistogram-go"

// Verdicts of a bench run's consistency check.
const (
	// VerdictConsistent: every checked response continued its session's
	// counter as expected.
	VerdictConsistent = "CONSISTENT"
	// VerdictInconsistent: at least one anomaly (lost update, duplicate, gap,
	// repeat, regression, reset or id change) was seen.
	VerdictInconsistent = "INCONSISTENT"
	// VerdictUnchecked: no check was made, because --counter was empty or no
	// response could be checked.
	VerdictUnchecked = "UNCHECKED"
)

// Consistency modes of a bench run.
const (
	// ModePerSession: each virtual user has its own session and sends its
	// requests one after another, so its counter must read 1, 2, 3, ...
	ModePerSession = "per_session"
	// ModeShared: every request carries one session created before the run;
	// final minus initial counter must equal the successful responses.
	ModeShared = "shared"
	// ModeNone: the counter is not checked (--counter "").
	ModeNone = "none"
)

// Result is what a bench run measured. Its JSON field names are a
// contract (see report's package doc and the README).
type Result struct {
	// URLs are the targets, taken round-robin.
	URLs []string `json:"urls"`
	// Method is the request method, GET unless set.
	Method string `json:"method"`
	// Connections is the number of workers, each with its own keep-alive
	// connection per URL (-c).
	Connections int `json:"connections"`
	// Engine is the engine that ran the load: epoll (event loops on
	// non-blocking sockets, plain http on Linux) or goroutine (a goroutine
	// per connection on net.Conn).
	Engine string `json:"engine"`
	// RateRPS is the target arrival rate of an open-model run (--rate); 0
	// for a closed-model run, where each worker sends as fast as it can.
	RateRPS float64 `json:"rate_rps"`
	// Segment is the agent's share of the test (--segment) in the FROM:TO
	// form ("1/3:2/3"); absent for the whole test. Connections, RateRPS
	// and the counts are the segment's.
	Segment string `json:"segment,omitempty"`
	// Requests counts the requests sent or tried: successes plus errors
	// (unfinished ones included).
	// The shared session's setup and final probe are not counted.
	Requests int64 `json:"requests"`
	// Successes counts 2xx responses whose counter could be read (any 2xx
	// when the counter is not checked).
	Successes int64 `json:"successes"`
	// Errors counts failed requests by class: connect, timeout, closed
	// (the server closed or reset the connection), protocol (a response
	// that is not HTTP/1.x), no_counter (a 2xx body without the counter),
	// status_NNN (a non-2xx status), unfinished (sent, and unanswered when
	// the run ended). Never null.
	Errors map[string]int64 `json:"errors"`
	// ErrorsByURL is Errors for each URL that had any. Never null.
	ErrorsByURL map[string]map[string]int64 `json:"errors_by_url"`
	// ErrorSamples holds one error message per class, to tell what went
	// wrong and where (the URL, how far the request got). Never null.
	ErrorSamples map[string]string `json:"error_samples"`
	// Answered counts the requests that got a complete response, of any
	// status; AnsweredS is the time from the start to the last of them.
	Answered  int64   `json:"answered"`
	AnsweredS float64 `json:"answered_s"`
	// UnfinishedOldestS is the age of the oldest unfinished request, in
	// seconds; 0 when none.
	UnfinishedOldestS float64 `json:"unfinished_oldest_s,omitempty"`
	// DurationS is the wall time of the load, in seconds.
	DurationS float64 `json:"duration_s"`
	// ThroughputRPS is Answered divided by AnsweredS: the rate while the
	// target answered, not diluted by a target that stopped; 0 when
	// nothing was answered.
	ThroughputRPS float64 `json:"throughput_rps"`
	// Latency is the distribution of response times of completed requests,
	// measured from the intended send time in an open-model run.
	Latency Latency `json:"latency_ms"`
	// LatencySpectrum is the full percentile distribution of the same
	// latencies (HdrHistogram's percentile table); absent when nothing
	// was answered.
	LatencySpectrum *Spectrum `json:"latency_spectrum,omitempty"`
	// Histogram is the HDR histogram behind Latency (µs, 1 µs to an hour,
	// three significant digits), to merge runs exactly; not in the JSON.
	// Each second's is in SeriesPoint.Histogram.
	Histogram *hdrhistogram.Histogram `json:"-"`
	// Series is the run second by second (at most MaxSeriesPoints points,
	// the first hour; SeriesTruncated is true past it). Never null.
	Series          []SeriesPoint `json:"series"`
	SeriesTruncated bool          `json:"series_truncated,omitempty"`
	// BytesRead counts response bytes (status line, headers and body).
	BytesRead int64 `json:"bytes_read"`
	// BytesWritten counts request bytes.
	BytesWritten int64 `json:"bytes_written"`
	// Aborted says why the run stopped early (the target went away or
	// stopped answering); empty when it ran to its end.
	Aborted string `json:"aborted,omitempty"`
	// Stalled says that the target stopped answering before the end: some
	// requests were unfinished and nothing was answered in the grace
	// period before the end (2s, or Timeout when shorter); empty otherwise.
	Stalled string `json:"stalled,omitempty"`
	// Interrupted is true when the run was cancelled (Ctrl-C).
	Interrupted bool `json:"interrupted,omitempty"`
	// Thresholds are the run's limits (Config.Thresholds) and whether each
	// held. Never null.
	Thresholds []Threshold `json:"thresholds"`
	// Consistency is the session-counter check.
	Consistency Consistency `json:"consistency"`

	// rec is what the result file (File) needs beyond the JSON.
	rec *runRecord
}

// Latency is a latency distribution in milliseconds, from an HDR histogram
// with microsecond resolution and three significant digits.
type Latency struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

// latencyOf summarises h (microseconds) in milliseconds; zero when empty.
func latencyOf(h *hdrhistogram.Histogram) Latency {
	if h.TotalCount() == 0 {
		return Latency{}
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return Latency{
		Min:  ms(h.Min()),
		Mean: h.Mean() / 1000,
		P50:  ms(h.ValueAtQuantile(50)),
		P90:  ms(h.ValueAtQuantile(90)),
		P99:  ms(h.ValueAtQuantile(99)),
		P999: ms(h.ValueAtQuantile(99.9)),
		Max:  ms(h.Max()),
	}
}

// Consistency is the verdict of the session-counter check and the counts
// behind it. Counts that do not apply to the mode stay 0.
type Consistency struct {
	// Mode is per_session, shared or none.
	Mode string `json:"mode"`
	// Verdict is CONSISTENT, INCONSISTENT or UNCHECKED.
	Verdict string `json:"verdict"`
	// CounterPath and IDPath are the JSON paths read from each body.
	CounterPath string `json:"counter_path"`
	IDPath      string `json:"id_path"`
	// Checked counts the responses whose counter was checked.
	Checked int64 `json:"checked"`
	// Sessions is the number of sessions the run meant to use: one per
	// virtual user, or 1 in shared mode.
	Sessions int `json:"sessions"`
	// SessionsCreated counts the fresh sessions seen (a 201, or a
	// Set-Cookie with a new value, where no session was held or where it
	// should have continued); ExtraSessions is SessionsCreated beyond
	// Sessions.
	SessionsCreated int64 `json:"sessions_created"`
	ExtraSessions   int64 `json:"extra_sessions"`

	// Gaps: the counter jumped past the next value (per-session mode).
	Gaps int64 `json:"gaps"`
	// Repeats: the counter read the same value twice in a row.
	Repeats int64 `json:"repeats"`
	// Regressions: the counter went back without a fresh session (in shared
	// mode: below the initial value).
	Regressions int64 `json:"regressions"`
	// Resets: a fresh session where the old one should have continued.
	Resets int64 `json:"resets"`
	// IDChanges: the session id in the body changed within a session.
	IDChanges int64 `json:"id_changes"`

	// InitialCounter and FinalCounter are the shared session's counter
	// after its creation and after the load (read by one more request and
	// less that request's own increment); shared mode only.
	InitialCounter int64 `json:"initial_counter"`
	FinalCounter   int64 `json:"final_counter"`
	// ExpectedFinal is InitialCounter plus the successes on the shared
	// session.
	ExpectedFinal int64 `json:"expected_final"`
	// LostUpdates is ExpectedFinal minus FinalCounter (never below 0), and
	// LostUpdatesPct that as a percentage of the successes.
	LostUpdates    int64   `json:"lost_updates"`
	LostUpdatesPct float64 `json:"lost_updates_pct"`
	// Duplicates counts responses that carried a counter value another
	// response had already carried (shared mode).
	Duplicates int64 `json:"duplicates"`
	// FinalUnknown is set when the final counter could not be read; the
	// lost updates are then unknown (0).
	FinalUnknown string `json:"final_unknown,omitempty"`

	// SessionCookie is the name of the cookie that carries the session
	// (the shared one, or the first virtual user's) and SessionFormat its
	// format as decode names it (express, opaque, flask, cookie-session,
	// ...); both empty when no cookie looked like a session's.
	SessionCookie string `json:"session_cookie,omitempty"`
	SessionFormat string `json:"session_format,omitempty"`
	// SessionInCookie is true when the session lives in the cookie itself
	// (Flask, Django signed_cookies, cookie-session, koa-session, gorilla,
	// Rails, JWT): each response re-issues it, which is not a new session.
	SessionInCookie bool `json:"session_in_cookie,omitempty"`
	// Note explains the verdict where the figures alone would mislead:
	// in shared mode on a session in the cookie, why concurrent requests
	// lose updates by design.
	Note string `json:"note,omitempty"`
}

// Response is one complete response as Config.OnResponse sees it.
type Response struct {
	Status int
	// SetCookies are the Set-Cookie values; Header the values of
	// Config.KeepHeader.
	SetCookies [][]byte
	Header     [][]byte
	// Body is at most the first MiB of the body.
	Body []byte
}
