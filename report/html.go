package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/client/bench"
)

// This file holds bench's HTML report (bench -o html, --html, bench
// report): the page's data built from the runs' results, written by the
// template bench_html.tmpl with the charts of svg.go.

//go:embed bench_html.tmpl
var benchHTMLTemplate string

var benchHTMLTmpl = template.Must(template.New("bench").Parse(benchHTMLTemplate))

// BenchRun is one run of an HTML report: its result, and the label that
// names it in the legends and over its column of the summary (a file
// name, --label, or the URL of a run just made).
type BenchRun struct {
	Label  string
	Result *bench.Result
}

// BenchHTML writes runs as one self-contained HTML document to w: inline
// SVG charts and CSS, nothing fetched from elsewhere, readable without
// network. It shows the latency percentile spectrum of every run on one
// chart (HdrHistogram's percentile plot), the requests per second of
// every run on one time axis, each run's latency percentiles per second
// and errors per second by class (on axes shared between the runs), each
// run's consistency verdict with its figures, and a summary with one
// column per run. Texts from the server (URLs, error samples, cookie
// names, notes) are escaped and cut to a bounded length.
func BenchHTML(w io.Writer, runs []BenchRun) error {
	if len(runs) == 0 {
		return fmt.Errorf("no bench result to report")
	}
	return benchHTMLTmpl.Execute(w, newBenchPage(runs))
}

// WriteBenchHTMLFile writes BenchHTML's document to the file at path as
// a whole or not at all (client.WriteFileAtomic: a symlink is followed,
// the mode of the file it replaces kept, 0644 for a new one).
func WriteBenchHTMLFile(path string, runs []BenchRun) error {
	var buf bytes.Buffer
	if err := BenchHTML(&buf, runs); err != nil {
		return err
	}
	if err := client.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write the HTML report %s: %w", path, err)
	}
	return nil
}

// Limits on the texts of the page, in characters: a label, a URL, and a
// message (an error sample, a note, why a run stopped).
const (
	htmlLabelMax   = 80
	htmlURLMax     = 200
	htmlMessageMax = 400
)

// htmlText makes a text from outside fit the page: control and bidi
// characters escaped (escape, as for a terminal), then cut to at most n
// characters. html/template escapes it for HTML.
func htmlText(s string, n int) string { return clip(escape(s), n) }

// Palettes: runs take runColours in order; the lines of a run's
// latency chart and the error classes have colours of their own, so that
// a colour means one thing on a chart.
var (
	runColours   = []string{"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#edc948", "#ff9da7", "#bab0ac", "#e15759"}
	errorColours = []string{"#e15759", "#f28e2b", "#b07aa1", "#edc948", "#9c755f", "#ff9da7", "#76b7b2", "#59a14f", "#4e79a7", "#bab0ac"}
)

// percentileLines are the per-second latency lines, fastest first.
var percentileLines = []struct {
	name, colour string
	value        func(bench.SeriesLatency) float64
}{
	{"p50", "#4e79a7", func(l bench.SeriesLatency) float64 { return l.P50 }},
	{"p90", "#59a14f", func(l bench.SeriesLatency) float64 { return l.P90 }},
	{"p99", "#f28e2b", func(l bench.SeriesLatency) float64 { return l.P99 }},
	{"max", "#e15759", func(l bench.SeriesLatency) float64 { return l.Max }},
}

// benchPage is what the template writes.
type benchPage struct {
	Title       string
	Subtitle    string
	Runs        []runCard
	Spectrum    chartView
	Throughput  chartView
	Latency     []chartView
	Errors      []chartView
	Paired      bool     // Latency and Errors two by two
	Labels      []string // the summary's column headings
	Summary     []tableRow
	Consistency []tableRow
	Samples     []sampleGroup
}

// runCard is a run's verdict at the top of the page.
type runCard struct {
	Label, Colour    string
	Verdict, Class   string
	Load, Check      string
	Stopped, Note    string
	ThresholdsFailed string
	// Truncated says that the per-second charts show the run's first
	// hour only; "" when they show all of it.
	Truncated string
}

// tableRow is a row of the summary: a label and one cell per run; a row
// with Group set is a heading over the rows after it.
type tableRow struct {
	Label string
	Group bool
	Cells []tableCell
}

// tableCell is one run's figure; Class is good, bad, warn or empty.
type tableCell struct {
	Text, Class string
}

// sampleGroup is a run's error messages, one per class.
type sampleGroup struct {
	Label   string
	Samples []errorSample
}

type errorSample struct {
	Class, Count, Message string
}

func newBenchPage(runs []BenchRun) benchPage {
	p := benchPage{Title: "sessctl bench"}
	if len(runs) == 1 {
		p.Subtitle = htmlText(runs[0].Label, htmlURLMax)
	} else {
		p.Subtitle = fmt.Sprintf("%d runs side by side", len(runs))
	}
	for i, r := range runs {
		p.Labels = append(p.Labels, htmlText(r.Label, htmlLabelMax))
		p.Runs = append(p.Runs, newRunCard(r, runColours[i%len(runColours)]))
	}
	p.Spectrum = spectrumChart(runs).view()
	p.Throughput = throughputChart(runs).view()
	// Several runs' charts go in pairs, side by side, with half as many
	// gridlines across.
	for _, c := range latencyCharts(runs) {
		p.Latency = append(p.Latency, c.view())
	}
	for _, c := range errorCharts(runs) {
		p.Errors = append(p.Errors, c.view())
	}
	p.Paired = len(runs) > 1
	p.Summary = summaryRows(runs)
	p.Consistency = consistencyRows(runs)
	for _, r := range runs {
		if g := samplesOf(r); len(g.Samples) > 0 {
			p.Samples = append(p.Samples, g)
		}
	}
	return p
}

// verdictClass is the colour of a verdict: good, bad or warn.
func verdictClass(v string) string {
	switch v {
	case bench.VerdictConsistent:
		return "good"
	case bench.VerdictInconsistent:
		return "bad"
	}
	return "warn"
}

func newRunCard(r BenchRun, colour string) runCard {
	res := r.Result
	c := res.Consistency
	card := runCard{Label: htmlText(r.Label, htmlLabelMax), Colour: colour, Verdict: htmlText(c.Verdict, htmlLabelMax), Class: verdictClass(c.Verdict)}
	if card.Verdict == "" {
		card.Verdict, card.Class = bench.VerdictUnchecked, "warn"
	}
	load := []string{counted(res.Requests, "request"), fmt.Sprintf("%s errors", thousands(errorTotal(res)))}
	if res.Successes > 0 {
		load = append(load, rate(res.ThroughputRPS)+" req/s", "p99 "+durationMS(res.Latency.P99))
	} else {
		load = append(load, "no request succeeded")
	}
	card.Load = strings.Join(load, " · ")
	switch c.Mode {
	case bench.ModeShared:
		if c.FinalUnknown != "" {
			card.Check = fmt.Sprintf("one shared session: %s from %s, final counter unknown", htmlText(c.CounterPath, htmlLabelMax), thousands(c.InitialCounter))
		} else {
			card.Check = fmt.Sprintf("one shared session: %s %s → %s, expected %s · lost updates %s (%s%%) · duplicates %s",
				htmlText(c.CounterPath, htmlLabelMax), thousands(c.InitialCounter), thousands(c.FinalCounter), thousands(c.ExpectedFinal),
				thousands(c.LostUpdates), strconv.FormatFloat(c.LostUpdatesPct, 'f', 1, 64), thousands(c.Duplicates))
		}
	case bench.ModePerSession:
		card.Check = fmt.Sprintf("%s, %s checked · gaps %s · repeats %s · regressions %s · resets %s · id changes %s",
			counted(int64(c.Sessions), "session"), thousands(c.Checked), thousands(c.Gaps), thousands(c.Repeats), thousands(c.Regressions), thousands(c.Resets), thousands(c.IDChanges))
	default:
		card.Check = "the counter was not checked (--counter '')"
	}
	card.Stopped = stoppedText(res)
	if res.SeriesTruncated {
		card.Truncated = fmt.Sprintf("the per-second charts show the first %s seconds: the series keeps no more", thousands(bench.MaxSeriesPoints))
	}
	card.Note = htmlText(c.Note, htmlMessageMax)
	var failed []string
	for _, t := range res.ThresholdsFailed() {
		failed = append(failed, fmt.Sprintf("%s %s: %s", t.Name, t.Limit, t.Value))
	}
	card.ThresholdsFailed = htmlText(strings.Join(failed, " · "), htmlMessageMax)
	return card
}

// stoppedText says how a run ended early: aborted, stalled, interrupted;
// "" when it ran to its end.
func stoppedText(res *bench.Result) string {
	var parts []string
	if res.Aborted != "" {
		parts = append(parts, "aborted: "+res.Aborted)
	}
	if res.Stalled != "" {
		parts = append(parts, "stalled: "+res.Stalled)
	}
	if res.Interrupted {
		parts = append(parts, "interrupted: the run was cut short")
	}
	return htmlText(strings.Join(parts, "; "), htmlMessageMax)
}

// spectrumChart is every run's latency percentile spectrum on one chart:
// x the percentile on HdrHistogram's 1/(1-p) log scale, y the latency,
// log when the tail is far above the median.
func spectrumChart(runs []BenchRun) chart {
	c := chart{ID: "latency-spectrum", Title: "Latency by percentile", Height: 380,
		Empty: "no answer: no latency to show"}
	maxX, hi, lo, median := 1.0, 0.0, math.Inf(1), math.Inf(1)
	for i, r := range runs {
		sp := r.Result.LatencySpectrum
		if sp == nil || len(sp.Points) == 0 {
			continue
		}
		l := line{Label: htmlText(r.Label, htmlLabelMax), Colour: runColours[i%len(runColours)]}
		for _, pt := range sp.Points {
			x := percentileX(pt.Percentile, sp.TotalCount)
			if n := len(l.Points); n > 0 && x < l.Points[n-1].X {
				x = l.Points[n-1].X
			}
			l.Points = append(l.Points, point{x, pt.ValueMs})
			maxX, hi = math.Max(maxX, x), math.Max(hi, pt.ValueMs)
			if pt.ValueMs > 0 {
				lo = math.Min(lo, pt.ValueMs)
			}
			if pt.Percentile >= 0.5 && pt.ValueMs > 0 {
				median = math.Min(median, pt.ValueMs)
			}
		}
		c.Lines = append(c.Lines, l)
	}
	c.X = percentileAxis(maxX)
	c.Y = latencyAxis(lo, median, hi)
	return c
}

// latencyAxis is the y axis of a latency chart: linear from 0, or log
// when hi is more than 50 times the median, where a linear axis would
// flatten everything but the tail.
func latencyAxis(lo, median, hi float64) axis {
	if hi > 0 && median > 0 && !math.IsInf(median, 0) && hi/median > 50 {
		return logAxis("latency (ms, log scale)", lo, hi)
	}
	return valueAxis("latency (ms)", hi, 6)
}

// timeAxis is the shared time axis of the runs' series, to the end of
// the longest, with about n gridlines.
func timeAxis(runs []BenchRun, n int) axis {
	end := 0.0
	for _, r := range runs {
		if s := chartedSeries(r.Result); len(s) > 0 {
			end = math.Max(end, s[len(s)-1].TS)
		}
	}
	return linearAxis("time since the start (s)", end, n)
}

// throughputChart is every run's requests per second (and successes
// per second, dashed, for a run with errors) on one time axis.
func throughputChart(runs []BenchRun) chart {
	c := chart{ID: "throughput", Title: "Requests per second", Height: 300, X: timeAxis(runs, 10),
		Empty: "no per-second series in the result"}
	hi := 0.0
	for i, r := range runs {
		colour := runColours[i%len(runColours)]
		label := htmlText(r.Label, htmlLabelMax)
		if len(runs) == 1 {
			label = "requests/s"
		}
		req := line{Label: label, Colour: colour}
		ok := line{Label: label + " successes/s", Colour: colour, Dash: true}
		if len(runs) == 1 {
			ok.Label = "successes/s"
		}
		// Successes only where some requests failed: elsewhere their line
		// would hide under the requests'.
		hasOK := false
		for _, pt := range chartedSeries(r.Result) {
			req.Points = append(req.Points, point{secondX(pt), pt.RequestsPerS})
			ok.Points = append(ok.Points, point{secondX(pt), seriesSuccesses(pt)})
			hi = math.Max(hi, pt.RequestsPerS)
			hasOK = hasOK || pt.ErrorsPerS > 0
		}
		if len(req.Points) > 0 {
			c.Lines = append(c.Lines, req)
		}
		if hasOK {
			c.Lines = append(c.Lines, ok)
		}
	}
	c.Y = valueAxis("requests/s", hi, 5)
	return c
}

// chartedSeries is res's series as the charts draw it: without a last
// interval shorter than a fifth of a second after others (the end of a
// -d run, whose rates over a few milliseconds would read as a fall).
func chartedSeries(res *bench.Result) []bench.SeriesPoint {
	s := res.Series
	if n := len(s); n > 1 && s[n-1].IntervalS < 0.2 {
		return s[:n-1]
	}
	return s
}

// secondX is where a series point is drawn on a time axis: the middle of
// its interval, which a line through the points shows as it was.
func secondX(pt bench.SeriesPoint) float64 { return pt.TS - pt.IntervalS/2 }

// perRunCharts are the charts of one kind, one per run, before their
// lines and y axis: id-1, id-2, ... on one time axis, titled by the run
// when there are several, and then half as wide with half the gridlines.
func perRunCharts(runs []BenchRun, id, title string, height int, empty string) []chart {
	width, x := chartWidth, timeAxis(runs, 10)
	if len(runs) > 1 {
		width, x = halfWidth, timeAxis(runs, 5)
	}
	charts := make([]chart, len(runs))
	for i, r := range runs {
		charts[i] = chart{ID: fmt.Sprintf("%s-%d", id, i+1), Title: title, Width: width, Height: height, X: x, Empty: empty}
		if len(runs) > 1 {
			charts[i].Title += ": " + htmlText(r.Label, htmlLabelMax)
		}
	}
	return charts
}

// latencyCharts is a chart per run of its latency percentiles second by
// second, on one time axis and one latency axis for all the runs.
func latencyCharts(runs []BenchRun) []chart {
	lo, hi, median := math.Inf(1), 0.0, math.Inf(1)
	charts := perRunCharts(runs, "latency-series", "Latency per second", 280, "no per-second latency in the result")
	for i, r := range runs {
		c := &charts[i]
		for _, pl := range percentileLines {
			l := line{Label: pl.name, Colour: pl.colour}
			has := false
			for _, pt := range chartedSeries(r.Result) {
				lat, ok := seriesLatency(pt)
				if !ok {
					l.Points = append(l.Points, point{secondX(pt), math.NaN()})
					continue
				}
				v := pl.value(lat)
				has = true
				l.Points = append(l.Points, point{secondX(pt), v})
				hi = math.Max(hi, v)
				if v > 0 {
					lo = math.Min(lo, v)
				}
				if pl.name == "p50" && v > 0 {
					median = math.Min(median, v)
				}
			}
			if has {
				c.Lines = append(c.Lines, l)
			}
		}
	}
	y := latencyAxis(lo, median, hi)
	for i := range charts {
		charts[i].Y = y
	}
	return charts
}

// errorCharts is a chart per run of its errors per second, stacked by
// class, on one time axis and one scale for all the runs.
func errorCharts(runs []BenchRun) []chart {
	colours := map[string]string{}
	var classes []string
	for _, r := range runs {
		for _, pt := range chartedSeries(r.Result) {
			for k := range seriesErrorClasses(pt) {
				if _, ok := colours[k]; !ok {
					colours[k] = ""
					classes = append(classes, k)
				}
			}
		}
	}
	sort.Strings(classes)
	for i, k := range classes {
		colours[k] = errorColours[i%len(errorColours)]
	}
	hi := 0.0
	charts := perRunCharts(runs, "errors-series", "Errors per second by class", 240, "no errors")
	for i, r := range runs {
		c := &charts[i]
		// Each second is drawn as a bar, flat over its interval.
		series := chartedSeries(r.Result)
		base := make([]float64, 2*len(series))
		for _, k := range classes {
			l := line{Label: htmlText(k, htmlLabelMax), Colour: colours[k], Area: true, Base: base}
			top := make([]float64, len(base))
			any := false
			for j, pt := range series {
				v := seriesErrorClasses(pt)[k]
				any = any || v > 0
				top[2*j], top[2*j+1] = base[2*j]+v, base[2*j+1]+v
				l.Points = append(l.Points, point{pt.TS - pt.IntervalS, top[2*j]}, point{pt.TS, top[2*j+1]})
				hi = math.Max(hi, top[2*j])
			}
			if !any {
				continue
			}
			c.Lines = append(c.Lines, l)
			base = top
		}
	}
	y := valueAxis("errors/s", hi, 4)
	for i := range charts {
		charts[i].Y = y
	}
	return charts
}

// summaryRows are the load figures, one cell per run.
func summaryRows(runs []BenchRun) []tableRow {
	var rows []tableRow
	add := func(label string, cell func(res *bench.Result) tableCell) {
		row := tableRow{Label: label}
		for _, r := range runs {
			row.Cells = append(row.Cells, cell(r.Result))
		}
		rows = append(rows, row)
	}
	text := func(f func(res *bench.Result) string) func(res *bench.Result) tableCell {
		return func(res *bench.Result) tableCell { return tableCell{Text: f(res)} }
	}
	anyRun := func(f func(res *bench.Result) bool) bool {
		for _, r := range runs {
			if f(r.Result) {
				return true
			}
		}
		return false
	}
	group := func(label string) { rows = append(rows, tableRow{Label: label, Group: true}) }

	group("load")
	add("URLs", text(func(res *bench.Result) string {
		urls := res.URLs
		more := ""
		if len(urls) > 10 {
			urls, more = urls[:10], fmt.Sprintf("\n(%d more)", len(res.URLs)-10)
		}
		out := make([]string, len(urls))
		for i, u := range urls {
			out[i] = htmlText(u, htmlURLMax)
		}
		return strings.Join(out, "\n") + more
	}))
	add("method", text(func(res *bench.Result) string { return htmlText(res.Method, htmlLabelMax) }))
	add("connections", text(func(res *bench.Result) string { return thousands(int64(res.Connections)) }))
	add("engine", text(func(res *bench.Result) string { return htmlText(res.Engine, htmlLabelMax) }))
	add("model", text(func(res *bench.Result) string {
		if res.RateRPS > 0 {
			return fmt.Sprintf("open, %s req/s", thousands(int64(res.RateRPS)))
		}
		return "closed"
	}))
	if anyRun(func(res *bench.Result) bool { return res.Segment != "" }) {
		add("segment", text(func(res *bench.Result) string { return htmlText(res.Segment, htmlLabelMax) }))
	}
	add("duration", text(func(res *bench.Result) string { return durationMS(res.DurationS * 1000) }))
	add("requests", text(func(res *bench.Result) string { return thousands(res.Requests) }))
	add("successes", text(func(res *bench.Result) string { return thousands(res.Successes) }))
	add("errors", func(res *bench.Result) tableCell { return countCell(errorTotal(res)) })
	add("answered", text(func(res *bench.Result) string { return thousands(res.Answered) }))
	add("throughput", text(func(res *bench.Result) string {
		if res.Answered == 0 {
			return "–"
		}
		return thousands(int64(res.ThroughputRPS+0.5)) + " req/s"
	}))
	add("read / written", text(func(res *bench.Result) string { return size(res.BytesRead) + " / " + size(res.BytesWritten) }))

	group("latency (ms)")
	for _, q := range []struct {
		name string
		v    func(bench.Latency) float64
	}{
		{"min", func(l bench.Latency) float64 { return l.Min }},
		{"mean", func(l bench.Latency) float64 { return l.Mean }},
		{"p50", func(l bench.Latency) float64 { return l.P50 }},
		{"p90", func(l bench.Latency) float64 { return l.P90 }},
		{"p99", func(l bench.Latency) float64 { return l.P99 }},
		{"p99.9", func(l bench.Latency) float64 { return l.P999 }},
		{"max", func(l bench.Latency) float64 { return l.Max }},
	} {
		add(q.name, text(func(res *bench.Result) string {
			if res.Answered == 0 {
				return "–"
			}
			return latencyMS(q.v(res.Latency))
		}))
	}

	var classes []string
	seen := map[string]bool{}
	for _, r := range runs {
		for k := range r.Result.Errors {
			if !seen[k] {
				seen[k] = true
				classes = append(classes, k)
			}
		}
	}
	if len(classes) > 0 {
		sort.Strings(classes)
		group("errors by class")
		for _, k := range classes {
			add(htmlText(k, htmlLabelMax), func(res *bench.Result) tableCell { return countCell(res.Errors[k]) })
		}
	}

	var names []string
	seen = map[string]bool{}
	for _, r := range runs {
		for _, t := range r.Result.Thresholds {
			if !seen[t.Name] {
				seen[t.Name] = true
				names = append(names, t.Name)
			}
		}
	}
	if len(names) > 0 {
		group("thresholds")
		for _, name := range names {
			add(htmlText(name, htmlLabelMax), func(res *bench.Result) tableCell {
				for _, t := range res.Thresholds {
					if t.Name != name {
						continue
					}
					s := fmt.Sprintf("limit %s: %s, ", t.Limit, t.Value)
					if t.OK {
						return tableCell{Text: htmlText(s+"holds", htmlLabelMax), Class: "good"}
					}
					return tableCell{Text: htmlText(s+"fails", htmlLabelMax), Class: "bad"}
				}
				return tableCell{Text: "–"}
			})
		}
	}
	if anyRun(func(res *bench.Result) bool { return stoppedText(res) != "" }) {
		group("ended early")
		add("why", func(res *bench.Result) tableCell {
			if s := stoppedText(res); s != "" {
				return tableCell{Text: s, Class: "warn"}
			}
			return tableCell{Text: "ran to its end"}
		})
	}
	return rows
}

// countCell is a count of what should not happen: bad unless 0.
func countCell(n int64) tableCell {
	if n == 0 {
		return tableCell{Text: "0"}
	}
	return tableCell{Text: thousands(n), Class: "bad"}
}

// consistencyRows are the counter check's figures, one cell per run; a
// figure of another mode than a run's is a dash.
func consistencyRows(runs []BenchRun) []tableRow {
	var rows []tableRow
	modes := map[string]bool{}
	for _, r := range runs {
		modes[r.Result.Consistency.Mode] = true
	}
	add := func(label string, only string, cell func(c bench.Consistency) tableCell) {
		if only != "" && !modes[only] {
			return
		}
		row := tableRow{Label: label}
		for _, r := range runs {
			c := r.Result.Consistency
			if only != "" && c.Mode != only || c.Mode == bench.ModeNone && label != "verdict" && label != "mode" {
				row.Cells = append(row.Cells, tableCell{Text: "–"})
				continue
			}
			row.Cells = append(row.Cells, cell(c))
		}
		rows = append(rows, row)
	}
	count := func(f func(c bench.Consistency) int64) func(c bench.Consistency) tableCell {
		return func(c bench.Consistency) tableCell { return countCell(f(c)) }
	}
	plain := func(f func(c bench.Consistency) string) func(c bench.Consistency) tableCell {
		return func(c bench.Consistency) tableCell { return tableCell{Text: f(c)} }
	}
	rows = append(rows, tableRow{Label: "consistency", Group: true})
	add("verdict", "", func(c bench.Consistency) tableCell {
		return tableCell{Text: htmlText(c.Verdict, htmlLabelMax), Class: verdictClass(c.Verdict)}
	})
	add("mode", "", plain(func(c bench.Consistency) string {
		switch c.Mode {
		case bench.ModeShared:
			return "shared: one session"
		case bench.ModePerSession:
			return "per session, each sequential"
		case bench.ModeNone:
			return "not checked"
		}
		return htmlText(c.Mode, htmlLabelMax)
	}))
	add("counter / id", "", plain(func(c bench.Consistency) string {
		id := c.IDPath
		if id == "" {
			id = "–"
		}
		return htmlText(c.CounterPath, htmlLabelMax) + " / " + htmlText(id, htmlLabelMax)
	}))
	add("checked", "", plain(func(c bench.Consistency) string { return thousands(c.Checked) }))
	add("sessions", "", plain(func(c bench.Consistency) string {
		return fmt.Sprintf("%s meant, %s created", thousands(int64(c.Sessions)), thousands(c.SessionsCreated))
	}))
	add("extra sessions", "", count(func(c bench.Consistency) int64 { return c.ExtraSessions }))
	add("gaps", bench.ModePerSession, count(func(c bench.Consistency) int64 { return c.Gaps }))
	add("repeats", bench.ModePerSession, count(func(c bench.Consistency) int64 { return c.Repeats }))
	add("regressions", "", count(func(c bench.Consistency) int64 { return c.Regressions }))
	add("resets", "", count(func(c bench.Consistency) int64 { return c.Resets }))
	add("id changes", "", count(func(c bench.Consistency) int64 { return c.IDChanges }))
	add("counter", bench.ModeShared, plain(func(c bench.Consistency) string {
		if c.FinalUnknown != "" {
			return fmt.Sprintf("%s → unknown (%s)", thousands(c.InitialCounter), htmlText(c.FinalUnknown, htmlMessageMax))
		}
		return fmt.Sprintf("%s → %s, expected %s", thousands(c.InitialCounter), thousands(c.FinalCounter), thousands(c.ExpectedFinal))
	}))
	add("lost updates", bench.ModeShared, func(c bench.Consistency) tableCell {
		cell := countCell(c.LostUpdates)
		cell.Text += " (" + strconv.FormatFloat(c.LostUpdatesPct, 'f', 1, 64) + "%)"
		return cell
	})
	add("duplicates", bench.ModeShared, count(func(c bench.Consistency) int64 { return c.Duplicates }))
	add("session cookie", "", plain(func(c bench.Consistency) string {
		if c.SessionCookie == "" {
			return "–"
		}
		s := htmlText(c.SessionCookie, htmlLabelMax)
		if c.SessionFormat != "" {
			s += " (" + htmlText(c.SessionFormat, htmlLabelMax) + ")"
		}
		if c.SessionInCookie {
			return s + ": the session lives in the cookie"
		}
		return s + ": an id, the session on the server"
	}))
	notes := false
	for _, r := range runs {
		notes = notes || r.Result.Consistency.Note != ""
	}
	if notes {
		add("note", "", func(c bench.Consistency) tableCell {
			if c.Note == "" {
				return tableCell{Text: "–"}
			}
			return tableCell{Text: htmlText(c.Note, htmlMessageMax), Class: "warn"}
		})
	}
	return rows
}

// samplesOf is a run's error samples, class by class.
func samplesOf(r BenchRun) sampleGroup {
	g := sampleGroup{Label: htmlText(r.Label, htmlLabelMax)}
	classes := make([]string, 0, len(r.Result.Errors))
	for k := range r.Result.Errors {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		g.Samples = append(g.Samples, errorSample{Class: htmlText(k, htmlLabelMax), Count: thousands(r.Result.Errors[k]),
			Message: htmlText(r.Result.ErrorSamples[k], htmlMessageMax)})
	}
	return g
}
