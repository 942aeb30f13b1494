package audit

import (
	"fmt"
	"time"

	"github.com/sessctl/sessctl/client/bench"
)

// Severity is how bad a finding is.
type Severity string

// Severities, from worst to least.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities lists the severities from worst to least.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// Rank is 4 for Critical down to 0 for Info, -1 for an unknown severity.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// ParseSeverity returns the severity named s.
func ParseSeverity(s string) (Severity, error) {
	if Severity(s).Rank() < 0 {
		return "", fmt.Errorf("severity %q: want critical, high, medium, low or info", s)
	}
	return Severity(s), nil
}

// Result is what an audit found: the JSON contract of sessctl audit -o
// json (documented in report/'s package doc and the README).
type Result struct {
	// Target is the URL audited.
	Target string `json:"target"`
	// Framework is the session framework detected ("express-session",
	// "cookie-session", "flask", "django", "rails", "laravel", "gorilla",
	// "koa-session", "unknown").
	Framework string `json:"framework"`
	// SessionCookie is the name of the session cookie audited, "" when the
	// app set none.
	SessionCookie string `json:"session_cookie"`
	// CookieCarried is true when the cookie carries the session's data
	// (cookie-session, Flask, Rails, ...) rather than an id.
	CookieCarried bool      `json:"cookie_carried"`
	StartedAt     time.Time `json:"started_at"`
	DurationS     float64   `json:"duration_s"`
	// Checks says, for each check, whether it ran and why not.
	Checks []Check `json:"checks"`
	// Tokens is the token analysis, nil when it did not run.
	Tokens *TokenAnalysis `json:"tokens,omitempty"`
	// Load is the lost-update run, nil when it did not run.
	Load *bench.Consistency `json:"load,omitempty"`
	// Findings are in order of severity, worst first; never nil.
	Findings []Finding `json:"findings"`
	// Counts holds the number of findings per severity.
	Counts map[Severity]int `json:"counts"`
}

// Check is one check's run.
type Check struct {
	// Name is "attributes", "tokens", "fixation", "logout", "lifetime",
	// "content" or "concurrency".
	Name string `json:"name"`
	// Ran is false when the check was skipped; Note says why, or what a
	// check that ran could not see.
	Ran  bool   `json:"ran"`
	Note string `json:"note,omitempty"`
}

// Finding is one problem found.
type Finding struct {
	// ID is stable ("cookie-no-httponly", "token-low-entropy", ...).
	ID       string   `json:"id"`
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Cookie is the cookie concerned, "" when none.
	Cookie   string   `json:"cookie,omitempty"`
	Evidence Evidence `json:"evidence"`
	// References are OWASP WSTG ids, CWE ids and ZAP rules
	// ("WSTG-SESS-02", "CWE-1004").
	References []string `json:"references"`
	// Fix says what to change, for the framework detected.
	Fix string `json:"fix"`
}

// Evidence is what shows a finding: the request made and the header or
// figure it got.
type Evidence struct {
	Request string `json:"request"`
	Detail  string `json:"detail"`
}

// AtOrAbove counts the findings of severity s or worse.
func (r *Result) AtOrAbove(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity.Rank() >= s.Rank() {
			n++
		}
	}
	return n
}
