package report

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"

	"github.com/sessctl/sessctl/client"
)

// Visit is what `sessctl visit` reports: the URL, the visits and the jar.
type Visit struct {
	URL    string        `json:"url"`
	Visits []client.Step `json:"visits"`
	// Jar is the jar file; "" for an in-memory jar.
	Jar string `json:"jar"`
	// JarState is what became of the jar: client.JarStateSaved, ...Memory,
	// ...ReadOnly, ...Failed (the save failed), ...Untouched (the jar file
	// given to a visit of the embedded demo, left alone).
	JarState string `json:"jar_state"`
	// JarCookies is how many cookies the jar holds after the visits (text
	// view only).
	JarCookies int `json:"-"`
	// Embedded is true when the URL is sessctl's own demo server (text view
	// only).
	Embedded bool `json:"-"`
}

// VisitJSON writes v to s.Out as one indented JSON document (-o json), a
// contract:
//
//	{
//	  "url": "http://127.0.0.1:3000/",   the URL visited
//	  "visits": [{                       one object per visit, in order
//	    "n": 1,                          visit number, from 1
//	    "method": "GET",
//	    "url": "http://127.0.0.1:3000/", URL of the final response (after redirects)
//	    "status": 201, "status_text": "Created", "proto": "HTTP/1.1",
//	    "duration_ms": 1.234,            whole visit, redirects and body included
//	    "request": {"method", "url", "headers": [{"name", "value"}], "body_bytes"},
//	                                     the final request as written (only with -v)
//	    "redirects": [{"status", "url", "location", "cookies_sent", "set_cookies"}],  only with --follow
//	    "cookies_sent": [{"name", "value"}],   cookies the final request carried
//	    "set_cookies": [{                Set-Cookie headers of the final response
//	      "name", "value", "domain", "path",  domain/path omitted when absent
//	      "expires": RFC 3339 or null, "max_age": seconds or null,
//	      "secure", "http_only", "same_site" (omitted when absent),
//	      "raw": the header as received,
//	      "outcome": "stored" | "deleted" | "refused", "refused": why (when refused)
//	    }],
//	    "headers": {"Content-Type": ..., "Location": ..., "Cache-Control": ..., "ETag": ...,
//	                "Vary": ..., "Server": ..., "X-Powered-By": ...},  those present
//	    "response_headers": [{"name", "value"}],  every response header, sorted by name (only with -i or -v)
//	    "body": the parsed JSON when the body is JSON, else the body as a string
//	            (its base64 when binary: not UTF-8, or holding a NUL byte),
//	    "body_is_json": true, "body_encoding": "base64" (only for a binary body),
//	    "body_bytes": 88 (bytes read), "body_truncated": true (only when cut at 1 MiB),
//	    "changes": [{                    since the previous visit, always an array ([] for none)
//	      "kind": "field" | "cookie_added" | "cookie_changed" | "cookie_removed" | "session_id_changed",
//	      "name": body field path (visitCount, cookie.expires) or cookie name,
//	      "from": JSON value or null, "to": JSON value or null
//	                                     (for session_id_changed: the ids, null for none)
//	    }]
//	  }],
//	  "jar": "/home/u/.local/state/sessctl/cookies.txt",  the jar file; "" for an in-memory jar
//	  "jar_state": "saved" | "memory" | "read_only" | "not_saved" (the save failed: exit 2)
//	               | "untouched" (the embedded demo's cookies stayed in memory; the file was left alone)
//	}
//
// URLs never show a password (user:xxxxx@host). With -o jsonl each line is
// one object of "visits", written when that visit is done.
func VisitJSON(s *Streams, v *Visit) error {
	if v.Visits == nil {
		v.Visits = []client.Step{}
	}
	return writeJSON(s.Out, v)
}

// VisitEmbedded tells on s.ErrOut that the visits go to the embedded demo
// server at url, because no URL was given.
func VisitEmbedded(s *Streams, url string) {
	fmt.Fprintf(s.ErrOut, "visiting the embedded demo server at %s (give a URL to visit another)\n", url)
}

// JarWarnings tells on s.ErrOut what the jar had to skip or drop (lines of
// its file, cookies over the limits), one line each.
func JarWarnings(s *Streams, warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(s.ErrOut, "warning: jar: %s\n", escape(w))
	}
}

// JarOut writes the jar as saved to s.Out (--jar -), after the report, as
// curl -c - writes it after the body.
func JarOut(s *Streams, cookiesTxt []byte) error {
	_, err := s.Out.Write(cookiesTxt)
	return err
}

// VisitWriter prints a run of visits as it goes: Step for each visit when
// it is done, End once after the last. Formats: "table" (the text view,
// each visit printed when done, the summary at the end), "json" (one
// document at the end, VisitJSON) and "jsonl" (one object of VisitJSON's
// "visits" a line, each written when its visit is done).
//
// The text view shows, for each visit, the request and status line, the
// cookies sent, each Set-Cookie with its attributes and what the jar did
// with it, the body (pretty JSON when it is JSON) and what changed since
// the previous visit (visitCount 1 → 2), coloured through the stylesheet
// (plain text for pipes and NO_COLOR). Its layout may change.
type VisitWriter struct {
	s      *Streams
	format string
	st     styles
	n      int
}

// NewVisitWriter returns a VisitWriter printing to s.Out in format.
func NewVisitWriter(s *Streams, format string) *VisitWriter {
	return newVisitWriter(s, s.renderer(), format)
}

// newVisitWriter is NewVisitWriter with the renderer given (the golden
// tests force a colour profile).
func newVisitWriter(s *Streams, r *lipgloss.Renderer, format string) *VisitWriter {
	return &VisitWriter{s: s, format: format, st: newStyles(r)}
}

// Step prints one visit (table and jsonl; json waits for End).
func (w *VisitWriter) Step(step *client.Step) error {
	switch w.format {
	case "json":
		return nil
	case "jsonl":
		return writeJSONLine(w.s.Out, step)
	}
	var b strings.Builder
	if w.n > 0 {
		b.WriteByte('\n')
	}
	w.n++
	writeStep(columns{b: &b, st: w.st, width: visitLabelWidth}, step)
	_, err := io.WriteString(w.s.Out, b.String())
	return err
}

// End prints what follows the visits: the summary (table) or the whole
// document (json); nothing for jsonl, or when no visit was done.
func (w *VisitWriter) End(v *Visit) error {
	if len(v.Visits) == 0 {
		return nil
	}
	switch w.format {
	case "json":
		return VisitJSON(w.s, v)
	case "jsonl":
		return nil
	}
	_, err := io.WriteString(w.s.Out, "\n"+visitSummary(w.st, v)+"\n")
	return err
}

// maxBodyLines bounds how much of a body the text view shows.
const maxBodyLines = 40

// visitLabelWidth is the width of the label column: "cookies sent" and a
// space or two.
const visitLabelWidth = 14

func writeStep(c columns, s *client.Step) {
	b, st := c.b, c.st
	status := fmt.Sprintf("%d %s", s.Status, s.StatusText)
	fmt.Fprintf(b, "%s  %s %s  %s  %s\n",
		st.title.Render(fmt.Sprintf("Visit %d", s.N)), escape(s.Method), escape(s.URL),
		st.status(s.Status).Render(status),
		st.faint.Render(escape(s.Proto)+" "+durationMS(s.DurationMS)))

	if r := s.Request; r != nil {
		c.row("request", escape(r.Method+" "+r.URL)+st.faint.Render(fmt.Sprintf("  (body: %s)", counted(r.BodyBytes, "byte"))))
		for _, h := range r.Headers {
			c.row("", headerLine(st, h))
		}
	}

	for _, rd := range s.Redirects {
		c.row("redirect", fmt.Sprintf("%s %s → %s", st.status(rd.Status).Render(fmt.Sprint(rd.Status)), escape(rd.URL), escape(rd.Location)))
		for _, sc := range rd.SetCookies {
			writeSetCookie(c, sc)
		}
	}

	if len(s.CookiesSent) == 0 {
		c.row("cookies sent", st.faint.Render("(none)"))
	}
	for i, sent := range s.CookiesSent {
		label := ""
		if i == 0 {
			label = "cookies sent"
		}
		c.row(label, escape(sent.Name+"="+sent.Value))
	}

	for _, sc := range s.SetCookies {
		writeSetCookie(c, sc)
	}

	for i, h := range s.ResponseHeaders {
		label := ""
		if i == 0 {
			label = "headers"
		}
		c.row(label, headerLine(st, h))
	}

	if loc, ok := s.Headers["Location"]; ok {
		c.row("location", escape(loc))
	}

	c.row("body", bodyHeading(st, s))
	for _, line := range bodyLines(s) {
		c.row("", line)
	}

	if len(s.Changes) == 0 {
		if s.N > 1 {
			c.row("changes", st.faint.Render("(none)"))
		}
		return
	}
	for i, ch := range s.Changes {
		label := ""
		if i == 0 {
			label = "changes"
		}
		c.row(label, changeLine(st, ch))
	}
}

func writeSetCookie(col columns, c client.SetCookie) {
	st := col.st
	if c.Name == "" {
		col.row("set-cookie", escape(c.Raw))
	} else {
		col.row("set-cookie", escape(c.Name+"="+c.Value))
	}
	var attrs []string
	if c.Domain != "" {
		attrs = append(attrs, "Domain="+escape(c.Domain))
	}
	if c.Path != "" {
		attrs = append(attrs, "Path="+escape(c.Path))
	}
	if c.Expires != nil {
		attrs = append(attrs, "Expires="+c.Expires.UTC().Format(time.RFC3339))
	}
	if c.MaxAge != nil {
		attrs = append(attrs, fmt.Sprintf("Max-Age=%d", *c.MaxAge))
	}
	if c.Expires == nil && c.MaxAge == nil {
		attrs = append(attrs, "session")
	}
	if c.Secure {
		attrs = append(attrs, "Secure")
	}
	if c.HttpOnly {
		attrs = append(attrs, "HttpOnly")
	}
	if c.SameSite != "" {
		attrs = append(attrs, "SameSite="+escape(c.SameSite))
	}
	// Browsers and curl drop cookies above 4096 bytes: say so before it bites.
	if n := len(c.Name) + len(c.Value); n > client.MaxCookieSize*9/10 {
		attrs = append(attrs, st.warn.Render(fmt.Sprintf("%d bytes (limit %d)", n, client.MaxCookieSize)))
	}
	var outcome string
	switch c.Outcome {
	case client.OutcomeStored:
		outcome = st.added.Render("stored in jar")
	case client.OutcomeDeleted:
		outcome = st.changed.Render("deleted from jar")
	default:
		outcome = st.removed.Render("refused by jar: " + escape(c.Refused))
	}
	col.row("", st.faint.Render(strings.Join(attrs, "; "))+"  → "+outcome)
}

func bodyHeading(st styles, s *client.Step) string {
	desc := fmt.Sprintf("%d %s", s.BodyBytes, plural(int64(s.BodyBytes), "byte"))
	if s.BodyEncoding != "" {
		desc += ", binary"
	}
	if ct, ok := s.Headers["Content-Type"]; ok {
		desc += ", " + escape(ct)
	}
	if s.BodyTruncated {
		desc += ", cut at " + size(client.MaxBodyBytes)
	}
	return st.faint.Render("(" + desc + ")")
}

// The text view shows at most maxBodyLines lines and maxBodyText bytes of
// a body, and a hex preview of hexPreviewBytes of a binary one.
const (
	maxBodyText     = 8 << 10
	hexPreviewBytes = 64
)

// bodyLines is the body to show: pretty JSON, or the text itself, at most
// maxBodyLines lines and about maxBodyText bytes, control bytes escaped; a
// binary body as a hex preview.
func bodyLines(s *client.Step) []string {
	var text string
	switch {
	case s.BodyEncoding == "base64":
		var b64 string
		json.Unmarshal(s.Body, &b64)
		data, _ := base64.StdEncoding.DecodeString(b64)
		return hexPreview(data)
	case s.BodyIsJSON:
		text = prettyJSON(s.Body)
	default:
		if json.Unmarshal(s.Body, &text) != nil {
			text = string(s.Body)
		}
	}
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	cut, long := "", len(text) > maxBodyText
	if long {
		i := maxBodyText
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		cut = fmt.Sprintf("… %s more (-o json shows the whole body)", counted(int64(len(text)-i), "byte"))
		text = text[:i]
	}
	lines := strings.Split(text, "\n")
	if len(lines) > maxBodyLines {
		more := len(lines) - maxBodyLines
		lines = lines[:maxBodyLines]
		cut = fmt.Sprintf("… %s more (-o json shows the whole body)", counted(int64(more), "line"))
		if long {
			cut = "… more (-o json shows the whole body)"
		}
	}
	for i, l := range lines {
		lines[i] = escape(strings.TrimRight(strings.ReplaceAll(l, "\t", "    "), "\r "))
	}
	if cut != "" {
		lines = append(lines, cut)
	}
	return lines
}

// hexPreview is the first hexPreviewBytes of a binary body as offset, hex
// and the printable ASCII bytes (as hexdump -C).
func hexPreview(data []byte) []string {
	more := len(data) - hexPreviewBytes
	if more > 0 {
		data = data[:hexPreviewBytes]
	}
	lines := strings.Split(strings.TrimRight(hex.Dump(data), "\n"), "\n")
	if more > 0 {
		lines = append(lines, fmt.Sprintf("… %s more (-o json has the body in base64)", counted(int64(more), "byte")))
	}
	return lines
}

// headerLine is one header field, "Name: value", escaped.
func headerLine(st styles, h client.HeaderField) string {
	return st.faint.Render(escape(h.Name)+":") + " " + escape(h.Value)
}

func changeLine(st styles, c client.Change) string {
	from, to := escape(jsonText(c.From)), escape(jsonText(c.To))
	c.Name = escape(c.Name)
	switch c.Kind {
	case client.ChangeField:
		return fmt.Sprintf("%s %s → %s", c.Name, from, st.changed.Render(to))
	case client.ChangeCookieAdded:
		return st.added.Render("+ cookie "+c.Name) + " = " + shorten(to)
	case client.ChangeCookieRemoved:
		return st.removed.Render("- cookie " + c.Name)
	case client.ChangeSessionID:
		return st.warn.Render("! new session id") + fmt.Sprintf(" (%s) %s → %s", c.Name, shorten(from), shorten(to))
	default:
		return st.changed.Render("~ cookie "+c.Name) + fmt.Sprintf(" %s → %s", shorten(from), shorten(to))
	}
}

// jsonText shows a JSON value: strings without quotes, null as "(none)".
func jsonText(v json.RawMessage) string {
	if v == nil || string(v) == "null" {
		return "(none)"
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

func visitSummary(st styles, v *Visit) string {
	var codes []string
	for _, s := range v.Visits {
		codes = append(codes, st.status(s.Status).Render(fmt.Sprint(s.Status)))
	}
	line := counted(int64(len(v.Visits)), "visit") + ": " + strings.Join(codes, " → ")
	if v.Embedded {
		line += st.faint.Render("  (embedded demo server)")
	}
	n := " (" + counted(int64(v.JarCookies), "cookie") + ")"
	path := escape(v.Jar)
	var jar string
	switch {
	case v.Jar == "":
		jar = "jar: in memory" + n
	case v.JarState == client.JarStateFailed:
		jar = "jar: " + path + " not saved"
	case v.JarState == client.JarStateReadOnly:
		jar = "jar: " + path + ", read only, not written" + n
	case v.JarState == client.JarStateUntouched:
		jar = "jar: " + path + " left alone: the embedded demo's cookies stayed in memory" + n
	default:
		jar = "jar: " + path + n
	}
	return line + "\n" + st.faint.Render(jar)
}
