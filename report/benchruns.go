package report

import (
	"strings"

	"github.com/sessctl/sessctl/client/bench"
)

// This file holds the text and JSON views of several bench runs read back
// (bench report -o text, -o json); BenchHTML is their HTML view.

// BenchReportText writes each run's text view (BenchText) to s.Out, one
// after another, each under a heading that names it.
func BenchReportText(s *Streams, runs []BenchRun) error {
	r := s.renderer()
	st := newStyles(r)
	var b strings.Builder
	for i, run := range runs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(st.title.Render("== "+escape(run.Label)) + "\n")
		if err := benchText(&b, r, run.Result); err != nil {
			return err
		}
	}
	_, err := s.Out.Write([]byte(b.String()))
	return err
}

// benchRunJSON is one run of bench report -o json.
type benchRunJSON struct {
	Label  string        `json:"label"`
	Result *bench.Result `json:"result"`
}

// BenchReportJSON writes runs to s.Out as one JSON array, a contract:
// [{"label": "a.json", "result": {...}}, ...], each result the document
// BenchJSON writes, in the order given.
func BenchReportJSON(s *Streams, runs []BenchRun) error {
	out := make([]benchRunJSON, len(runs))
	for i, r := range runs {
		neverNull(r.Result)
		out[i] = benchRunJSON{Label: r.Label, Result: r.Result}
	}
	return writeJSON(s.Out, out)
}
