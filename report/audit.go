package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/sessctl/sessctl/audit"
)

// AuditJSON writes res to s.Out as one JSON document (-o json), the
// contract README's audit section documents:
//
//	{
//	  "target": "http://127.0.0.1:3000/", "framework": "express-session",
//	  "session_cookie": "connect.sid", "cookie_carried": false,
//	  "started_at": "2026-12-01T10:00:00Z", "duration_s": 3.2,
//	  "checks": [{"name": "attributes", "ran": true, "note": "..."}, ...],
//	  "tokens": {"source": "...", "samples": 20000, "effective_bits": 191.2,
//	             "verdict": "good", "effective_entropy": [{"significance_pct": 1, "bits": 191.2}, ...],
//	             "fips": {"bits": 192, "monobit_pass": 192, ...}, ...},
//	  "load": {... bench's consistency object ...},
//	  "findings": [{"id": "fixation-no-rotation", "check": "fixation", "severity": "high",
//	                "title": "...", "cookie": "connect.sid",
//	                "evidence": {"request": "POST http://.../login", "detail": "..."},
//	                "references": ["WSTG-SESS-03", "CWE-384", "ZAP-40013"], "fix": "..."}],
//	  "counts": {"critical": 0, "high": 1, "medium": 0, "low": 0, "info": 0}
//	}
func AuditJSON(s *Streams, res *audit.Result) error {
	return writeJSON(s.Out, res)
}

// AuditText writes the human view of res to s.Out: the target and the
// framework, the token figures, each finding with its evidence, references
// and fix, and the checks that did not run. Its layout may change.
func AuditText(s *Streams, res *audit.Result) error {
	return auditText(s.Out, s.renderer(), res)
}

const auditLabelWidth = 12

func auditText(w io.Writer, r *lipgloss.Renderer, res *audit.Result) error {
	st := newStyles(r)
	var b strings.Builder
	row := columns{b: &b, st: st, width: auditLabelWidth}.row
	fmt.Fprintf(&b, "%s  %s\n", st.title.Render("audit"), escape(res.Target))
	cookieText := "none"
	if res.SessionCookie != "" {
		cookieText = escape(res.SessionCookie)
		if res.CookieCarried {
			cookieText += " (carries the session)"
		} else {
			cookieText += " (carries an id)"
		}
	}
	row("framework", res.Framework)
	row("cookie", cookieText)
	if t := res.Tokens; t != nil {
		v := st.good
		if t.Verdict != audit.VerdictGood {
			v = st.bad
		}
		row("tokens", fmt.Sprintf("%s from %s in %.1fs: %s, length %d-%d, %s distinct",
			thousands(int64(t.Samples)), escape(t.Source), t.DurationS, t.Charset, t.MinLength, t.MaxLength, thousands(int64(t.Distinct))))
		row("", v.Render(fmt.Sprintf("effective entropy %.0f bits: %s", t.EffectiveBits, t.Verdict)))
		var lv []string
		for _, e := range t.Entropy {
			lv = append(lv, fmt.Sprintf("%g%% %.0f", e.SignificancePct, e.Bits))
		}
		row("", st.faint.Render("bits at significance "+strings.Join(lv, ", ")))
		if f := t.FIPS; f != nil {
			row("", st.faint.Render(fmt.Sprintf("FIPS 140-2 on %d bit positions: monobit %d, poker %d, runs %d, long runs %d pass", f.Bits, f.Monobit, f.Poker, f.Runs, f.LongRuns)))
		}
	}
	if l := res.Load; l != nil {
		text := st.good.Render("no lost update")
		if l.LostUpdates > 0 {
			text = st.bad.Render(fmt.Sprintf("%s lost updates (%.1f%%)", thousands(l.LostUpdates), l.LostUpdatesPct))
		}
		row("load", fmt.Sprintf("%s checked: %s", thousands(l.Checked), text))
	}
	for _, c := range res.Checks {
		if !c.Ran {
			row("skipped", c.Name+": "+escape(c.Note))
		} else if c.Note != "" {
			row("note", c.Name+": "+escape(c.Note))
		}
	}
	b.WriteString("\n")
	if len(res.Findings) == 0 {
		b.WriteString("  " + st.good.Render("no findings") + "\n")
	}
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "  %s  %s  %s\n", severityStyle(st, f.Severity).Render(strings.ToUpper(string(f.Severity))), st.title.Render(f.ID), escape(f.Title))
		row("  evidence", escape(f.Evidence.Request)+"\n"+escape(f.Evidence.Detail))
		row("  reference", strings.Join(f.References, ", "))
		row("  fix", escape(f.Fix))
	}
	var counts []string
	for _, s := range audit.Severities {
		if n := res.Counts[s]; n > 0 {
			counts = append(counts, severityStyle(st, s).Render(fmt.Sprintf("%d %s", n, s)))
		}
	}
	if len(counts) > 0 {
		b.WriteString("\n  " + strings.Join(counts, ", ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func severityStyle(st styles, s audit.Severity) lipgloss.Style {
	switch s {
	case audit.Critical, audit.High:
		return st.bad
	case audit.Medium:
		return st.warn
	case audit.Low:
		return st.note
	}
	return st.faint
}
