package report

// The decode JSON document (sessctl decode -o json) is an array with one
// object per input, in input order:
//
//	name          string   cookie name ("" for a bare value)
//	format        string   express, cookie-session, koa-session, jwt, securecookie,
//	                       flask, django, rails, laravel, opaque; "unknown" when
//	                       the input could not be decoded
//	signature     string   valid | invalid | unverified | unsigned ("" for unknown)
//	payload       any      the decoded data as JSON; for express and opaque ids the
//	                       id string; null when hidden (encrypted without a key)
//	issued_at     string   RFC 3339, when the format carries it (omitted otherwise)
//	expires_at    string   RFC 3339, when the format carries it (omitted otherwise)
//	secret_index  int      0-based index of the --secret (or --key) that verified
//	                       it, -1 when none did
//	size_bytes    int      length of name plus value as sent
//	fields        [{key, value}]  format details: algorithm, kind, salt, ...
//	warnings      [string] each starts with a stable keyword: "unsigned:",
//	                       "alg none:", "no expiry:", "expired:",
//	                       "client-readable data:", "weak secret:",
//	                       "near 4 KB limit:", "needs name:"
//	audit         object   with --wordlist: {found, secret, line, candidates,
//	                       elapsed_ms, candidates_per_s, workers}; secret is the
//	                       wordlist line that verifies (a finding, so shown)
//	error         string   why an input could not be decoded (format "unknown")
//
// Secrets given with --secret, --secret-file, SESSCTL_SECRET or --enc-key
// never appear in it.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/sessctl/sessctl/cookie"
)

// DecodeJSON writes the decode JSON document for ds to s.Out.
func DecodeJSON(s *Streams, ds []*cookie.Decoded) error {
	if ds == nil {
		ds = []*cookie.Decoded{}
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ds)
}

// DecodeText writes the human view of ds to s.Out: per cookie a heading with
// name, format and verdict, then fields, times with their age relative to
// now, the payload as indented JSON, and the warnings.
func DecodeText(s *Streams, ds []*cookie.Decoded, now time.Time) error {
	r := s.Renderer()
	var (
		head  = r.NewStyle().Bold(true)
		label = r.NewStyle().Faint(true)
		good  = r.NewStyle().Foreground(lipgloss.Color("2")).Bold(true)
		bad   = r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true)
		meh   = r.NewStyle().Foreground(lipgloss.Color("3")).Bold(true)
		warn  = r.NewStyle().Foreground(lipgloss.Color("3"))
	)
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteString("\n")
		}
		name := d.Name
		if name == "" {
			name = "(value)"
		}
		b.WriteString(head.Render(name) + "  " + d.Format + "\n")
		row := func(k, v string) {
			fmt.Fprintf(&b, "  %s %s\n", label.Render(fmt.Sprintf("%-14s", k+":")), decodeIndent(v, 17))
		}
		if d.Error != "" {
			row("error", bad.Render(d.Error))
			continue
		}
		verdict := string(d.Signature)
		switch d.Signature {
		case cookie.Valid:
			verdict = good.Render(verdict)
			if d.SecretIndex >= 0 {
				verdict += fmt.Sprintf(" (secret %d)", d.SecretIndex+1)
			}
		case cookie.Invalid:
			verdict = bad.Render(verdict)
		default:
			verdict = meh.Render(verdict)
		}
		row("signature", verdict)
		for _, f := range d.Fields {
			row(f.Key, f.Value)
		}
		if d.IssuedAt != nil {
			row("issued", decodeDateAge(*d.IssuedAt, now))
		}
		if d.ExpiresAt != nil {
			row("expires", decodeDateAge(*d.ExpiresAt, now))
		}
		row("size", fmt.Sprintf("%d bytes", d.SizeBytes))
		row("payload", decodePrettyJSON(d.Payload))
		if a := d.Audit; a != nil {
			if a.Found {
				row("audit", bad.Render(fmt.Sprintf("secret found: %q (wordlist line %d)", a.Secret, a.Line))+
					fmt.Sprintf(", %d candidates, %s/s", a.Candidates, decodeRate(a.CandidatesPerS)))
			} else {
				row("audit", fmt.Sprintf("no wordlist line verifies it: %d candidates, %s/s", a.Candidates, decodeRate(a.CandidatesPerS)))
			}
		}
		for _, w := range d.Warnings {
			row("warning", warn.Render(w))
		}
	}
	_, err := io.WriteString(s.Out, b.String())
	return err
}

// DecodeSearching returns the callback for cookie.BatchOptions.Searching: a
// line on s.ErrOut saying which input's secret the wordlist (named wordlist)
// is searched for. It returns nil when stderr is not a terminal.
func DecodeSearching(s *Streams, wordlist string) func(cookie.Input) {
	if !s.ErrTTY {
		return nil
	}
	return func(in cookie.Input) {
		fmt.Fprintf(s.ErrOut, "searching %s for the secret of %s...\n", wordlist, decodeInputName(in))
	}
}

// DecodeUnaudited writes to s.ErrOut one line per signed input whose secret
// the wordlist could not be tried on, and why.
func DecodeUnaudited(s *Streams, us []cookie.Unaudited) {
	for _, u := range us {
		fmt.Fprintf(s.ErrOut, "sessctl: %s: not audited: %v\n", decodeInputName(u.Input), u.Err)
	}
}

// decodeInputName names in in progress lines: its name, or "the value".
func decodeInputName(in cookie.Input) string {
	if in.Name != "" {
		return in.Name
	}
	return "the value"
}

// decodeIndent indents every line of v after the first by n spaces.
func decodeIndent(v string, n int) string {
	return strings.ReplaceAll(v, "\n", "\n"+strings.Repeat(" ", n))
}

func decodePrettyJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	s := out.String()
	// json.Marshal escapes <, > and &; show them as they are.
	s = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
	return s
}

// decodeDateAge renders t in RFC 3339 with how long ago (or from now) it is.
func decodeDateAge(t, now time.Time) string {
	d := now.Sub(t)
	rel := "ago"
	if d < 0 {
		d, rel = -d, "from now"
	}
	return fmt.Sprintf("%s (%s %s)", t.UTC().Format(time.RFC3339), decodeDuration(d), rel)
}

func decodeDuration(d time.Duration) string {
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

// decodeRate renders a rate with a k/M suffix.
func decodeRate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
