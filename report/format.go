package report

import (
	"fmt"
	"strconv"
	"time"
)

// The formatters of the text views: numbers, sizes, durations and rates are
// written one way in every view.

// thousands writes n with its thousands separated by commas: 1,234,567.
func thousands(n int64) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural is noun for a count of n: as it is for 1, with an added "s" for
// any other count (all the nouns of the views take one).
func plural(n int64, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// counted writes n with thousands separators and its noun: "1 session", "50
// connections", "1,500 responses".
func counted(n int64, noun string) string {
	return thousands(n) + " " + plural(n, noun)
}

// figures writes v with at least n significant figures and no more decimals
// than that needs: figures(2.345, 2) is "2.3", figures(12.5, 3) is "12.5",
// figures(150.3, 3) is "150".
func figures(v float64, n int) string {
	decimals := n - 1
	for limit := 10.0; v >= limit && decimals > 0; limit *= 10 {
		decimals--
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// latencyMS writes a latency in milliseconds without a unit, three figures:
// for tables whose heading gives the unit.
func latencyMS(ms float64) string { return figures(ms, 3) }

// durationMS writes a duration given in milliseconds with its unit: "2.3ms",
// "12ms", "1.50s".
func durationMS(ms float64) string {
	if ms >= 1000 {
		return figures(ms/1000, 3) + "s"
	}
	return figures(ms, 2) + "ms"
}

// age writes a duration to the nearest unit a person reads: 42s, 5m, 3h07m,
// 12d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// dateAge writes t in RFC 3339 with how long before (or after) now it is.
func dateAge(t, now time.Time) string {
	d := now.Sub(t)
	rel := "ago"
	if d < 0 {
		d, rel = -d, "from now"
	}
	return fmt.Sprintf("%s (%s %s)", t.UTC().Format(time.RFC3339), age(d), rel)
}

// size writes a byte count in binary units: 512 B, 500.0 KiB, 5.0 MiB.
func size(n int64) string {
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

// rate writes a per-second rate with a k or M suffix: 950, 12.3k, 1.25M.
func rate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// shorten cuts s to at most 40 characters, ending in "…" when cut.
func shorten(s string) string { return clip(s, 40) }

// clip cuts s to at most n characters, ending in "…" when cut.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
