package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sessctl/sessctl/client"
)

const demoCookie = "s%3AbHoXbR3Ezx2aS3nB6Y7vbnB1tTb2yJ0h.x0sK2p6JmE5ZsU9yYb4mJcVYb1b1w0T5dO0bqZp3n0c"

func demoBody(n int) json.RawMessage {
	return json.RawMessage(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":4242,"visitCount":` + string(rune('0'+n)) + `}`)
}

func demoVisit() *Visit {
	headers := map[string]string{"Content-Type": "application/json; charset=utf-8", "X-Powered-By": "Express"}
	return &Visit{
		URL:        "http://127.0.0.1:3000/",
		Jar:        "/home/u/.local/state/sessctl/cookies.txt",
		JarCookies: 1,
		Visits: []client.Step{
			{
				N: 1, Method: "GET", URL: "http://127.0.0.1:3000/", Status: 201, StatusText: "Created", Proto: "HTTP/1.1",
				DurationMS: 2.345, CookiesSent: []client.SentCookie{},
				SetCookies: []client.SetCookie{{
					Name: "connect.sid", Value: demoCookie, Path: "/", HttpOnly: true,
					Raw: "connect.sid=" + demoCookie + "; Path=/; HttpOnly", Outcome: client.OutcomeStored,
				}},
				Headers: headers, Body: demoBody(1), BodyIsJSON: true, BodyBytes: 88,
				Changes: []client.Change{{Kind: client.ChangeCookieAdded, Name: "connect.sid", From: json.RawMessage("null"), To: json.RawMessage(`"` + demoCookie + `"`)}},
			},
			{
				N: 2, Method: "GET", URL: "http://127.0.0.1:3000/", Status: 200, StatusText: "OK", Proto: "HTTP/1.1",
				DurationMS: 0.812, CookiesSent: []client.SentCookie{{Name: "connect.sid", Value: demoCookie}},
				SetCookies: []client.SetCookie{}, Headers: headers, Body: demoBody(2), BodyIsJSON: true, BodyBytes: 88,
				Changes: []client.Change{{Kind: client.ChangeField, Name: "visitCount", From: json.RawMessage("1"), To: json.RawMessage("2")}},
			},
		},
	}
}

func miscVisit() *Visit {
	exp := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sixty, zero := 60, 0
	return &Visit{
		URL:      "http://127.0.0.1:3000/login",
		Embedded: true,
		Visits: []client.Step{
			{
				N: 1, Method: "POST", URL: "http://127.0.0.1:3000/home", Status: 404, StatusText: "Not Found", Proto: "HTTP/1.1",
				DurationMS: 12.5,
				Redirects: []client.Redirect{{Status: 302, URL: "http://127.0.0.1:3000/login", Location: "/home",
					SetCookies: []client.SetCookie{{Name: "flash", Value: "hi", Path: "/", MaxAge: &sixty, Expires: &exp, SameSite: "Lax", Outcome: client.OutcomeStored}}}},
				CookiesSent: []client.SentCookie{{Name: "flash", Value: "hi"}, {Name: "theme", Value: "dark"}},
				SetCookies: []client.SetCookie{
					{Name: "flash", Value: "", Path: "/", MaxAge: &zero, Outcome: client.OutcomeDeleted},
					{Name: "evil", Value: "1", Domain: "co.uk", Secure: true, Outcome: client.OutcomeRefused, Refused: client.ErrPublicSuffix.Error()},
				},
				Headers:   map[string]string{"Content-Type": "text/html; charset=utf-8"},
				Body:      json.RawMessage(`"<!DOCTYPE html>\n<pre>Cannot POST /home</pre>\n"`),
				BodyBytes: 45,
				Changes:   []client.Change{{Kind: client.ChangeCookieRemoved, Name: "flash", From: json.RawMessage(`"hi"`), To: json.RawMessage("null")}},
			},
			{
				N: 2, Method: "POST", URL: "http://127.0.0.1:3000/home", Status: 503, StatusText: "Service Unavailable", Proto: "HTTP/2.0",
				DurationMS: 1500, CookiesSent: []client.SentCookie{}, SetCookies: []client.SetCookie{},
				Headers: map[string]string{}, Body: json.RawMessage(`""`),
				Changes: []client.Change{
					{Kind: client.ChangeSessionID, Name: "connect.sid", From: json.RawMessage(`"old-session-id-0123456789abcdefghijklmnop"`), To: json.RawMessage(`"new"`)},
					{Kind: client.ChangeCookieChanged, Name: "theme", From: json.RawMessage(`"dark"`), To: json.RawMessage(`"light"`)},
				},
			},
			{
				N: 3, Method: "POST", URL: "http://127.0.0.1:3000/home", Status: 500, StatusText: "Internal Server Error", Proto: "HTTP/1.1",
				DurationMS: 3, CookiesSent: []client.SentCookie{}, SetCookies: []client.SetCookie{},
				Headers: map[string]string{}, Body: json.RawMessage(`""`), Changes: []client.Change{},
			},
		},
	}
}

// visitText prints v through a VisitWriter in the table format, as visit
// does a visit at a time, with the renderer r.
func visitText(w io.Writer, r *lipgloss.Renderer, v *Visit) error {
	vw := newVisitWriter(&Streams{Out: w}, r, "table")
	for i := range v.Visits {
		if err := vw.Step(&v.Visits[i]); err != nil {
			return err
		}
	}
	return vw.End(v)
}

func renderVisit(t *testing.T, v *Visit, profile termenv.Profile) []byte {
	t.Helper()
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(profile)
	if err := visitText(&buf, r, v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestVisitTextGolden(t *testing.T) {
	for _, test := range []struct {
		name    string
		v       *Visit
		profile termenv.Profile
	}{
		{"demo.txt", demoVisit(), termenv.Ascii},
		{"demo.ansi", demoVisit(), termenv.ANSI256},
		{"misc.txt", miscVisit(), termenv.Ascii},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := renderVisit(t, test.v, test.profile)
			hasANSI := bytes.Contains(got, []byte("\x1b["))
			if hasANSI != (test.profile != termenv.Ascii) {
				t.Errorf("profile %v: ANSI escapes %v", test.profile, hasANSI)
			}
			checkGolden(t, "visit", test.name, got)
		})
	}
}

func TestVisitTextNoColorOnPipes(t *testing.T) {
	for _, s := range []*Streams{
		{Out: &bytes.Buffer{}},                              // a pipe
		{Out: &bytes.Buffer{}, OutTTY: true, NoColor: true}, // NO_COLOR on a terminal
	} {
		v, w := demoVisit(), NewVisitWriter(s, "table")
		for i := range v.Visits {
			if err := w.Step(&v.Visits[i]); err != nil {
				t.Fatal(err)
			}
		}
		out := s.Out.(*bytes.Buffer).String()
		if strings.Contains(out, "\x1b[") {
			t.Errorf("ANSI escapes with OutTTY=%v NoColor=%v", s.OutTTY, s.NoColor)
		}
		if !strings.Contains(out, "visitCount 1 → 2") {
			t.Errorf("view lacks the change line:\n%s", out)
		}
	}
}

func TestVisitJSON(t *testing.T) {
	s, _, out, _ := Test()
	if err := VisitJSON(s, miscVisit()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		URL    string `json:"url"`
		Jar    *string
		Visits []map[string]json.RawMessage
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.URL != "http://127.0.0.1:3000/login" || doc.Jar == nil || *doc.Jar != "" || len(doc.Visits) != 3 {
		t.Fatalf("document %+v", doc)
	}
	for _, field := range []string{"n", "method", "url", "status", "proto", "duration_ms", "cookies_sent", "set_cookies", "headers", "body", "body_is_json", "body_bytes", "changes"} {
		if _, ok := doc.Visits[0][field]; !ok {
			t.Errorf("visit lacks %q", field)
		}
	}
	var sc []map[string]any
	json.Unmarshal(doc.Visits[0]["set_cookies"], &sc)
	for _, field := range []string{"name", "value", "path", "expires", "max_age", "secure", "http_only", "raw", "outcome"} {
		if _, ok := sc[0][field]; !ok {
			t.Errorf("set_cookies[0] lacks %q: %v", field, sc[0])
		}
	}
	if sc[1]["refused"] != "domain is a public suffix" {
		t.Errorf("refused cookie: %v", sc[1])
	}
	if string(doc.Visits[0]["body"]) != `"\u003c!DOCTYPE html\u003e\n\u003cpre\u003eCannot POST /home\u003c/pre\u003e\n"` &&
		!strings.HasPrefix(string(doc.Visits[0]["body"]), `"<!DOCTYPE`) {
		t.Errorf("body %s", doc.Visits[0]["body"])
	}

	s, _, out, _ = Test()
	VisitJSON(s, demoVisit())
	var demo struct {
		Visits []struct {
			Body struct {
				VisitCount int `json:"visitCount"`
			} `json:"body"`
		} `json:"visits"`
	}
	if err := json.Unmarshal(out.Bytes(), &demo); err != nil || demo.Visits[1].Body.VisitCount != 2 {
		t.Errorf("JSON body is not the parsed JSON: %v %s", err, out)
	}
}

// unsafeVisit is a visit of a hostile server: control bytes in the body,
// header values, cookie names and values, a binary body and a long one,
// with -v's request and headers.
func unsafeVisit() *Visit {
	evil := "\x1b[2J\x1b]0;pwned\x07"
	long := strings.Repeat("0123456789abcdef", 1024) // 16 KiB on one line
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 40)...)
	b64, _ := json.Marshal(base64.StdEncoding.EncodeToString(png))
	text, _ := json.Marshal("hello " + evil + " world\n\tindented\u009b1m")
	longJSON, _ := json.Marshal(long)
	return &Visit{
		URL: "http://bob:xxxxx@127.0.0.1:3000/",
		Visits: []client.Step{
			{
				N: 1, Method: "POST", URL: "http://bob:xxxxx@127.0.0.1:3000/", Status: 200, StatusText: "OK", Proto: "HTTP/1.1", DurationMS: 1,
				Request: &client.SentRequest{Method: "POST", URL: "http://bob:xxxxx@127.0.0.1:3000/", BodyBytes: 8, Headers: []client.HeaderField{
					{Name: "Host", Value: "127.0.0.1:3000"}, {Name: "Content-Type", Value: "application/x-www-form-urlencoded"},
				}},
				CookiesSent: []client.SentCookie{{Name: "sp", Value: "a b c"}, {Name: "utf", Value: "café"}},
				SetCookies:  []client.SetCookie{{Name: "t" + evil, Value: "v" + evil, Path: "/", Outcome: client.OutcomeStored}},
				Headers:     map[string]string{"Content-Type": "text/plain" + evil, "Location": "/x" + evil},
				ResponseHeaders: []client.HeaderField{
					{Name: "Content-Type", Value: "text/plain" + evil}, {Name: "X-Evil", Value: evil},
				},
				Body: text, BodyBytes: 40,
				Changes: []client.Change{{Kind: client.ChangeCookieAdded, Name: "t" + evil, From: json.RawMessage("null"), To: json.RawMessage(`"v\u001b[2J"`)}},
			},
			{
				N: 2, Method: "GET", URL: "http://127.0.0.1:3000/logo.png", Status: 200, StatusText: "OK", Proto: "HTTP/1.1", DurationMS: 1,
				CookiesSent: []client.SentCookie{}, SetCookies: []client.SetCookie{}, Headers: map[string]string{"Content-Type": "image/png"},
				Body: b64, BodyEncoding: "base64", BodyBytes: int64(len(png)), Changes: []client.Change{},
			},
			{
				N: 3, Method: "GET", URL: "http://127.0.0.1:3000/long", Status: 200, StatusText: "OK", Proto: "HTTP/1.1", DurationMS: 1,
				CookiesSent: []client.SentCookie{}, SetCookies: []client.SetCookie{}, Headers: map[string]string{},
				Body: longJSON, BodyBytes: int64(len(long)), Changes: []client.Change{},
			},
		},
	}
}

// Nothing the server sent reaches the terminal as a control byte; a
// binary body is a hex preview, a long one is cut.
func TestVisitTextUnsafe(t *testing.T) {
	got := renderVisit(t, unsafeVisit(), termenv.Ascii)
	checkGolden(t, "visit", "unsafe.txt", got)
	for i, c := range got {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("control byte %#x at %d:\n%s", c, i, got)
		}
	}
	if bytes.Contains(got, []byte("\u009b")) || bytes.Contains(got, []byte("hunter2")) {
		t.Errorf("a C1 control or a password is shown:\n%s", got)
	}
	for _, want := range []string{`hello \x1b[2J\x1b]0;pwned\x07 world`, "X-Evil:", "(168 bytes, binary, image/png)",
		"00000000  89 50 4e 47 0d 0a 1a 0a", "more (-o json has the body in base64)", "more (-o json shows the whole body)",
		"sp=a b c", "utf=café", "request", "Host: 127.0.0.1:3000"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("view lacks %q", want)
		}
	}
	if n := bytes.Count(got, []byte("0123456789abcdef")); n > maxBodyText/16+1 {
		t.Errorf("the long body is shown %d times 16 bytes", n)
	}
}
