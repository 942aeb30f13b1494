package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// echoServer answers with what it received: method, raw Cookie header,
// Content-Length and Content-Type, and the body.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Multi", "one")
		w.Header().Add("X-Multi", "two")
		json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "cookie": r.Header["Cookie"], "content_length": r.Header.Get("Content-Length"),
			"content_type": r.Header.Get("Content-Type"), "body": string(b), "te": r.TransferEncoding,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

type echo struct {
	Method        string   `json:"method"`
	Cookie        []string `json:"cookie"`
	ContentLength string   `json:"content_length"`
	ContentType   string   `json:"content_type"`
	Body          string   `json:"body"`
}

func visitEcho(t *testing.T, cfg VisitConfig) (Step, echo) {
	t.Helper()
	steps, err := Visit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var e echo
	if err := json.Unmarshal(steps[0].Body, &e); err != nil {
		t.Fatalf("echo body %s: %v", steps[0].Body, err)
	}
	return steps[0], e
}

// Cookies from a curl-written jar go out byte for byte, as curl sends them,
// and nothing is logged.
func TestVisitCookieBytes(t *testing.T) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	srv := echoServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	host = host[:strings.IndexByte(host, ':')]
	path := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(path, []byte("# Netscape HTTP Cookie File\n"+
		host+"\tFALSE\t/\tFALSE\t0\tsp\ta b c\n"+
		host+"\tFALSE\t/\tFALSE\t0\tutf\tcafé\n"+
		host+"\tFALSE\t/\tFALSE\t0\tq\t\"x y\"\n"), 0o600)
	jar, err := OpenJar(path, JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, e := visitEcho(t, VisitConfig{URL: srv.URL + "/", Jar: jar, Header: http.Header{"Cookie": {"given=1"}}})
	want := `given=1; q="x y"; sp=a b c; utf=café`
	if len(e.Cookie) != 1 || !samePairs(e.Cookie[0], want) {
		t.Errorf("server got Cookie %q, want %q", e.Cookie, want)
	}
	sent := map[string]string{}
	for _, c := range s.CookiesSent {
		sent[c.Name] = c.Value
	}
	if sent["sp"] != "a b c" || sent["utf"] != "café" || sent["q"] != `"x y"` || sent["given"] != "1" {
		t.Errorf("cookies_sent %+v", s.CookiesSent)
	}
	if logged.Len() > 0 {
		t.Errorf("the log package printed: %s", logged.String())
	}
}

// samePairs compares two Cookie headers as sets of pairs.
func samePairs(a, b string) bool {
	pa, pb := strings.Split(a, "; "), strings.Split(b, "; ")
	if len(pa) != len(pb) {
		return false
	}
	seen := map[string]int{}
	for _, p := range pa {
		seen[p]++
	}
	for _, p := range pb {
		if seen[p]--; seen[p] < 0 {
			return false
		}
	}
	return true
}

func TestVisitMethodAndEmptyBody(t *testing.T) {
	srv := echoServer(t)
	for _, test := range []struct {
		method string
		body   []byte
		want   string
		cl     string
	}{
		{"get", nil, "GET", ""},
		{"", []byte{}, "POST", "0"},
		{"put", []byte("a=1"), "PUT", "3"},
		{"PROPFIND", nil, "PROPFIND", ""},
	} {
		s, e := visitEcho(t, VisitConfig{URL: srv.URL, Method: test.method, Body: test.body})
		if e.Method != test.want || s.Method != test.want || e.ContentLength != test.cl {
			t.Errorf("method %q body %q: server got %s with Content-Length %q, step says %s; want %s, %q",
				test.method, test.body, e.Method, e.ContentLength, s.Method, test.want, test.cl)
		}
	}
}

// bigBodyServer sends a Content-Length of 10 MiB, then 2 MiB of it; then
// it closes the connection (cut) or waits until the client goes (hang).
func bigBodyServer(t *testing.T, hang bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n", 10<<20)
				c.Write(bytes.Repeat([]byte("x"), 2<<20))
				if hang {
					io.Copy(io.Discard, c) // until the client closes
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

func TestVisitBodyCutShort(t *testing.T) {
	url := bigBodyServer(t, false)
	steps, err := Visit(context.Background(), VisitConfig{URL: url})
	if err == nil || len(steps) != 0 {
		t.Fatalf("a body cut short: %d steps, err %v; want an error", len(steps), err)
	}
	if !strings.Contains(err.Error(), "body cut short") || !strings.Contains(err.Error(), "of the 10485760 bytes") {
		t.Errorf("error %q does not say the body was cut short", err)
	}
}

func TestVisitTimeoutInBody(t *testing.T) {
	url := bigBodyServer(t, true)
	_, err := Visit(context.Background(), VisitConfig{URL: url, Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no complete response within the 300ms timeout") {
		t.Fatalf("err %v, want a timeout while reading the body", err)
	}
}

// headersTransport tells when a response's headers are in.
type headersTransport struct{ got chan struct{} }

func (t headersTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	close(t.got)
	return resp, err
}

func TestVisitInterruptedInBody(t *testing.T) {
	url := bigBodyServer(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	tr := headersTransport{make(chan struct{})}
	go func() { <-tr.got; cancel() }()
	_, err := Visit(ctx, VisitConfig{URL: url, Transport: tr})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped after") {
		t.Fatalf("err %v, want context.Canceled while reading the body", err)
	}
}

func TestVisitRedactsPassword(t *testing.T) {
	srv := echoServer(t)
	u := strings.Replace(srv.URL, "http://", "http://bob:hunter2@", 1) + "/"
	s, _ := visitEcho(t, VisitConfig{URL: u, Trace: true})
	b, _ := json.Marshal(s)
	if strings.Contains(string(b), "hunter2") || !strings.Contains(s.URL, "bob:xxxxx@") {
		t.Errorf("step shows the password: %s", b)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, err := Visit(context.Background(), VisitConfig{URL: strings.Replace(closed.URL, "http://", "http://bob:hunter2@", 1)})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestVisitHeadersAndTrace(t *testing.T) {
	srv := echoServer(t)
	s, _ := visitEcho(t, VisitConfig{URL: srv.URL})
	if s.ResponseHeaders != nil || s.Request != nil {
		t.Errorf("without AllHeaders or Trace: %+v %+v", s.ResponseHeaders, s.Request)
	}
	s, _ = visitEcho(t, VisitConfig{URL: srv.URL, AllHeaders: true})
	var multi []string
	for _, h := range s.ResponseHeaders {
		if h.Name == "X-Multi" {
			multi = append(multi, h.Value)
		}
	}
	if strings.Join(multi, ",") != "one,two" || s.Request != nil {
		t.Errorf("AllHeaders: %+v, request %+v", s.ResponseHeaders, s.Request)
	}
	s, _ = visitEcho(t, VisitConfig{URL: srv.URL + "/p", Trace: true, Body: []byte("a=1"), Header: http.Header{"Content-Type": {"text/plain"}}})
	r := s.Request
	if r == nil || r.Method != "POST" || r.URL != srv.URL+"/p" || r.BodyBytes != 3 || len(s.ResponseHeaders) == 0 {
		t.Fatalf("Trace: request %+v", r)
	}
	got := map[string]string{}
	for _, h := range r.Headers {
		got[h.Name] = h.Value
	}
	if got["Host"] != strings.TrimPrefix(srv.URL, "http://") || got["Content-Length"] != "3" || got["Content-Type"] != "text/plain" ||
		got["User-Agent"] != "sessctl" || got["Accept-Encoding"] != "gzip" || r.Headers[0].Name != "Host" {
		t.Errorf("request as sent: %+v", r.Headers)
	}
}

// A server that answers only HTTP/2 with prior knowledge (h2c) resets an
// HTTP/1.1 request: the error says so.
func TestVisitH2COnly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: http.NotFoundHandler(), Protocols: &p}
	go srv.Serve(ln)
	defer srv.Close()
	_, err = Visit(context.Background(), VisitConfig{URL: "http://" + ln.Addr().String() + "/"})
	if err == nil || !strings.Contains(err.Error(), "speaks only HTTP/2") {
		t.Fatalf("err %v, want it to say the server speaks only HTTP/2", err)
	}
}

func TestVisitChangesNeverNull(t *testing.T) {
	srv := echoServer(t)
	steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		b, _ := json.Marshal(s)
		if !strings.Contains(string(b), `"changes":[`) {
			t.Errorf("visit %d: %s", s.N, b)
		}
	}
}

func jwtValue(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + "." + enc(bytes.Repeat([]byte{1}, 32))
}

func TestJarChangesSessionID(t *testing.T) {
	jc := func(name, value string) JarCookie {
		return JarCookie{Name: name, Value: value, Domain: "app.test", Path: "/", HostOnly: true, Session: true}
	}
	sig1, sig2 := strings.Repeat("a", 43), strings.Repeat("b", 43)
	id1, id2 := strings.Repeat("1", 32), strings.Repeat("2", 32)
	for _, test := range []struct {
		name, from, to, want string
	}{
		{"connect.sid", "s%3A" + id1 + "." + sig1, "s%3A" + id2 + "." + sig2, `session_id_changed connect.sid "` + id1 + `" "` + id2 + `"`},
		// The same express id with another signature (secret rotation).
		{"connect.sid", "s%3A" + id1 + "." + sig1, "s%3A" + id1 + "." + sig2, `cookie_changed connect.sid "s%3A` + id1 + "." + sig1 + `" "s%3A` + id1 + "." + sig2 + `"`},
		{"PHPSESSID", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb", `session_id_changed PHPSESSID "aaaaaaaaaaaaaaaaaaaaaaaaaa" "bbbbbbbbbbbbbbbbbbbbbbbbbb"`},
		// A token whose payload names its session.
		{"token", jwtValue(`{"sid":"one","n":1}`), jwtValue(`{"sid":"one","n":2}`), "cookie_changed token"},
		{"token", jwtValue(`{"sid":"one"}`), jwtValue(`{"sid":"two"}`), `session_id_changed token "one" "two"`},
		// A cookie-carried session without an id (Flask, Koa): its value
		// changes with its data.
		{"session", "eyJuIjoxfQ.awojnA.o0SrHpcSKQVdqv48Q7HW3iC45Ew", "eyJuIjoyfQ.awojnB.o0SrHpcSKQVdqv48Q7HW3iC45Ex", "cookie_changed session"},
		{"koa.sess", "eyJuIjoxLCJfZXhwaXJlIjoxZTMwMH0=", "eyJuIjoyLCJfZXhwaXJlIjoxZTMwMH0=", "cookie_changed koa.sess"},
		{"theme", "dark", "light", `cookie_changed theme "dark" "light"`},
	} {
		got := changeText(jarChanges([]JarCookie{jc(test.name, test.from)}, []JarCookie{jc(test.name, test.to)}))
		if !strings.HasPrefix(got, test.want) {
			t.Errorf("%s %s → %s:\n got %s\nwant %s", test.name, test.from, test.to, got, test.want)
		}
	}
}

// Set-Cookie values are stored and sent back byte for byte, as curl does.
func TestVisitSetCookieBytes(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Cookie"))
		w.Header().Add("Set-Cookie", "utf=café; Path=/")
		w.Header().Add("Set-Cookie", "sp=a b c; Path=/")
	}))
	defer srv.Close()
	jar := NewJar()
	steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Jar: jar, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range steps[0].SetCookies {
		if sc.Outcome != OutcomeStored {
			t.Errorf("Set-Cookie %q: %s %s", sc.Raw, sc.Outcome, sc.Refused)
		}
	}
	if len(got) != 2 || !samePairs(got[1], "utf=café; sp=a b c") {
		t.Errorf("second visit sent Cookie %q", got)
	}
}
