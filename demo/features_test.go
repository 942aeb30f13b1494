package demo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// request sends method path with the Cookie header cookies (empty: none)
// and returns the response (body read) and the body.
func request(t *testing.T, c *http.Client, method, url, cookies string) (*http.Response, string) {
	t.Helper()
	return send(t, c, method, url, "", "", cookies)
}

// send is request with a body of content type ctype (none when empty).
func send(t *testing.T, c *http.Client, method, url, ctype, body, cookies string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if cookies != "" {
		req.Header.Set("Cookie", cookies)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// cookiePairs turns a response's Set-Cookie lines into a Cookie header.
func cookiePairs(resp *http.Response) string {
	var p []string
	for _, line := range resp.Header.Values("Set-Cookie") {
		p = append(p, strings.SplitN(line, ";", 2)[0])
	}
	return strings.Join(p, "; ")
}

func TestHandlerMaxAgeAndFlags(t *testing.T) {
	clk := newFakeClock()
	store := NewMemoryStoreWith(MemoryStoreOptions{TTL: time.Hour, Now: clk.Now})
	srv := httptest.NewServer(NewHandler(Options{
		Secrets: [][]byte{[]byte("s")}, Store: store, Now: clk.Now,
		MaxAge: 90 * time.Second, Secure: true, SameSite: "lax",
	}))
	defer srv.Close()
	c := srv.Client()

	resp, body := request(t, c, "GET", srv.URL+"/", "")
	set := resp.Header.Get("Set-Cookie")
	// express-session's order: Path; Expires; HttpOnly; Secure; SameSite
	wantAttrs := "; Path=/; Expires=Sat, 28 Nov 2026 01:03:33 GMT; HttpOnly; Secure; SameSite=Lax"
	if resp.StatusCode != 201 || !strings.HasSuffix(set, wantAttrs) {
		t.Fatalf("first visit: %d Set-Cookie %q, want suffix %q", resp.StatusCode, set, wantAttrs)
	}
	wantHead := `{"cookie":{"originalMaxAge":90000,"expires":"2026-11-28T01:03:33.456Z","secure":true,"httpOnly":true,"path":"/","sameSite":"lax"},"sid":`
	if !strings.HasPrefix(body, wantHead) || !strings.HasSuffix(body, `,"visitCount":1}`) {
		t.Fatalf("body %s\nwant prefix %s", body, wantHead)
	}

	// 80 s later: the session is alive (90 s max-age), the body shows the
	// expiry as stored, the cookie gets a new one.
	clk.Advance(80 * time.Second)
	resp, body = request(t, c, "GET", srv.URL+"/", cookiePairs(resp))
	if resp.StatusCode != 200 || !strings.Contains(body, `"expires":"2026-11-28T01:03:33.456Z"`) ||
		!strings.Contains(resp.Header.Get("Set-Cookie"), "Expires=Sat, 28 Nov 2026 01:04:53 GMT") {
		t.Fatalf("second visit: %d %s %q", resp.StatusCode, body, resp.Header.Get("Set-Cookie"))
	}
	ck := cookiePairs(resp)
	clk.Advance(80 * time.Second) // within 90 s of the last visit: slides
	if resp, body = request(t, c, "GET", srv.URL+"/", ck); resp.StatusCode != 200 ||
		!strings.Contains(body, `"expires":"2026-11-28T01:04:53.456Z"`) {
		t.Fatalf("third visit: %d %s", resp.StatusCode, body)
	}
	clk.Advance(91 * time.Second) // expired: a fresh session
	if resp, _ = request(t, c, "GET", srv.URL+"/", ck); resp.StatusCode != 201 {
		t.Fatalf("visit after max-age: %d, want 201", resp.StatusCode)
	}
}

func TestHandlerDefaultSetCookieUnchanged(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{}))
	defer srv.Close()
	resp, _ := request(t, srv.Client(), "GET", srv.URL+"/", "")
	if set := resp.Header.Get("Set-Cookie"); !strings.HasSuffix(set, "; Path=/; HttpOnly") || strings.Count(set, ";") != 2 {
		t.Fatalf("default Set-Cookie %q", set)
	}
	resp, _ = request(t, srv.Client(), "GET", srv.URL+"/", cookiePairs(resp))
	if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("second visit without max-age: %d Set-Cookie %q, want none", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
}

func TestHandlerHealthzLogoutRegenerate(t *testing.T) {
	store := NewMemoryStore()
	srv := httptest.NewServer(NewHandler(Options{Store: store, SameSite: "strict"}))
	defer srv.Close()
	c := srv.Client()

	if resp, body := request(t, c, "GET", srv.URL+"/healthz", ""); resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	resp, _ := request(t, c, "GET", srv.URL+"/", "")
	if !strings.HasSuffix(resp.Header.Get("Set-Cookie"), "; HttpOnly; SameSite=Strict") {
		t.Fatalf("SameSite: %q", resp.Header.Get("Set-Cookie"))
	}
	old := cookiePairs(resp)
	request(t, c, "GET", srv.URL+"/", old) // visitCount 2

	// regenerate: new id, same data, the old id is gone
	resp, body := request(t, c, "POST", srv.URL+"/regenerate", old)
	fresh := cookiePairs(resp)
	if resp.StatusCode != 200 || fresh == old || !strings.HasSuffix(body, `"visitCount":2}`) {
		t.Fatalf("regenerate: %d %q %s", resp.StatusCode, fresh, body)
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/", old); resp.StatusCode != 201 {
		t.Fatalf("old id after regenerate: %d, want 201 (a fresh session)", resp.StatusCode)
	}
	if resp, body := request(t, c, "GET", srv.URL+"/", fresh); resp.StatusCode != 200 || !strings.HasSuffix(body, `"visitCount":3}`) {
		t.Fatalf("new id after regenerate: %d %s", resp.StatusCode, body)
	}
	if resp, _ := request(t, c, "POST", srv.URL+"/regenerate", ""); resp.StatusCode != 400 {
		t.Fatalf("regenerate without a session: %d, want 400", resp.StatusCode)
	}

	// logout destroys and clears
	n := store.Len()
	resp, body = request(t, c, "POST", srv.URL+"/logout", fresh)
	if resp.StatusCode != 200 || body != "OK" || resp.Header.Get("Set-Cookie") != "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT" {
		t.Fatalf("logout: %d %q %q", resp.StatusCode, body, resp.Header.Get("Set-Cookie"))
	}
	if store.Len() != n-1 {
		t.Fatalf("logout left %d sessions, want %d", store.Len(), n-1)
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/", fresh); resp.StatusCode != 201 {
		t.Fatalf("visit after logout: %d, want 201", resp.StatusCode)
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/logout", fresh); resp.StatusCode != 404 {
		t.Fatalf("GET /logout: %d, want 404", resp.StatusCode)
	}
}

// TestHandlerRacyLosesUpdates: in racy mode concurrent visits of one
// session lose increments, as express-session's do; without it none.
func TestHandlerRacyLosesUpdates(t *testing.T) {
	for _, racy := range []bool{false, true} {
		srv := httptest.NewServer(NewHandler(Options{Racy: racy, Delay: 2 * time.Millisecond}))
		c := srv.Client()
		resp, _ := request(t, c, "GET", srv.URL+"/", "")
		ck := cookiePairs(resp)
		const n = 200
		var wg sync.WaitGroup
		sem := make(chan struct{}, 20)
		for range n {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				request(t, c, "GET", srv.URL+"/", ck)
			})
		}
		wg.Wait()
		_, body := request(t, c, "GET", srv.URL+"/", ck)
		var s struct{ VisitCount int }
		json.Unmarshal([]byte(body), &s)
		want := n + 2
		if racy && s.VisitCount >= want {
			t.Errorf("racy: visitCount %d, want lost updates (< %d)", s.VisitCount, want)
		}
		if !racy && s.VisitCount != want {
			t.Errorf("atomic: visitCount %d, want %d", s.VisitCount, want)
		}
		srv.Close()
	}
}

func TestHandlerCookieMode(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Mode: ModeCookie, Secrets: [][]byte{[]byte("a"), []byte("b")}}))
	defer srv.Close()
	c := srv.Client()
	resp, body := request(t, c, "GET", srv.URL+"/", "")
	sets := resp.Header.Values("Set-Cookie")
	if resp.StatusCode != 201 || len(sets) != 2 || !strings.HasSuffix(body, `,"visitCount":1}`) || !strings.HasPrefix(body, `{"sid":`) {
		t.Fatalf("first visit: %d %q %s", resp.StatusCode, sets, body)
	}
	value := strings.TrimPrefix(strings.SplitN(sets[0], ";", 2)[0], "session=")
	if raw, _ := base64.StdEncoding.DecodeString(value); string(raw) != body || !strings.HasSuffix(sets[0], "; path=/; httponly") {
		t.Fatalf("session cookie %q does not hold the body %s", sets[0], body)
	}
	kg, _ := cookie.NewKeygrip("sha1", []byte("a"))
	if sig := strings.TrimPrefix(strings.SplitN(sets[1], ";", 2)[0], "session.sig="); !kg.Verify("session="+value, sig) {
		t.Fatalf("session.sig %q is not keygrip's of session=%s", sets[1], value)
	}
	resp, body = request(t, c, "GET", srv.URL+"/", cookiePairs(resp))
	if resp.StatusCode != 200 || !strings.HasSuffix(body, `,"visitCount":2}`) {
		t.Fatalf("second visit: %d %s", resp.StatusCode, body)
	}

	// The cookie-session vectors (keys a, b): signed by the second key is
	// accepted too.
	for _, ck := range []string{
		"session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9; session.sig=" + kg.Sign("session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9"),
		"session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9; session.sig=" + mustKeygrip("b").Sign("session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9"),
	} {
		if resp, body := request(t, c, "GET", srv.URL+"/", ck); resp.StatusCode != 200 || body != `{"sid":1,"visitCount":6}` {
			t.Errorf("cookie %q: %d %s", ck, resp.StatusCode, body)
		}
	}
	// Tampered, unsigned, wrong key, garbage: a fresh session.
	tampered := "session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjk5fQ==; session.sig=" + kg.Sign("session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9")
	for _, ck := range []string{
		tampered,
		"session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9",
		"session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9; session.sig=" + mustKeygrip("c").Sign("session=eyJzaWQiOjEsInZpc2l0Q291bnQiOjV9"),
		"session=%%%; session.sig=" + kg.Sign("session=%%%"),
		"session=bm90IGpzb24=; session.sig=" + kg.Sign("session=bm90IGpzb24="),
	} {
		if resp, body := request(t, c, "GET", srv.URL+"/", ck); resp.StatusCode != 201 || !strings.HasSuffix(body, `"visitCount":1}`) {
			t.Errorf("cookie %q: %d %s, want 201 and a fresh session", ck, resp.StatusCode, body)
		}
	}
	resp, _ = request(t, c, "POST", srv.URL+"/logout", "")
	if sets := resp.Header.Values("Set-Cookie"); resp.StatusCode != 200 || len(sets) != 2 ||
		sets[0] != "session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly" {
		t.Fatalf("logout in cookie mode: %d %q", resp.StatusCode, sets)
	}
}

func mustKeygrip(key string) *cookie.Keygrip {
	k, err := cookie.NewKeygrip("sha1", []byte(key))
	if err != nil {
		panic(err)
	}
	return k
}

// failingStore is a store whose backend is down.
type failingStore struct{ *MemoryStore }

func (*failingStore) Visit(context.Context, string) (Session, error) {
	return Session{}, errDown
}
func (*failingStore) Create(context.Context, string, Session) error { return errDown }
func (*failingStore) Ping(context.Context) error                    { return errDown }

var errDown = &net503{}

type net503 struct{}

func (*net503) Error() string { return "dial tcp 127.0.0.1:1: connect: connection refused" }

func TestHandlerStoreDown503(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	h := NewHandler(Options{Store: &failingStore{NewMemoryStore()}, ErrorLog: newTestLogger(&logs, &mu)})
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, path := range []string{"/", "/", "/healthz"} {
		if resp, _ := request(t, srv.Client(), "GET", srv.URL+path, ""); resp.StatusCode != 503 {
			t.Fatalf("GET %s with the store down: %d", path, resp.StatusCode)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "session store unavailable"); n != 1 {
		t.Fatalf("want one outage line, got %d:\n%s", n, logs.String())
	}
}

// TestHandlerNoInputGives5xx throws odd requests at every route and mode:
// nothing may answer 5xx or panic.
func TestHandlerNoInputGives5xx(t *testing.T) {
	for _, opts := range []Options{{}, {Mode: ModeCookie}, {Racy: true}, {MaxAge: time.Hour, Secure: true, SameSite: "none"}} {
		srv := httptest.NewServer(NewHandler(opts))
		for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
			for _, path := range []string{"/", "/healthz", "/logout", "/regenerate", "/%2F", "//", "/a?b=c"} {
				for _, ck := range []string{"", "connect.sid=", "connect.sid=s%3A", "connect.sid=s:..", "session=; session.sig=",
					"session=e30=; session.sig=x", strings.Repeat("x=y;", 500)} {
					resp, _ := request(t, srv.Client(), method, srv.URL+path, ck)
					if resp.StatusCode >= 500 {
						t.Errorf("%+v %s %s cookie %.30q: %d", opts, method, path, ck, resp.StatusCode)
					}
				}
			}
		}
		srv.Close()
	}
}

// FuzzHandlerCookies: any Cookie header on any route gives no 5xx.
func FuzzHandlerCookies(f *testing.F) {
	for _, s := range []string{"", "connect.sid=s%3Aabc.def", "session=eyJzaWQiOjF9; session.sig=abc", "a=b; connect.sid=\"s:x.y\""} {
		f.Add(s, "/")
	}
	store := NewHandler(Options{Secrets: [][]byte{[]byte("k")}})
	cookieMode := NewHandler(Options{Secrets: [][]byte{[]byte("k")}, Mode: ModeCookie})
	f.Fuzz(func(t *testing.T, ck, path string) {
		for _, h := range []http.Handler{store, cookieMode} {
			for _, method := range []string{"GET", "POST"} {
				req := httptest.NewRequest(method, "/", nil)
				req.URL.Path = path
				req.Header.Set("Cookie", ck)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code >= 500 {
					t.Fatalf("%s %q cookie %q: %d", method, path, ck, w.Code)
				}
			}
		}
	})
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newTestLogger(w io.Writer, mu *sync.Mutex) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{w, mu}, nil))
}
