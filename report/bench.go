package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/sessctl/sessctl/client"
)

// BenchJSON writes res to s.Out as one indented JSON document (bench -o
// json), a contract:
//
//	{
//	  "urls": ["http://127.0.0.1:3000/"],   targets, taken round-robin
//	  "method": "GET",
//	  "connections": 50,                    workers, one keep-alive connection per URL each (-c)
//	  "rate_rps": 0,                        --rate; 0 for a closed-model run
//	  "requests": 412345,                   completed: successes + errors
//	  "successes": 412345,                  2xx responses with the counter readable
//	  "errors": {"connect": 0, "timeout": 0, "closed": 0, "protocol": 0,
//	             "no_counter": 0, "status_503": 0},   classes present only; {} when none
//	  "error_samples": {"connect": "connect to 127.0.0.1:3000: ..."},  one message per class
//	  "duration_s": 10.0,
//	  "throughput_rps": 41234.5,            requests / duration_s
//	  "latency_ms": {"min", "mean", "p50", "p90", "p99", "p99_9", "max"},
//	                                        HDR histogram, µs resolution, 3 significant digits;
//	                                        from the intended send time with --rate
//	  "bytes_read": 123456789, "bytes_written": 23456789,
//	  "aborted": "why the run stopped early",   only when it did
//	  "interrupted": true,                  only after Ctrl-C
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
//	  }
//	}
func BenchJSON(s *Streams, res *client.BenchResult) error {
	if res.Errors == nil {
		res.Errors = map[string]int64{}
	}
	if res.ErrorSamples == nil {
		res.ErrorSamples = map[string]string{}
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// BenchText writes the human view of res to s.Out, coloured through
// s.Renderer(): the load figures, the errors by class with a sample
// message each, the consistency counts and the verdict. Its layout may
// change.
func BenchText(s *Streams, res *client.BenchResult) error {
	return benchText(s.Out, s.Renderer(), res)
}

func benchText(w io.Writer, r *lipgloss.Renderer, res *client.BenchResult) error {
	var (
		title = r.NewStyle().Bold(true)
		label = r.NewStyle().Foreground(lipgloss.Color("12"))
		faint = r.NewStyle().Faint(true)
		good  = r.NewStyle().Bold(true).Foreground(lipgloss.Color("10"))
		bad   = r.NewStyle().Bold(true).Foreground(lipgloss.Color("9"))
		warn  = r.NewStyle().Bold(true).Foreground(lipgloss.Color("11"))
	)
	var b strings.Builder
	row := func(l, text string) {
		b.WriteString("  " + label.Render(fmt.Sprintf("%-13s", l)) + " " + text + "\n")
	}
	model := "closed model"
	if res.RateRPS > 0 {
		model = fmt.Sprintf("open model at %s req/s", benchNum(int64(res.RateRPS)))
	}
	fmt.Fprintf(&b, "%s  %s %s\n", title.Render("bench"), res.Method, strings.Join(res.URLs, ", "))
	b.WriteString("  " + faint.Render(fmt.Sprintf("%d connections, %s, %.2fs", res.Connections, model, res.DurationS)) + "\n")

	errs := int64(0)
	for _, n := range res.Errors {
		errs += n
	}
	errText := "0"
	if errs > 0 {
		errText = bad.Render(benchNum(errs))
	}
	row("requests", fmt.Sprintf("%s   successes %s   errors %s", benchNum(res.Requests), benchNum(res.Successes), errText))
	row("throughput", fmt.Sprintf("%s req/s   read %s   written %s", benchNum(int64(res.ThroughputRPS+0.5)), benchBytes(res.BytesRead), benchBytes(res.BytesWritten)))
	l := res.Latency
	row("latency (ms)", fmt.Sprintf("min %s  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
		benchMS(l.Min), benchMS(l.Mean), benchMS(l.P50), benchMS(l.P90), benchMS(l.P99), benchMS(l.P999), benchMS(l.Max)))
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
			line := fmt.Sprintf("%-10s %s", k, benchNum(res.Errors[k]))
			if s := res.ErrorSamples[k]; s != "" {
				line += "  " + faint.Render(s)
			}
			row(l, line)
		}
	}
	if res.Aborted != "" {
		row("aborted", warn.Render(res.Aborted))
	}
	if res.Interrupted {
		row("interrupted", warn.Render("the run was cut short"))
	}

	c := res.Consistency
	switch c.Mode {
	case client.ModeNone:
		row("consistency", faint.Render("not checked (--counter \"\")"))
	case client.ModeShared:
		row("consistency", fmt.Sprintf("one shared session, %s responses checked (%s)", benchNum(c.Checked), c.CounterPath))
		if c.FinalUnknown != "" {
			row("", fmt.Sprintf("%s from %d: final counter unknown (%s)", c.CounterPath, c.InitialCounter, c.FinalUnknown))
		} else {
			row("", fmt.Sprintf("%s %d → %d, expected %d", c.CounterPath, c.InitialCounter, c.FinalCounter, c.ExpectedFinal))
		}
		row("", fmt.Sprintf("lost updates %s (%.1f%%)   duplicates %s   %s",
			benchCount(bad, c.LostUpdates), c.LostUpdatesPct, benchCount(bad, c.Duplicates), benchAnomalies(bad, c)))
	default:
		row("consistency", fmt.Sprintf("%s sessions, each sequential, %s responses checked (%s)", benchNum(int64(c.Sessions)), benchNum(c.Checked), c.CounterPath))
		row("", fmt.Sprintf("gaps %s   repeats %s   %s", benchCount(bad, c.Gaps), benchCount(bad, c.Repeats), benchAnomalies(bad, c)))
	}
	switch c.Verdict {
	case client.VerdictConsistent:
		row("verdict", good.Render(c.Verdict))
	case client.VerdictInconsistent:
		row("verdict", bad.Render(c.Verdict))
	default:
		row("verdict", warn.Render(c.Verdict))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func benchAnomalies(bad lipgloss.Style, c client.Consistency) string {
	return fmt.Sprintf("regressions %s   resets %s   id changes %s   extra sessions %s",
		benchCount(bad, c.Regressions), benchCount(bad, c.Resets), benchCount(bad, c.IDChanges), benchCount(bad, c.ExtraSessions))
}

// benchCount renders n, in the bad style when it is not 0.
func benchCount(bad lipgloss.Style, n int64) string {
	if n == 0 {
		return "0"
	}
	return bad.Render(benchNum(n))
}

// benchNum writes n with thousands separated by commas.
func benchNum(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + benchNum(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func benchMS(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func benchBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
