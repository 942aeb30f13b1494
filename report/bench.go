package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/sessctl/sessctl/client/bench"
)

// BenchJSON writes res to s.Out as one indented JSON document (bench -o
// json), a contract:
//
//	{
//	  "urls": ["http://127.0.0.1:3000/"],   targets, taken round-robin
//	  "method": "GET",
//	  "connections": 50,                    workers, one keep-alive connection per URL each (-c)
//	  "engine": "epoll",                    epoll or goroutine: what ran the load (--engine)
//	  "rate_rps": 0,                        --rate; 0 for a closed-model run
//	  "requests": 412345,                   sent or tried: successes + errors
//	  "successes": 412345,                  2xx responses with the counter readable
//	  "errors": {"connect": 0, "timeout": 0, "closed": 0, "protocol": 0,
//	             "no_counter": 0, "status_503": 0, "unfinished": 0},   classes present only; {} when none
//	  "errors_by_url": {"http://127.0.0.1:3000/": {"status_503": 0}},  the same per URL; {} when none
//	  "error_samples": {"connect": "connect to 127.0.0.1:3000: ..."},  one message per class
//	  "answered": 412345, "answered_s": 10.0,   complete responses (any status), time to the last one
//	  "unfinished_oldest_s": 3.2,           age of the oldest unfinished request; only when any
//	  "duration_s": 10.0,
//	  "throughput_rps": 41234.5,            answered / answered_s; 0 when nothing was answered
//	  "latency_ms": {"min", "mean", "p50", "p90", "p99", "p99_9", "max"},
//	                                        HDR histogram, µs resolution, 3 significant digits;
//	                                        from the intended send time with --rate
//	  "latency_spectrum": {                 the full distribution (--latency-spectrum prints it); only when answered
//	    "points": [{"value_ms": 1.2, "percentile": 0.5, "total_count": 206172}],   HdrHistogram's rows
//	    "mean_ms", "stddev_ms", "max_ms", "total_count", "buckets", "sub_buckets"
//	  },
//	  "series": [{"t_s": 1.0, "interval_s": 1.0, "requests_per_s": 41000, "errors_per_s": 12,
//	              "successes_per_s": 40988,
//	              "errors_by_class_per_s": {"timeout": 2, "status_5xx": 10},   only when any failed
//	              "latency_ms": {"p50", "p90", "p99", "p99_9", "max"}}],   that second's; only when any was answered
//	                                        once a second (the last interval shorter), at most an hour; [] never null
//	  "series_truncated": true,             only when the run outlasted the series' hour
//	  "bytes_read": 123456789, "bytes_written": 23456789,
//	  "aborted": "why the run stopped early",   only when it did
//	  "stalled": "the target stopped answering: ...",   only when it did
//	  "interrupted": true,                  only after Ctrl-C
//	  "thresholds": [{"name": "max_errors" | "max_p99" | "max_p50",
//	                  "limit": "0", "value": "12 (1.2%)", "ok": false}],   [] never null
//	  "consistency": {
//	    "mode": "per_session" | "shared" | "none",
//	    "verdict": "CONSISTENT" | "INCONSISTENT" | "UNCHECKED",
//	    "counter_path": "visitCount", "id_path": "sid",
//	    "checked": 412345,                  responses whose counter was checked
//	    "sessions": 50,                     sessions meant: virtual users, or 1 when shared
//	    "sessions_created": 50, "extra_sessions": 0,
//	    "gaps", "repeats", "regressions", "resets", "id_changes",   anomaly counts
//	    "initial_counter", "final_counter", "expected_final",      shared mode
//	    "lost_updates": 0, "lost_updates_pct": 0.0, "duplicates": 0, shared mode
//	    "final_unknown": "why the final counter could not be read"  only then
//	    "session_cookie": "connect.sid", "session_format": "express",   when a cookie carries it
//	    "session_in_cookie": true,          only when the session lives in the cookie
//	    "note": "why ..."                   only when the figures need it
//	  }
//	}
func BenchJSON(s *Streams, res *bench.Result) error {
	neverNull(res)
	return writeJSON(s.Out, res)
}

// neverNull gives res's maps and slices that the JSON says are never null
// their empty values.
func neverNull(res *bench.Result) {
	if res.Errors == nil {
		res.Errors = map[string]int64{}
	}
	if res.ErrorSamples == nil {
		res.ErrorSamples = map[string]string{}
	}
	if res.ErrorsByURL == nil {
		res.ErrorsByURL = map[string]map[string]int64{}
	}
	if res.Thresholds == nil {
		res.Thresholds = []bench.Threshold{}
	}
	if res.Series == nil {
		res.Series = []bench.SeriesPoint{}
	}
}

// BenchText writes the human view of res to s.Out, coloured through
// the stylesheet: the load figures, the errors by class with a sample
// message each, the consistency counts and the verdict. Its layout may
// change.
func BenchText(s *Streams, res *bench.Result) error {
	return benchText(s.Out, s.renderer(), res)
}

func benchText(w io.Writer, r *lipgloss.Renderer, res *bench.Result) error {
	st := newStyles(r)
	var b strings.Builder
	row := columns{b: &b, st: st, width: benchLabelWidth}.row
	model := "closed model"
	if res.RateRPS > 0 {
		model = fmt.Sprintf("open model at %s req/s", thousands(int64(res.RateRPS)))
	}
	fmt.Fprintf(&b, "%s  %s %s\n", st.title.Render("bench"), res.Method, strings.Join(res.URLs, ", "))
	if res.Engine != "" {
		model += ", " + res.Engine + " engine"
	}
	b.WriteString("  " + st.faint.Render(fmt.Sprintf("%s, %s, %.2fs", counted(int64(res.Connections), "connection"), model, res.DurationS)) + "\n")

	errs := errorTotal(res)
	errText := "0"
	if errs > 0 {
		errText = st.bad.Render(thousands(errs))
	}
	row("requests", fmt.Sprintf("%s   successes %s   errors %s", thousands(res.Requests), thousands(res.Successes), errText))
	if res.Successes == 0 {
		// Figures of nothing would read as a measure: say what happened.
		what := "no request succeeded"
		if res.Answered == 0 {
			what += ", and none was answered"
		} else {
			what += fmt.Sprintf(" (%s answered)", thousands(res.Answered))
		}
		row("result", st.bad.Render(what))
	} else {
		over := ""
		if res.Stalled != "" {
			over = fmt.Sprintf(" over the %.2fs the target answered", res.AnsweredS)
		}
		row("throughput", fmt.Sprintf("%s req/s%s   read %s   written %s", thousands(int64(res.ThroughputRPS+0.5)), over, size(res.BytesRead), size(res.BytesWritten)))
		l := res.Latency
		row("latency (ms)", fmt.Sprintf("min %s  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
			latencyMS(l.Min), latencyMS(l.Mean), latencyMS(l.P50), latencyMS(l.P90), latencyMS(l.P99), latencyMS(l.P999), latencyMS(l.Max)))
	}
	if errs > 0 {
		classes := make([]string, 0, len(res.Errors))
		for k := range res.Errors {
			classes = append(classes, k)
		}
		sort.Strings(classes)
		for i, k := range classes {
			l := ""
			if i == 0 {
				l = "errors"
			}
			line := fmt.Sprintf("%-10s %s", k, thousands(res.Errors[k]))
			if s := res.ErrorSamples[k]; s != "" {
				line += "  " + st.faint.Render(escape(s))
			}
			row(l, line)
		}
		if len(res.URLs) > 1 {
			l := "by URL"
			for _, u := range res.URLs {
				byURL := res.ErrorsByURL[u]
				if len(byURL) == 0 {
					continue
				}
				ks := make([]string, 0, len(byURL))
				for k := range byURL {
					ks = append(ks, k)
				}
				sort.Strings(ks)
				parts := make([]string, len(ks))
				for i, k := range ks {
					parts[i] = k + " " + thousands(byURL[k])
				}
				row(l, u+"  "+strings.Join(parts, ", "))
				l = ""
			}
		}
	}
	if res.Stalled != "" {
		row("stalled", st.warn.Render(res.Stalled))
	}
	if res.Aborted != "" {
		row("aborted", st.warn.Render(escape(res.Aborted)))
	}
	if res.Interrupted {
		row("interrupted", st.warn.Render("the run was cut short"))
	}

	c := res.Consistency
	switch c.Mode {
	case bench.ModeNone:
		row("consistency", st.faint.Render("not checked (--counter \"\")"))
	case bench.ModeShared:
		row("consistency", fmt.Sprintf("one shared session, %s checked (%s)", counted(c.Checked, "response"), c.CounterPath))
		if c.FinalUnknown != "" {
			row("", fmt.Sprintf("%s from %d: final counter unknown (%s)", c.CounterPath, c.InitialCounter, c.FinalUnknown))
		} else {
			row("", fmt.Sprintf("%s %d → %d, expected %d", c.CounterPath, c.InitialCounter, c.FinalCounter, c.ExpectedFinal))
		}
		row("", fmt.Sprintf("lost updates %s (%.1f%%)   duplicates %s   %s",
			st.nonZero(c.LostUpdates), c.LostUpdatesPct, st.nonZero(c.Duplicates), benchAnomalies(st, c)))
	default:
		row("consistency", fmt.Sprintf("%s, each sequential, %s checked (%s)", counted(int64(c.Sessions), "session"), counted(c.Checked, "response"), c.CounterPath))
		row("", fmt.Sprintf("gaps %s   repeats %s   %s", st.nonZero(c.Gaps), st.nonZero(c.Repeats), benchAnomalies(st, c)))
	}
	if c.SessionCookie != "" {
		where := "its value is an id, the session is on the server"
		if c.SessionInCookie {
			where = "the session lives in the cookie"
		}
		format := ""
		if c.SessionFormat != "" {
			format = " (" + c.SessionFormat + ")"
		}
		row("session", fmt.Sprintf("%s%s: %s", escape(c.SessionCookie), format, where))
	}
	if c.Note != "" {
		row("note", st.warn.Render(escape(c.Note)))
	}
	for i, t := range res.Thresholds {
		l := ""
		if i == 0 {
			l = "thresholds"
		}
		verdict := st.good.Render("holds")
		if !t.OK {
			verdict = st.bad.Render("fails")
		}
		row(l, fmt.Sprintf("%s %s: %s  %s", t.Name, t.Limit, t.Value, verdict))
	}
	switch c.Verdict {
	case bench.VerdictConsistent:
		row("verdict", st.good.Render(c.Verdict))
	case bench.VerdictInconsistent:
		row("verdict", st.bad.Render(c.Verdict))
	default:
		row("verdict", st.warn.Render(c.Verdict))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// benchLabelWidth is the width of bench's label column: "latency (ms)" and
// a space.
const benchLabelWidth = 14

func benchAnomalies(st styles, c bench.Consistency) string {
	return fmt.Sprintf("regressions %s   resets %s   id changes %s   extra sessions %s",
		st.nonZero(c.Regressions), st.nonZero(c.Resets), st.nonZero(c.IDChanges), st.nonZero(c.ExtraSessions))
}

// errorTotal is the failed requests of res, every class counted.
func errorTotal(res *bench.Result) int64 {
	n := int64(0)
	for _, v := range res.Errors {
		n += v
	}
	return n
}
