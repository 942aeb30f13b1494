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
//	options       {string: string}  what sessctl sign needs to make the same
//	                       kind of cookie again (salt, digest, envelope, cipher,
//	                       ...); omitted when the format's defaults are all it needs
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
	return writeJSON(s.Out, ds)
}

// DecodeText writes the human view of ds to s.Out: per cookie a heading with
// name, format and verdict, then fields, times with their age relative to
// now, the payload as indented JSON, and the warnings.
func DecodeText(s *Streams, ds []*cookie.Decoded, now time.Time) error {
	return decodeText(s.Out, s.renderer(), ds, now)
}

func decodeText(w io.Writer, r *lipgloss.Renderer, ds []*cookie.Decoded, now time.Time) error {
	st := newStyles(r)
	var b strings.Builder
	c := columns{b: &b, st: st, width: decodeLabelWidth}
	for i, d := range ds {
		if i > 0 {
			b.WriteString("\n")
		}
		name := d.Name
		if name == "" {
			name = "(value)"
		}
		b.WriteString(st.title.Render(name) + "  " + d.Format + "\n")
		row := func(k, v string) { c.row(k+":", v) }
		if d.Error != "" {
			row("error", st.bad.Render(d.Error))
			continue
		}
		verdict := string(d.Signature)
		switch d.Signature {
		case cookie.Valid:
			verdict = st.good.Render(verdict)
			if d.SecretIndex >= 0 {
				verdict += fmt.Sprintf(" (secret %d)", d.SecretIndex+1)
			}
		case cookie.Invalid:
			verdict = st.bad.Render(verdict)
		default:
			verdict = st.warn.Render(verdict)
		}
		row("signature", verdict)
		for _, f := range d.Fields {
			row(f.Key, f.Value)
		}
		if d.IssuedAt != nil {
			row("issued", dateAge(*d.IssuedAt, now))
		}
		if d.ExpiresAt != nil {
			row("expires", dateAge(*d.ExpiresAt, now))
		}
		row("size", fmt.Sprintf("%d %s", d.SizeBytes, plural(int64(d.SizeBytes), "byte")))
		row("payload", prettyJSON(d.Payload))
		if a := d.Audit; a != nil {
			if a.Found {
				row("audit", st.bad.Render(fmt.Sprintf("secret found: %q (wordlist line %d)", a.Secret, a.Line))+
					fmt.Sprintf(", %s, %s/s", fmt.Sprintf("%d %s", a.Candidates, plural(int64(a.Candidates), "candidate")), rate(a.CandidatesPerS)))
			} else {
				row("audit", fmt.Sprintf("no wordlist line verifies it: %s, %s/s", fmt.Sprintf("%d %s", a.Candidates, plural(int64(a.Candidates), "candidate")), rate(a.CandidatesPerS)))
			}
		}
		for _, w := range d.Warnings {
			row("warning", st.warn.Render(w))
		}
	}
	_, err := io.WriteString(w, b.String())
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

// decodeLabelWidth is the width of decode's label column: "expires:" and
// friends, and a space.
const decodeLabelWidth = 15
