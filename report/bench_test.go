package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sessctl/sessctl/client/bench"
)

func sharedLossResult() *bench.Result {
	return &bench.Result{
		URLs: []string{"http://127.0.0.1:3000/"}, Method: "GET", Connections: 50,
		Requests: 2002, Successes: 2000,
		Errors:       map[string]int64{"timeout": 1, "status_503": 1},
		ErrorSamples: map[string]string{"timeout": "GET http://127.0.0.1:3000/: i/o timeout", "status_503": "GET http://127.0.0.1:3000/: status 503"},
		DurationS:    0.5412, ThroughputRPS: 3699.2,
		Latency:   bench.Latency{Min: 0.412, Mean: 13.5, P50: 12.1, P90: 20.3, P99: 41.9, P999: 60.2, Max: 61.0},
		BytesRead: 512000, BytesWritten: 250000,
		Consistency: bench.Consistency{
			Mode: bench.ModeShared, Verdict: bench.VerdictInconsistent, CounterPath: "visitCount", IDPath: "sid",
			Checked: 2000, Sessions: 1, SessionsCreated: 1, InitialCounter: 1, FinalCounter: 62, ExpectedFinal: 2001,
			LostUpdates: 1939, LostUpdatesPct: 96.95, Duplicates: 1938,
		},
	}
}

func perSessionResult() *bench.Result {
	return &bench.Result{
		URLs: []string{"http://127.0.0.1:3001/", "http://127.0.0.1:3002/"}, Method: "GET", Connections: 100, RateRPS: 5000,
		Requests: 20000, Successes: 20000, Errors: map[string]int64{}, ErrorSamples: map[string]string{},
		DurationS: 4.0002, ThroughputRPS: 4999.75,
		Latency:   bench.Latency{Min: 0.05, Mean: 0.8, P50: 0.61, P90: 1.2, P99: 4.1, P999: 9.9, Max: 150.3},
		BytesRead: 5 << 20, BytesWritten: 3 << 20,
		Consistency: bench.Consistency{
			Mode: bench.ModePerSession, Verdict: bench.VerdictConsistent, CounterPath: "visitCount", IDPath: "sid",
			Checked: 20000, Sessions: 100, SessionsCreated: 100,
		},
	}
}

// cookieSharedResult is --shared on a session that lives in the cookie,
// with the default threshold held and a latency threshold failed.
func cookieSharedResult() *bench.Result {
	return &bench.Result{
		URLs: []string{"http://127.0.0.1:3000/"}, Method: "GET", Connections: 8,
		Requests: 400, Successes: 400, Answered: 400, AnsweredS: 0.25,
		Errors: map[string]int64{}, ErrorSamples: map[string]string{}, ErrorsByURL: map[string]map[string]int64{},
		DurationS: 0.25, ThroughputRPS: 1600,
		Latency:   bench.Latency{Min: 0.3, Mean: 4.8, P50: 4.1, P90: 8.2, P99: 12.5, P999: 15.0, Max: 15.2},
		BytesRead: 120000, BytesWritten: 90000,
		Thresholds: []bench.Threshold{{Name: "max_errors", Limit: "0", Value: "0 (0.0%)", OK: true},
			{Name: "max_p99", Limit: "10ms", Value: "12.5ms", OK: false}},
		Consistency: bench.Consistency{
			Mode: bench.ModeShared, Verdict: bench.VerdictInconsistent, CounterPath: "visitCount", IDPath: "sid",
			Checked: 400, Sessions: 1, SessionsCreated: 1, InitialCounter: 1, FinalCounter: 1, ExpectedFinal: 401,
			LostUpdates: 400, LostUpdatesPct: 100, Duplicates: 399,
			SessionCookie: "session", SessionFormat: "cookie-session", SessionInCookie: true,
			Note: "the session lives in the cookie session (cookie-session): each response re-issues it with the new state, " +
				"so the client holds the state and concurrent requests on one cookie cannot see each other's updates; " +
				"the last writer wins, by design, and every other update is lost",
		},
	}
}

// stalledResult is a target frozen mid-run: two URLs, one of them failing
// too, requests unanswered at the end.
func stalledResult() *bench.Result {
	return &bench.Result{
		URLs: []string{"http://127.0.0.1:3001/", "http://127.0.0.1:3002/"}, Method: "GET", Connections: 4,
		Requests: 254, Successes: 200, Answered: 250, AnsweredS: 0.2, UnfinishedOldestS: 3.3,
		Errors: map[string]int64{"status_404": 50, "unfinished": 4},
		ErrorsByURL: map[string]map[string]int64{
			"http://127.0.0.1:3001/": {"unfinished": 2},
			"http://127.0.0.1:3002/": {"status_404": 50, "unfinished": 2},
		},
		ErrorSamples: map[string]string{"status_404": "GET http://127.0.0.1:3002/: status 404",
			"unfinished": "GET http://127.0.0.1:3001/: connected, request sent, no answer for 3.3s when the run ended"},
		DurationS: 3.5, ThroughputRPS: 1250,
		Latency: bench.Latency{Min: 0.5, Mean: 2.1, P50: 1.9, P90: 3.0, P99: 5.5, P999: 6.0, Max: 6.1},
		Stalled: "the target stopped answering: nothing answered in the last 3.3s; 4 requests unanswered when the run ended " +
			"(GET http://127.0.0.1:3001/: connected, request sent, no answer for 3.3s when the run ended)",
		Thresholds: []bench.Threshold{{Name: "max_errors", Limit: "0", Value: "54 (21.3%)", OK: false}},
		Consistency: bench.Consistency{Mode: bench.ModePerSession, Verdict: bench.VerdictConsistent, CounterPath: "visitCount",
			IDPath: "sid", Checked: 200, Sessions: 4, SessionsCreated: 4, SessionCookie: "connect.sid", SessionFormat: "express"},
	}
}

// nothingAnsweredResult is a hung server: every request unfinished.
func nothingAnsweredResult() *bench.Result {
	return &bench.Result{
		URLs: []string{"http://127.0.0.1:3000/"}, Method: "GET", Connections: 2, Requests: 2, UnfinishedOldestS: 2.3,
		Errors:       map[string]int64{"unfinished": 2},
		ErrorsByURL:  map[string]map[string]int64{"http://127.0.0.1:3000/": {"unfinished": 2}},
		ErrorSamples: map[string]string{"unfinished": "GET http://127.0.0.1:3000/: connected, request sent, no answer for 2.3s when the run ended"},
		DurationS:    2.3, BytesWritten: 136,
		Stalled: "the target stopped answering: no request was ever answered; 2 requests unanswered when the run ended " +
			"(GET http://127.0.0.1:3000/: connected, request sent, no answer for 2.3s when the run ended)",
		Thresholds:  []bench.Threshold{{Name: "max_errors", Limit: "0", Value: "2 (100.0%)", OK: false}},
		Consistency: bench.Consistency{Mode: bench.ModePerSession, Verdict: bench.VerdictUnchecked, CounterPath: "visitCount", IDPath: "sid", Sessions: 2},
	}
}

func TestBenchTextGolden(t *testing.T) {
	for _, test := range []struct {
		name    string
		res     *bench.Result
		profile termenv.Profile
	}{
		{"shared-loss.txt", sharedLossResult(), termenv.Ascii},
		{"shared-loss.ansi", sharedLossResult(), termenv.ANSI256},
		{"per-session.txt", perSessionResult(), termenv.Ascii},
		{"cookie-shared.txt", cookieSharedResult(), termenv.Ascii},
		{"cookie-shared.ansi", cookieSharedResult(), termenv.ANSI256},
		{"stalled.txt", stalledResult(), termenv.Ascii},
		{"nothing-answered.txt", nothingAnsweredResult(), termenv.Ascii},
	} {
		t.Run(test.name, func(t *testing.T) {
			var buf bytes.Buffer
			r := lipgloss.NewRenderer(&buf)
			r.SetColorProfile(test.profile)
			if err := benchText(&buf, r, test.res); err != nil {
				t.Fatal(err)
			}
			if hasANSI := bytes.Contains(buf.Bytes(), []byte("\x1b[")); hasANSI != (test.profile != termenv.Ascii) {
				t.Errorf("profile %v: ANSI escapes %v", test.profile, hasANSI)
			}
			checkGolden(t, "bench", test.name, buf.Bytes())
		})
	}
}

func TestBenchJSONFields(t *testing.T) {
	s, _, out, _ := Test()
	res := sharedLossResult()
	res.Errors, res.ErrorSamples = nil, nil
	if err := BenchJSON(s, res); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"urls", "method", "connections", "rate_rps", "requests", "successes", "errors", "error_samples",
		"duration_s", "throughput_rps", "latency_ms", "bytes_read", "bytes_written", "consistency",
		"errors_by_url", "answered", "answered_s", "thresholds"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	if _, ok := doc["aborted"]; ok {
		t.Error("aborted present in a complete run")
	}
	for _, want := range []string{`"errors": {}`, `"errors_by_url": {}`, `"thresholds": []`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("nil not written as %s:\n%s", want, out)
		}
	}
	for _, k := range []string{"stalled", "unfinished_oldest_s"} {
		if _, ok := doc[k]; ok {
			t.Errorf("%s present in a complete run", k)
		}
	}
	c := doc["consistency"].(map[string]any)
	for _, k := range []string{"mode", "verdict", "lost_updates", "lost_updates_pct", "duplicates", "gaps", "repeats",
		"regressions", "resets", "id_changes", "sessions", "sessions_created", "extra_sessions", "initial_counter", "final_counter", "expected_final"} {
		if _, ok := c[k]; !ok {
			t.Errorf("no consistency.%s", k)
		}
	}
	l := doc["latency_ms"].(map[string]any)
	for _, k := range []string{"min", "mean", "p50", "p90", "p99", "p99_9", "max"} {
		if _, ok := l[k]; !ok {
			t.Errorf("no latency_ms.%s", k)
		}
	}
}

func TestBenchProgressOnlyOnTTY(t *testing.T) {
	s, _, _, errOut := Test()
	p := NewProgressLine(s)
	if p.Func() != nil {
		t.Error("progress callback on a pipe")
	}
	p.Update(bench.Progress{Done: 5})
	p.Clear()
	if errOut.Len() != 0 {
		t.Errorf("progress drawn on a pipe: %q", errOut)
	}
	s.ErrTTY = true
	p = NewProgressLine(s)
	p.Func()(bench.Progress{Done: 1500, Total: 20000, Errors: 2, RateRPS: 3000.4, Elapsed: 500e6, Remaining: 5e9})
	p.Clear()
	if got := errOut.String(); !strings.Contains(got, "1,500/20,000 requests  3,000 req/s  2 errors  500ms elapsed  5s left") || !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("progress %q", got)
	}
}

// TestBenchTextEscapesSessionCookie: the session cookie's name comes from
// the server (cookie.ParseSetCookie refuses C0 controls, not a bidi
// override or a C1 byte), and the note names it too.
func TestBenchTextEscapesSessionCookie(t *testing.T) {
	res := cookieSharedResult()
	name := "sess\u202eion\x9b"
	res.Consistency.SessionCookie = name
	res.Consistency.Note = strings.ReplaceAll(res.Consistency.Note, "cookie session", "cookie "+name)
	var buf bytes.Buffer
	if err := benchText(&buf, lipgloss.NewRenderer(&buf), res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "\u202e") || strings.Contains(out, "\x9b") || strings.Count(out, `sess\u202eion\x9b`) != 2 {
		t.Fatalf("not escaped:\n%s", out)
	}
}
