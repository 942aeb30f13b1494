package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

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
//	    "body": the parsed JSON when the body is JSON, else the body as a string,
//	    "body_is_json": true, "body_bytes": 88, "body_truncated": true (only when cut at 1 MiB),
//	    "changes": [{                    since the previous visit ([] for none)
//	      "kind": "field" | "cookie_added" | "cookie_changed" | "cookie_removed" | "session_id_changed",
//	      "name": body field path (visitCount, cookie.expires) or cookie name,
//	      "from": JSON value or null, "to": JSON value or null
//	    }]
//	  }],
//	  "jar": "/home/u/.local/state/sessctl/cookies.txt",  the jar file; "" for an in-memory jar
//	  "jar_state": "saved" | "memory" | "read_only" | "not_saved" (the save failed: exit 2)
//	               | "untouched" (the embedded demo's cookies stayed in memory; the file was left alone)
//	}
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
		fmt.Fprintf(s.ErrOut, "warning: jar: %s\n", w)
	}
}

// VisitText writes the human view of v to s.Out, coloured through
// the stylesheet (plain text for pipes and NO_COLOR).
//
// The view (-o table, the default) shows, for each visit, the request and status
// line, the cookies sent, each Set-Cookie with its attributes and what the
// jar did with it, the body (pretty JSON when it is JSON) and what changed
// since the previous visit (visitCount 1 → 2). Its layout may change.
func VisitText(s *Streams, v *Visit) error {
	return visitText(s.Out, s.renderer(), v)
}

// maxBodyLines bounds how much of a body the text view shows.
const maxBodyLines = 40

func visitText(w io.Writer, r *lipgloss.Renderer, v *Visit) error {
	st := newStyles(r)
	var b strings.Builder
	c := columns{b: &b, st: st, width: visitLabelWidth}
	for i := range v.Visits {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeStep(c, &v.Visits[i])
	}
	b.WriteByte('\n')
	b.WriteString(visitSummary(st, v))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// visitLabelWidth is the width of the label column: "cookies sent" and a
// space or two.
const visitLabelWidth = 14

func writeStep(c columns, s *client.Step) {
	b, st := c.b, c.st
	status := fmt.Sprintf("%d %s", s.Status, s.StatusText)
	fmt.Fprintf(b, "%s  %s %s  %s  %s\n",
		st.title.Render(fmt.Sprintf("Visit %d", s.N)), s.Method, s.URL,
		st.status(s.Status).Render(status),
		st.faint.Render(s.Proto+" "+durationMS(s.DurationMS)))

	for _, rd := range s.Redirects {
		c.row("redirect", fmt.Sprintf("%s %s → %s", st.status(rd.Status).Render(fmt.Sprint(rd.Status)), rd.URL, rd.Location))
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
		c.row(label, sent.Name+"="+sent.Value)
	}

	for _, sc := range s.SetCookies {
		writeSetCookie(c, sc)
	}

	if loc, ok := s.Headers["Location"]; ok {
		c.row("location", loc)
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
		col.row("set-cookie", c.Raw)
	} else {
		col.row("set-cookie", c.Name+"="+c.Value)
	}
	var attrs []string
	if c.Domain != "" {
		attrs = append(attrs, "Domain="+c.Domain)
	}
	if c.Path != "" {
		attrs = append(attrs, "Path="+c.Path)
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
		attrs = append(attrs, "SameSite="+c.SameSite)
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
		outcome = st.removed.Render("refused by jar: " + c.Refused)
	}
	col.row("", st.faint.Render(strings.Join(attrs, "; "))+"  → "+outcome)
}

func bodyHeading(st styles, s *client.Step) string {
	desc := fmt.Sprintf("%d %s", s.BodyBytes, plural(int64(s.BodyBytes), "byte"))
	if ct, ok := s.Headers["Content-Type"]; ok {
		desc += ", " + ct
	}
	if s.BodyTruncated {
		desc += ", cut"
	}
	return st.faint.Render("(" + desc + ")")
}

// bodyLines is the body to show: pretty JSON, or the text itself, at most
// maxBodyLines lines.
func bodyLines(s *client.Step) []string {
	var text string
	if s.BodyIsJSON {
		text = prettyJSON(s.Body)
	} else if json.Unmarshal(s.Body, &text) != nil {
		text = string(s.Body)
	}
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return nil
	}
	lines := strings.Split(text, "\n")
	if len(lines) > maxBodyLines {
		more := len(lines) - maxBodyLines
		lines = append(lines[:maxBodyLines], fmt.Sprintf("… %d more lines (-o json shows the whole body)", more))
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.ReplaceAll(l, "\t", "    "), "\r ")
	}
	return lines
}

func changeLine(st styles, c client.Change) string {
	from, to := jsonText(c.From), jsonText(c.To)
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
	var jar string
	switch {
	case v.Jar == "":
		jar = "jar: in memory" + n
	case v.JarState == client.JarStateFailed:
		jar = "jar: " + v.Jar + " not saved"
	case v.JarState == client.JarStateReadOnly:
		jar = "jar: " + v.Jar + ", read only, not written" + n
	case v.JarState == client.JarStateUntouched:
		jar = "jar: " + v.Jar + " left alone: the embedded demo's cookies stayed in memory" + n
	default:
		jar = "jar: " + v.Jar + n
	}
	return line + "\n" + st.faint.Render(jar)
}
