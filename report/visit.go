package report

import (
	"bytes"
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
//	  "jar": "/home/u/.local/state/sessctl/cookies.txt"   the jar file; "" for an in-memory jar
//	}
func VisitJSON(s *Streams, v *Visit) error {
	if v.Visits == nil {
		v.Visits = []client.Step{}
	}
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// VisitText writes the human view of v to s.Out, coloured through
// s.Renderer() (plain text for pipes and NO_COLOR).
//
// The view (-o table, the default) shows, for each visit, the request and status
// line, the cookies sent, each Set-Cookie with its attributes and what the
// jar did with it, the body (pretty JSON when it is JSON) and what changed
// since the previous visit (visitCount 1 → 2). Its layout may change.
func VisitText(s *Streams, v *Visit) error {
	return visitText(s.Out, s.Renderer(), v)
}

// maxBodyLines bounds how much of a body the text view shows.
const maxBodyLines = 40

type visitStyles struct {
	title, label, faint, ok, redirect, warn, bad, added, removed, changed lipgloss.Style
}

func newVisitStyles(r *lipgloss.Renderer) visitStyles {
	return visitStyles{
		title:    r.NewStyle().Bold(true),
		label:    r.NewStyle().Foreground(lipgloss.Color("12")),
		faint:    r.NewStyle().Faint(true),
		ok:       r.NewStyle().Bold(true).Foreground(lipgloss.Color("10")),
		redirect: r.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		warn:     r.NewStyle().Bold(true).Foreground(lipgloss.Color("11")),
		bad:      r.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		added:    r.NewStyle().Foreground(lipgloss.Color("10")),
		removed:  r.NewStyle().Foreground(lipgloss.Color("9")),
		changed:  r.NewStyle().Foreground(lipgloss.Color("11")),
	}
}

func (st visitStyles) status(code int) lipgloss.Style {
	switch {
	case code >= 500:
		return st.bad
	case code >= 400:
		return st.warn
	case code >= 300:
		return st.redirect
	}
	return st.ok
}

func visitText(w io.Writer, r *lipgloss.Renderer, v *Visit) error {
	st := newVisitStyles(r)
	var b strings.Builder
	for i := range v.Visits {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeStep(&b, st, &v.Visits[i])
	}
	b.WriteByte('\n')
	b.WriteString(visitSummary(st, v))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

const labelWidth = 14

func (st visitStyles) labelled(b *strings.Builder, label, text string) {
	pad := strings.Repeat(" ", max(labelWidth-len(label), 1))
	b.WriteString("  " + st.label.Render(label) + pad + text + "\n")
}

func (st visitStyles) continued(b *strings.Builder, text string) {
	b.WriteString("  " + strings.Repeat(" ", labelWidth) + text + "\n")
}

func writeStep(b *strings.Builder, st visitStyles, s *client.Step) {
	status := fmt.Sprintf("%d %s", s.Status, s.StatusText)
	fmt.Fprintf(b, "%s  %s %s  %s  %s\n",
		st.title.Render(fmt.Sprintf("Visit %d", s.N)), s.Method, s.URL,
		st.status(s.Status).Render(status),
		st.faint.Render(s.Proto+" "+formatMS(s.DurationMS)))

	for _, rd := range s.Redirects {
		st.labelled(b, "redirect", fmt.Sprintf("%s %s → %s", st.status(rd.Status).Render(fmt.Sprint(rd.Status)), rd.URL, rd.Location))
		for _, c := range rd.SetCookies {
			writeSetCookie(b, st, c)
		}
	}

	if len(s.CookiesSent) == 0 {
		st.labelled(b, "cookies sent", st.faint.Render("(none)"))
	}
	for i, c := range s.CookiesSent {
		label := ""
		if i == 0 {
			label = "cookies sent"
		}
		st.labelled(b, label, c.Name+"="+c.Value)
	}

	for _, c := range s.SetCookies {
		writeSetCookie(b, st, c)
	}

	if loc, ok := s.Headers["Location"]; ok {
		st.labelled(b, "location", loc)
	}

	st.labelled(b, "body", bodyHeading(st, s))
	for _, line := range bodyLines(s) {
		st.continued(b, line)
	}

	if len(s.Changes) == 0 {
		if s.N > 1 {
			st.labelled(b, "changes", st.faint.Render("(none)"))
		}
		return
	}
	for i, c := range s.Changes {
		label := ""
		if i == 0 {
			label = "changes"
		}
		st.labelled(b, label, changeLine(st, c))
	}
}

func writeSetCookie(b *strings.Builder, st visitStyles, c client.SetCookie) {
	if c.Name == "" {
		st.labelled(b, "set-cookie", c.Raw)
	} else {
		st.labelled(b, "set-cookie", c.Name+"="+c.Value)
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
	st.continued(b, st.faint.Render(strings.Join(attrs, "; "))+"  → "+outcome)
}

func bodyHeading(st visitStyles, s *client.Step) string {
	desc := fmt.Sprintf("%d bytes", s.BodyBytes)
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
		var buf bytes.Buffer
		if json.Indent(&buf, s.Body, "", "  ") == nil {
			text = buf.String()
		} else {
			text = string(s.Body)
		}
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

func changeLine(st visitStyles, c client.Change) string {
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

func shorten(s string) string {
	const n = 40
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func formatMS(ms float64) string {
	switch {
	case ms >= 1000:
		return fmt.Sprintf("%.2fs", ms/1000)
	case ms >= 10:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.1fms", ms)
}

func visitSummary(st visitStyles, v *Visit) string {
	var codes []string
	for _, s := range v.Visits {
		codes = append(codes, st.status(s.Status).Render(fmt.Sprint(s.Status)))
	}
	n := len(v.Visits)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	line := fmt.Sprintf("%d visit%s: %s", n, plural, strings.Join(codes, " → "))
	if v.Embedded {
		line += st.faint.Render("  (embedded demo server)")
	}
	jar := "jar: in memory"
	if v.Jar != "" {
		jar = "jar: " + v.Jar
	}
	cookies := "s"
	if v.JarCookies == 1 {
		cookies = ""
	}
	return line + "\n" + st.faint.Render(fmt.Sprintf("%s (%d cookie%s)", jar, v.JarCookies, cookies))
}
