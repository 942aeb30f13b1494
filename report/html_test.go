package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/sessctl/sessctl/client/bench"
)

// sampleResult is a shared run with lost updates, 404s and a spectrum: a
// result with every part of the page to show.
func sampleResult() *bench.Result {
	res := &bench.Result{
		URLs: []string{"http://127.0.0.1:3000/", "http://127.0.0.1:3000/nope"}, Method: "GET", Connections: 20, Engine: "epoll",
		Requests: 4000, Successes: 2000, Answered: 4000, AnsweredS: 2, DurationS: 2, ThroughputRPS: 2000,
		Errors:       map[string]int64{"status_404": 2000},
		ErrorSamples: map[string]string{"status_404": "GET http://127.0.0.1:3000/nope: status 404"},
		Latency:      bench.Latency{Min: 0.05, Mean: 1.2, P50: 1.1, P90: 2, P99: 4.1, P999: 8, Max: 20.1},
		LatencySpectrum: &bench.Spectrum{TotalCount: 4000, MaxMs: 20.1, Points: []bench.SpectrumPoint{
			{ValueMs: 0.05, Percentile: 0, TotalCount: 1}, {ValueMs: 1.1, Percentile: 0.5, TotalCount: 2000},
			{ValueMs: 2, Percentile: 0.9, TotalCount: 3600}, {ValueMs: 4.1, Percentile: 0.99, TotalCount: 3960},
			{ValueMs: 8, Percentile: 0.999, TotalCount: 3996}, {ValueMs: 20.1, Percentile: 1, TotalCount: 4000}}},
		Series: []bench.SeriesPoint{
			{TS: 1, IntervalS: 1, RequestsPerS: 2100, ErrorsPerS: 1050, SuccessesPerS: 1050, ErrorsByClassPerS: map[string]float64{"status_4xx": 1050},
				Latency: &bench.SeriesLatency{P50: 1.1, P90: 2, P99: 4, P999: 7, Max: 19}},
			{TS: 2, IntervalS: 1, RequestsPerS: 1900, ErrorsPerS: 950, SuccessesPerS: 950, ErrorsByClassPerS: map[string]float64{"status_4xx": 950},
				Latency: &bench.SeriesLatency{P50: 1.2, P90: 2.1, P99: 4.2, P999: 8, Max: 20.1}},
		},
		Thresholds: []bench.Threshold{{Name: "max_errors", Limit: "0", Value: "2000 (50.0%)", OK: false}},
		Consistency: bench.Consistency{Mode: bench.ModeShared, Verdict: bench.VerdictInconsistent, CounterPath: "visitCount", IDPath: "sid",
			Checked: 2000, Sessions: 1, SessionsCreated: 1, InitialCounter: 1, FinalCounter: 62, ExpectedFinal: 2001,
			LostUpdates: 1939, LostUpdatesPct: 96.95, Duplicates: 1938, SessionCookie: "connect.sid", SessionFormat: "express"},
	}
	return res
}

func renderHTML(t *testing.T, runs ...BenchRun) string {
	t.Helper()
	var b bytes.Buffer
	if err := BenchHTML(&b, runs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// externalRefs lists what in page would make a browser fetch or link
// anything: every attribute that takes a URL (src, href, srcset, action,
// ...) on any element, and url() or @import in CSS.
func externalRefs(page string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(page))
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			inStyle = tok.Data == "style"
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Key) {
				case "src", "href", "srcset", "action", "formaction", "poster", "data", "background", "ping", "manifest":
					out = append(out, tok.Data+" "+a.Key+"="+a.Val)
				case "style":
					if cssFetches(a.Val) {
						out = append(out, tok.Data+" style="+a.Val)
					}
				}
			}
		case html.TextToken:
			if inStyle && cssFetches(string(z.Text())) {
				out = append(out, "<style> with url() or @import")
			}
		case html.EndTagToken:
			inStyle = false
		}
	}
}

func cssFetches(css string) bool {
	css = strings.ToLower(css)
	return strings.Contains(css, "url(") || strings.Contains(css, "@import")
}

func TestBenchHTMLShowsEverything(t *testing.T) {
	page := renderHTML(t, BenchRun{Label: "shared.json", Result: sampleResult()})
	for _, want := range []string{
		`id="latency-spectrum"`, `id="throughput"`, `id="latency-series-1"`, `id="errors-series-1"`,
		`>INCONSISTENT<`, "lost updates", "1,939 (97.0%)", "1 → 62, expected 2,001", "duplicates",
		"status_404", "GET http://127.0.0.1:3000/nope: status 404", "limit 0: 2000 (50.0%), fails",
		"99.9%", "99.99%", "requests/s", "latency (ms)", "time since the start (s)", "connect.sid (express)",
		"http://127.0.0.1:3000/nope", "2,000 req/s", "epoll", "20.1",
		"status_4xx", "successes/s", ">p50<", ">p90<", ">p99<", ">max<",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	if refs := externalRefs(page); len(refs) > 0 {
		t.Errorf("the page links or fetches: %q", refs)
	}
	if !strings.Contains(page, `id="latency-series-1" class="plot" viewBox="0 0 1100 280"`) || strings.Contains(page, `class="pair"`) {
		t.Error("one run's charts are not the page's width")
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("html/template refused a value (ZgotmplZ)")
	}
	// Each chart's legend has a key per line drawn, and no other.
	for _, fig := range strings.Split(page, "<figure>")[1:] {
		if k, p := strings.Count(fig, `class="key"`), strings.Count(fig, "<path "); k != p {
			t.Errorf("a chart with %d lines has %d keys: %.80s", p, k, fig)
		}
	}
	// The frame goes under the lines: one at 0 is drawn, not hidden.
	if f, p := strings.Index(page, `<rect class="frame"`), strings.Index(page, `<path class=`); f < 0 || p < 0 || f > p {
		t.Error("a chart's frame is drawn over its lines")
	}
}

func TestBenchHTMLEscapes(t *testing.T) {
	res := sampleResult()
	hostile := "http://x/<script>alert(1)</script>"
	res.URLs = []string{hostile}
	res.Errors = map[string]int64{"status_500": 1}
	res.ErrorSamples = map[string]string{"status_500": `GET <img src=x onerror=alert(2)>: status 500` + "\x1b[31m\u202e"}
	res.ErrorsByURL = map[string]map[string]int64{hostile: {"status_500": 1}}
	res.Consistency.SessionCookie = `"><svg onload=alert(3)>`
	res.Consistency.Note = "</textarea><script>alert(4)</script>"
	res.Aborted = "<iframe src=//evil>"
	res.Consistency.CounterPath = "<b>count</b>"
	page := renderHTML(t, BenchRun{Label: "<script>alert(5)</script>", Result: res})
	for _, bad := range []string{"<script>alert", "<img", "<svg onload", "<iframe", "<b>count", "\x1b", "\u202e"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q as it is", bad)
		}
	}
	for _, want := range []string{"http://x/&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", `\x1b[31m\u202e`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q (escaped) in the page", want)
		}
	}
	if refs := externalRefs(page); len(refs) > 0 {
		t.Errorf("the page links or fetches: %q", refs)
	}
}

func TestBenchHTMLClipsLongTexts(t *testing.T) {
	res := sampleResult()
	long := "http://127.0.0.1/" + strings.Repeat("a", 100000)
	res.URLs = []string{long}
	res.ErrorSamples = map[string]string{"status_404": strings.Repeat("b", 100000)}
	res.Consistency.Verdict = strings.Repeat("V", 100000) // a result file says what it likes
	res.Consistency.Mode = strings.Repeat("m", 100000)
	page := renderHTML(t, BenchRun{Label: strings.Repeat("c", 100000), Result: res})
	if len(page) > 100000 {
		t.Errorf("the page is %d bytes: long texts are not cut", len(page))
	}
	if !strings.Contains(page, "a…") || !strings.Contains(page, "b…") || !strings.Contains(page, "c…") {
		t.Error("a cut text does not end in …")
	}
}

func TestBenchHTMLOlderSeries(t *testing.T) {
	// A result of a sessctl whose series had no latency nor classes.
	res := sampleResult()
	res.Series = []bench.SeriesPoint{{TS: 1, IntervalS: 1, RequestsPerS: 2100, ErrorsPerS: 1050}, {TS: 2, IntervalS: 1, RequestsPerS: 1900, ErrorsPerS: 950}}
	page := renderHTML(t, BenchRun{Label: "old.json", Result: res})
	for _, want := range []string{"no per-second latency in the result", "successes/s", "<title>errors</title>"} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
}

func TestBenchHTMLEmpty(t *testing.T) {
	// A run that got no answer: no spectrum, no series, nothing set.
	for _, res := range []*bench.Result{{}, {Requests: 10, Errors: map[string]int64{"connect": 10},
		Consistency: bench.Consistency{Mode: bench.ModePerSession, Verdict: bench.VerdictUnchecked}}} {
		page := renderHTML(t, BenchRun{Label: "empty", Result: res})
		for _, want := range []string{`id="latency-spectrum"`, "no answer: no latency to show", "UNCHECKED", "no per-second series"} {
			if !strings.Contains(page, want) {
				t.Errorf("%+v: no %q in the page", res, want)
			}
		}
	}
	page := renderHTML(t, BenchRun{Label: "none", Result: &bench.Result{Consistency: bench.Consistency{Mode: bench.ModeNone, Verdict: bench.VerdictUnchecked}}})
	if !strings.Contains(page, "no errors") || !strings.Contains(page, "not checked") {
		t.Error("a run without errors or check does not say so")
	}
	if err := BenchHTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("no run: no error")
	}
}

func TestBenchHTMLSideBySide(t *testing.T) {
	a := sampleResult()
	b := sampleResult()
	b.Consistency = bench.Consistency{Mode: bench.ModePerSession, Verdict: bench.VerdictConsistent, CounterPath: "visitCount", Sessions: 20, Checked: 4000, Gaps: 0}
	b.Errors, b.ErrorSamples = map[string]int64{}, map[string]string{}
	b.Series = []bench.SeriesPoint{{TS: 1, IntervalS: 1, RequestsPerS: 2000}, {TS: 2, IntervalS: 1, RequestsPerS: 2100}, {TS: 3, IntervalS: 1, RequestsPerS: 2500}}
	page := renderHTML(t, BenchRun{Label: "before.json", Result: a}, BenchRun{Label: "after.json", Result: b})
	for _, want := range []string{"2 runs side by side", `id="latency-series-2"`, `id="errors-series-2"`, ">before.json</th>", ">after.json</th>",
		">CONSISTENT<", ">INCONSISTENT<", "gaps", "lost updates", "no errors",
		// Each run's charts in pairs, half as wide; the shared ones whole.
		`class="pair"`, `id="latency-series-2" class="plot" viewBox="0 0 540 280"`, `id="throughput" class="plot" viewBox="0 0 1100 300"`} {
		if !strings.Contains(page, want) {
			t.Errorf("no %q in the page", want)
		}
	}
	// Both spectra on one chart: two lines in it.
	spectrum := page[strings.Index(page, `id="latency-spectrum"`):]
	spectrum = spectrum[:strings.Index(spectrum, "</svg>")]
	if n := strings.Count(spectrum, "<path"); n != 2 {
		t.Errorf("the spectrum chart has %d lines, want 2", n)
	}
}

func TestWriteBenchHTMLFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.html")
	if err := WriteBenchHTMLFile(path, []BenchRun{{Label: "x", Result: sampleResult()}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Fatalf("%v: %.40q", err, b)
	}
	err = WriteBenchHTMLFile(filepath.Join(dir, "no", "r.html"), []BenchRun{{Label: "x", Result: sampleResult()}})
	if err == nil || !strings.Contains(err.Error(), "r.html") {
		t.Errorf("a missing folder: %v", err)
	}
}

func TestBenchHTMLTruncatedSeries(t *testing.T) {
	res := sampleResult()
	if page := renderHTML(t, BenchRun{Label: "x", Result: res}); strings.Contains(page, "the series keeps no more") {
		t.Error("a whole series is said to be cut")
	}
	res.SeriesTruncated = true
	if page := renderHTML(t, BenchRun{Label: "x", Result: res}); !strings.Contains(page, "the per-second charts show the first 3,600 seconds") {
		t.Error("a series cut at its hour does not say so")
	}
}

func TestChartedSeries(t *testing.T) {
	pts := []bench.SeriesPoint{{TS: 1, IntervalS: 1}, {TS: 2, IntervalS: 1}, {TS: 2.02, IntervalS: 0.02}}
	if got := chartedSeries(&bench.Result{Series: pts}); len(got) != 2 {
		t.Errorf("a last interval of 20ms is charted: %v", got)
	}
	if got := chartedSeries(&bench.Result{Series: pts[2:]}); len(got) != 1 {
		t.Errorf("a run's only interval is not charted: %v", got)
	}
	if got := chartedSeries(&bench.Result{Series: pts[:2]}); len(got) != 2 {
		t.Errorf("whole seconds: %v", got)
	}
}
