package report

// The decode JSON document (sessctl decode -o json) is an array with one
// object per input, in input order, written an object at a time; -o jsonl
// writes the same objects one a line:
//
//	name          string   cookie name ("" for a bare value)
//	format        string   express, cookie-session, koa-session, jwt, securecookie,
//	                       flask, django, rails, laravel, opaque; "unknown" when
//	                       the input could not be decoded
//	signature     string   valid | invalid | unverified | unsigned ("" for unknown)
//	payload       any      the decoded data as JSON; for express and opaque ids the
//	                       id string; null when hidden (encrypted without a key)
//	issued_at     string   RFC 3339, when the format carries it (omitted otherwise)
//	expires_at    string   RFC 3339, when the format carries it, or for Flask,
//	                       Django and gorilla issued_at plus the lifetime the
//	                       server applies (field max_age says which); omitted
//	                       otherwise
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
//	                       "near 4 KB limit:", "over 4 KB limit:", "needs name:",
//	                       "other salt:", "decryption failed:", "gob type:",
//	                       "not encrypted?:"
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

// DecodeWriter writes decode's results one at a time, as they are made:
// the text view, the JSON array (an element at a time, so memory does not
// grow with the input), or JSON lines (one compact object a line).
type DecodeWriter struct {
	w      io.Writer
	output string
	now    time.Time
	st     styles
	n      int
	buf    bytes.Buffer
}

// Decode output formats for NewDecodeWriter.
const (
	DecodeTable     = "table"
	DecodeJSONArray = "json"
	DecodeJSONLines = "jsonl"
)

// NewDecodeWriter returns a writer of decode's output to s.Out in output
// (table, json or jsonl); times in the text view are aged against now.
func NewDecodeWriter(s *Streams, output string, now time.Time) *DecodeWriter {
	return newDecodeWriter(s.Out, s.renderer(), output, now)
}

func newDecodeWriter(w io.Writer, r *lipgloss.Renderer, output string, now time.Time) *DecodeWriter {
	return &DecodeWriter{w: w, output: output, now: now, st: newStyles(r)}
}

// Write writes one result.
func (w *DecodeWriter) Write(d *cookie.Decoded) error {
	w.buf.Reset()
	switch w.output {
	case DecodeJSONArray:
		if w.n == 0 {
			w.buf.WriteString("[\n  ")
		} else {
			w.buf.WriteString(",\n  ")
		}
		enc := json.NewEncoder(&w.buf)
		enc.SetIndent("  ", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			return err
		}
		w.buf.Truncate(w.buf.Len() - 1) // the next element or Close ends the line
	case DecodeJSONLines:
		enc := json.NewEncoder(&w.buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			return err
		}
	default:
		if w.n > 0 {
			w.buf.WriteString("\n")
		}
		w.text(d)
	}
	w.n++
	_, err := w.w.Write(w.buf.Bytes())
	return err
}

// Close ends the output: the JSON array's closing bracket ("[]" when
// nothing was written).
func (w *DecodeWriter) Close() error {
	if w.output != DecodeJSONArray {
		return nil
	}
	end := "\n]\n"
	if w.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(w.w, end)
	return err
}

// DecodeJSON writes the decode JSON document for ds to s.Out.
func DecodeJSON(s *Streams, ds []*cookie.Decoded) error {
	return decodeAll(NewDecodeWriter(s, DecodeJSONArray, time.Time{}), ds)
}

// DecodeText writes the human view of ds to s.Out: per cookie a heading with
// name and format, then the verdict, fields, times with their age relative
// to now, the payload as indented JSON, and the warnings.
func DecodeText(s *Streams, ds []*cookie.Decoded, now time.Time) error {
	return decodeAll(NewDecodeWriter(s, DecodeTable, now), ds)
}

func decodeText(w io.Writer, r *lipgloss.Renderer, ds []*cookie.Decoded, now time.Time) error {
	return decodeAll(newDecodeWriter(w, r, DecodeTable, now), ds)
}

func decodeAll(w *DecodeWriter, ds []*cookie.Decoded) error {
	for _, d := range ds {
		if err := w.Write(d); err != nil {
			return err
		}
	}
	return w.Close()
}

// text writes the text view of d into w.buf, its label column as wide as
// its longest label needs.
func (w *DecodeWriter) text(d *cookie.Decoded) {
	st := w.st
	var b strings.Builder
	width := decodeLabelWidth
	for _, f := range d.Fields {
		width = max(width, len(f.Key)+2)
	}
	c := columns{b: &b, st: st, width: width}
	name := d.Name
	if name == "" {
		name = "(value)"
	}
	b.WriteString(st.title.Render(escape(name)) + "  " + d.Format + "\n")
	row := func(k, v string) { c.row(k+":", v) }
	defer func() { w.buf.WriteString(b.String()) }()
	if d.Error != "" {
		row("error", st.bad.Render(escape(d.Error)))
		return
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
		row(f.Key, escapeLines(f.Value))
	}
	if d.IssuedAt != nil {
		row("issued", dateAge(*d.IssuedAt, w.now))
	}
	if d.ExpiresAt != nil {
		row("expires", dateAge(*d.ExpiresAt, w.now))
	}
	row("size", fmt.Sprintf("%d %s", d.SizeBytes, plural(int64(d.SizeBytes), "byte")))
	row("payload", escapeLines(prettyJSON(d.Payload)))
	if a := d.Audit; a != nil {
		tried := fmt.Sprintf("%d %s, %s/s", a.Candidates, plural(a.Candidates, "candidate"), rate(a.CandidatesPerS))
		if a.Found {
			row("audit", st.bad.Render(fmt.Sprintf("secret found: %q (wordlist line %d)", a.Secret, a.Line))+", "+tried)
		} else {
			row("audit", "no wordlist line verifies it: "+tried)
		}
	}
	for _, x := range d.Warnings {
		row("warning", st.warn.Render(escape(x)))
	}
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

// DecodeProgress returns the callback for cookie.BatchOptions.Progress: a
// line on s.ErrOut with the candidates tried, their rate, the share of the
// wordlist read and the time left, redrawn in place and erased when the
// search ends. It returns nil when stderr is not a terminal.
func DecodeProgress(s *Streams) func(cookie.Input, cookie.AuditProgress) {
	if !s.ErrTTY {
		return nil
	}
	p := NewProgressLine(s)
	return func(in cookie.Input, ap cookie.AuditProgress) {
		if ap.Done {
			p.Clear()
			return
		}
		p.draw(decodeProgressText(ap))
	}
}

func decodeProgressText(ap cookie.AuditProgress) string {
	line := fmt.Sprintf("wordlist: %s candidates  %s/s  %s elapsed", thousands(ap.Tried), rate(ap.Rate()),
		ap.Elapsed.Round(100*time.Millisecond))
	if ap.Size > 0 {
		line += fmt.Sprintf("  %.0f%% read", 100*float64(ap.ReadBytes)/float64(ap.Size))
		if left := ap.Remaining(); left > 0 {
			line += fmt.Sprintf("  %s left", left.Round(time.Second))
		}
	}
	return line
}

// DecodeInterrupted writes to s.ErrOut how far an interrupted wordlist
// search came.
func DecodeInterrupted(s *Streams, e *cookie.AuditInterruptedError) {
	r := e.Result
	fmt.Fprintf(s.ErrOut, "sessctl: %s: wordlist search interrupted after %s %s (%s/s), no secret found so far\n",
		decodeInputName(e.Input), thousands(r.Candidates), plural(r.Candidates, "candidate"), rate(r.CandidatesPerS))
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
		return escape(in.Name)
	}
	return "the value"
}

// decodeLabelWidth is the width of decode's label column: "expires:" and
// friends, and a space.
const decodeLabelWidth = 15
