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

func TestBenchTextGolden(t *testing.T) {
	for _, test := range []struct {
		name    string
		res     *bench.Result
		profile termenv.Profile
	}{
		{"shared-loss.txt", sharedLossResult(), termenv.Ascii},
		{"shared-loss.ansi", sharedLossResult(), termenv.ANSI256},
		{"per-session.txt", perSessionResult(), termenv.Ascii},
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
		"duration_s", "throughput_rps", "latency_ms", "bytes_read", "bytes_written", "consistency"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q", k)
		}
	}
	if _, ok := doc["aborted"]; ok {
		t.Error("aborted present in a complete run")
	}
	if !strings.Contains(out.String(), `"errors": {}`) {
		t.Errorf("nil errors not written as {}:\n%s", out)
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
