package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file holds the run's thresholds, as k6 has them: limits on the
// failures and the latency that decide, with the counter check, whether a
// run passed. They read only a Result, so a merged result is checked the
// same way.

// Thresholds are the limits a run must stay within. The zero value allows
// no failed request and sets no latency limit.
type Thresholds struct {
	// MaxErrors is how many requests may fail (every class of
	// Result.Errors, unfinished ones included): a count, or a percentage
	// of Result.Requests. The zero value allows none.
	MaxErrors ErrorLimit
	// MaxP99 and MaxP50 bound the latency percentiles; 0 sets no limit.
	MaxP99, MaxP50 time.Duration
}

// ErrorLimit is a number of failed requests, or with Pct set a percentage
// of the requests.
type ErrorLimit struct {
	N   int64
	Pct float64
	// IsPct says the limit is Pct, not N.
	IsPct bool
}

// ParseErrorLimit reads "N" (a count) or "P%" (a percentage, 0 to 100).
func ParseErrorLimit(s string) (ErrorLimit, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || f < 0 || f > 100 {
			return ErrorLimit{}, fmt.Errorf("error limit %q: want a count or a percentage from 0%% to 100%%", s)
		}
		return ErrorLimit{Pct: f, IsPct: true}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return ErrorLimit{}, fmt.Errorf("error limit %q: want a count (0 or more) or a percentage such as 1%%", s)
	}
	return ErrorLimit{N: n}, nil
}

// String writes l as ParseErrorLimit reads it.
func (l ErrorLimit) String() string {
	if l.IsPct {
		return strconv.FormatFloat(l.Pct, 'f', -1, 64) + "%"
	}
	return strconv.FormatInt(l.N, 10)
}

// Threshold is one limit and what the run did against it.
type Threshold struct {
	// Name is "max_errors", "max_p99" or "max_p50".
	Name string `json:"name"`
	// Limit is the limit as given ("0", "1%", "250ms") and Value what the
	// run did, in the same terms ("12 (1.2%)", "312ms", "no answer").
	Limit string `json:"limit"`
	Value string `json:"value"`
	// OK is true when the run stayed within the limit.
	OK bool `json:"ok"`
}

// Check returns each threshold of t against res, in the order max_errors,
// max_p99, max_p50 (the latency ones only when set). A latency limit fails
// when nothing was answered.
func (t Thresholds) Check(res *Result) []Threshold {
	failed := res.Requests - res.Successes
	pct := 0.0
	if res.Requests > 0 {
		pct = float64(failed) * 100 / float64(res.Requests)
	}
	ok := failed <= t.MaxErrors.N
	if t.MaxErrors.IsPct {
		ok = pct <= t.MaxErrors.Pct
	}
	out := []Threshold{{Name: "max_errors", Limit: t.MaxErrors.String(),
		Value: fmt.Sprintf("%d (%s%%)", failed, percent(pct)), OK: ok}}
	latency := func(name string, limit time.Duration, ms float64) {
		if limit <= 0 {
			return
		}
		th := Threshold{Name: name, Limit: limit.String(), Value: "no answer"}
		if res.Answered > 0 {
			d := time.Duration(ms * float64(time.Millisecond))
			th.Value, th.OK = d.Round(time.Microsecond).String(), d <= limit
		}
		out = append(out, th)
	}
	latency("max_p99", t.MaxP99, res.Latency.P99)
	latency("max_p50", t.MaxP50, res.Latency.P50)
	return out
}

// ThresholdsFailed returns the thresholds of res that failed.
func (r *Result) ThresholdsFailed() []Threshold {
	var failed []Threshold
	for _, t := range r.Thresholds {
		if !t.OK {
			failed = append(failed, t)
		}
	}
	return failed
}

// percent writes p with one decimal, or two significant digits below 1%
// so that a few failures in many requests do not read as 0.0%.
func percent(p float64) string {
	if p > 0 && p < 1 {
		return strconv.FormatFloat(p, 'g', 2, 64)
	}
	return strconv.FormatFloat(p, 'f', 1, 64)
}
