package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

type sessionBody struct {
	Cookie     map[string]any `json:"cookie"`
	SID        *int           `json:"sid"`
	VisitCount *int           `json:"visitCount"`
}

// get sends GET / with cookie (empty: none) and returns status, Set-Cookie
// value of connect.sid (empty: none) and the parsed body.
func get(t *testing.T, c *http.Client, url, cookieVal string) (int, string, sessionBody) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cookieVal != "" {
		req.Header.Set("Cookie", "connect.sid="+cookieVal)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body sessionBody
	if resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("body %q: %v", raw, err)
		}
	}
	var set string
	for _, ck := range resp.Cookies() {
		if ck.Name == "connect.sid" {
			set = ck.Value
		}
	}
	return resp.StatusCode, set, body
}

func TestHandlerSessionLifecycle(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("sessionTesting")}}))
	defer srv.Close()
	c := srv.Client()

	status, ck, body := get(t, c, srv.URL+"/", "")
	if status != 201 || ck == "" || *body.VisitCount != 1 || *body.SID < 0 || *body.SID >= 10000 {
		t.Fatalf("first visit: %d %q %+v", status, ck, body)
	}
	sid := *body.SID
	for want := 2; want <= 4; want++ {
		status, set, body := get(t, c, srv.URL+"/", ck)
		if status != 200 || set != "" || *body.VisitCount != want || *body.SID != sid {
			t.Fatalf("visit %d: %d set=%q %+v", want, status, set, body)
		}
	}

	// The cookie is express-session's: s:<id>.<sig> URL-encoded, signed
	// with the secret.
	signer, _ := cookie.NewExpressSigner([]byte("sessionTesting"))
	id, ok := signer.ParseSessionCookie(ck)
	if !ok || len(id) != 32 {
		t.Fatalf("cookie %q does not verify as express-session's (id %q)", ck, id)
	}
	if !strings.HasPrefix(ck, "s%3A") {
		t.Fatalf("cookie %q is not URL-encoded as express-session sets it", ck)
	}
}

// TestHandlerBodyIsExpressJSON: what the handler sends, byte for byte, is
// what express-session (cookie-session in cookie mode) sends for the same
// options: the body's keys in express-session's order and the Set-Cookie
// attributes in the cookie module's order.
func TestHandlerBodyIsExpressJSON(t *testing.T) {
	clk := newFakeClock() // 2026-11-28T01:02:03.456Z
	for _, tc := range []struct {
		name        string
		opts        Options
		body        string // %d: the sid
		setCookie   string // after the value
		secondSends bool   // the second visit re-sends the cookie
	}{
		{"reference example", Options{},
			`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":%d,"visitCount":%d}`,
			"; Path=/; HttpOnly", false},
		{"serve-demo's default", Options{SameSite: "lax"},
			`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/","sameSite":"lax"},"sid":%d,"visitCount":%d}`,
			"; Path=/; HttpOnly; SameSite=Lax", false},
		{"max-age, secure, strict", Options{MaxAge: 90 * time.Second, Secure: true, SameSite: "strict"},
			`{"cookie":{"originalMaxAge":90000,"expires":"2026-11-28T01:03:33.456Z","secure":true,"httpOnly":true,"path":"/","sameSite":"strict"},"sid":%d,"visitCount":%d}`,
			"; Path=/; Expires=Sat, 28 Nov 2026 01:03:33 GMT; HttpOnly; Secure; SameSite=Strict", true},
		{"cookie mode", Options{Mode: ModeCookie, SameSite: "none", Secure: true},
			`{"sid":%d,"visitCount":%d}`,
			"; path=/; samesite=none; secure; httponly", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Secrets = [][]byte{[]byte("sessionTesting")}
			tc.opts.Now = clk.Now
			if tc.opts.Mode != ModeCookie {
				tc.opts.Store = NewMemoryStoreWith(MemoryStoreOptions{TTL: time.Hour, Now: clk.Now})
			}
			srv := httptest.NewServer(NewHandler(tc.opts))
			defer srv.Close()
			resp, body := request(t, srv.Client(), "GET", srv.URL+"/", "")
			m := regexp.MustCompile(`"sid":(\d+),`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no sid in %s", body)
			}
			sid, _ := strconv.Atoi(m[1])
			set := resp.Header.Get("Set-Cookie")
			if want := fmt.Sprintf(tc.body, sid, 1); resp.StatusCode != 201 || body != want {
				t.Fatalf("first visit: %d\n got %s\nwant %s", resp.StatusCode, body, want)
			}
			if _, attrs, _ := strings.Cut(set, ";"); "; "+strings.TrimSpace(attrs) != tc.setCookie {
				t.Fatalf("Set-Cookie %q, want attributes %q", set, tc.setCookie)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json; charset=utf-8" ||
				resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) || resp.Header.Get("X-Powered-By") != "Express" ||
				!strings.HasPrefix(resp.Header.Get("ETag"), fmt.Sprintf(`W/"%x-`, len(body))) {
				t.Fatalf("headers %v", resp.Header)
			}
			resp, body = request(t, srv.Client(), "GET", srv.URL+"/", cookiePairs(resp))
			if want := fmt.Sprintf(tc.body, sid, 2); resp.StatusCode != 200 || body != want {
				t.Fatalf("second visit: %d\n got %s\nwant %s", resp.StatusCode, body, want)
			}
			if sends := resp.Header.Get("Set-Cookie") != ""; sends != tc.secondSends {
				t.Fatalf("second visit re-sends the cookie: %v, want %v", sends, tc.secondSends)
			}
		})
	}
}

// TestHandlerETag: the ETag is Express's (the etag module's weak tag), as
// the real Express sends for res.sendStatus(200).
func TestHandlerETag(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{}))
	defer srv.Close()
	resp, body := request(t, srv.Client(), "POST", srv.URL+"/logout", "")
	if body != "OK" || resp.Header.Get("ETag") != `W/"2-nOO9QiTIwXgNtWtBJezz8kv3SLc"` {
		t.Fatalf("logout: %q ETag %q", body, resp.Header.Get("ETag"))
	}
}

func TestHandlerRejectsBadCookies(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("right")}}))
	defer srv.Close()
	c := srv.Client()
	_, good, _ := get(t, c, srv.URL+"/", "")
	other, _ := cookie.NewExpressSigner([]byte("wrong"))
	tampered := []byte(good)
	tampered[6] ^= 1 // a character of the id
	for _, bad := range []string{
		string(tampered),
		good + "x",
		other.SessionCookieValue("someid"),
		"s%3Aunknown.xyz",
		"%zz",
		"\"quoted\"",
		strings.Repeat("a", 4000),
	} {
		status, set, body := get(t, c, srv.URL+"/", bad)
		if status != 201 || set == "" || *body.VisitCount != 1 {
			t.Errorf("cookie %.40q: got %d set=%q %+v, want 201 and a fresh session", bad, status, set, body)
		}
	}
	// A well-signed id the store does not know also starts afresh.
	right, _ := cookie.NewExpressSigner([]byte("right"))
	if status, _, _ := get(t, c, srv.URL+"/", right.SessionCookieValue("neverissued")); status != 201 {
		t.Errorf("unknown id: got %d, want 201", status)
	}
}

func TestHandlerSecretRotation(t *testing.T) {
	oldSrv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("old")}}))
	defer oldSrv.Close()
	store := NewMemoryStore()
	signerOld, _ := cookie.NewExpressSigner([]byte("old"))
	store.Create(t.Context(), "rotated-session-id", Session{SID: 7, VisitCount: 1})
	srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("new"), []byte("old")}, Store: store}))
	defer srv.Close()
	status, _, body := get(t, srv.Client(), srv.URL+"/", signerOld.SessionCookieValue("rotated-session-id"))
	if status != 200 || *body.VisitCount != 2 {
		t.Fatalf("cookie signed with the old secret: %d %+v", status, body)
	}
	_, ck, _ := get(t, srv.Client(), srv.URL+"/", "")
	signerNew, _ := cookie.NewExpressSigner([]byte("new"))
	if _, ok := signerNew.ParseSessionCookie(ck); !ok {
		t.Fatalf("new cookie %q is not signed with the first secret", ck)
	}
}

func TestHandlerNotFound(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{}))
	defer srv.Close()
	for _, tc := range []struct{ method, path string }{{"POST", "/"}, {"GET", "/x"}, {"DELETE", "/<script>"}} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(b), "<pre>Cannot "+tc.method+" ") || strings.Contains(string(b), "<script>") {
			t.Errorf("%s %s: %d %q", tc.method, tc.path, resp.StatusCode, b)
		}
	}
}

// TestHandlerConcurrentVisits: 1000 concurrent requests on one session raise
// visitCount by exactly 1000.
func TestHandlerConcurrentVisits(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	_, ck, _ := get(t, c, srv.URL+"/", "")

	const n, workers = 1000, 50
	var wg sync.WaitGroup
	jobs := make(chan struct{})
	errs := make(chan error, n)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				req, _ := http.NewRequest("GET", srv.URL+"/", nil)
				req.Header.Set("Cookie", "connect.sid="+ck)
				resp, err := c.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- &statusError{resp.StatusCode}
				}
			}
		}()
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, _, body := get(t, c, srv.URL+"/", ck)
	if got := *body.VisitCount; got != 1+n+1 {
		t.Fatalf("visitCount after %d concurrent visits = %d, want %d", n, got, n+2)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + http.StatusText(e.code) }
