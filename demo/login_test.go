package demo

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/cookie"
)

// post sends POST url with a body of content type ctype and cookies.
func post(t *testing.T, c *http.Client, url, ctype, body, cookies string) (*http.Response, string) {
	t.Helper()
	return send(t, c, "POST", url, ctype, body, cookies)
}

const form = "application/x-www-form-urlencoded"

// me returns GET /me's status and body.
func me(t *testing.T, c *http.Client, url, cookies string) (int, string) {
	t.Helper()
	resp, body := request(t, c, "GET", url+"/me", cookies)
	return resp.StatusCode, body
}

func TestLoginRegeneratesAndMe(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{SameSite: "lax"}))
	defer srv.Close()
	c := srv.Client()

	if status, body := me(t, c, srv.URL, ""); status != 401 || body != "Unauthorized" {
		t.Fatalf("/me without a session: %d %q", status, body)
	}
	resp, _ := request(t, c, "GET", srv.URL+"/", "")
	before := cookiePairs(resp)
	request(t, c, "GET", srv.URL+"/", before) // visitCount 2
	if status, _ := me(t, c, srv.URL, before); status != 401 {
		t.Fatalf("/me before login: %d, want 401", status)
	}

	resp, body := post(t, c, srv.URL+"/login", "application/json", `{"user":"alice"}`, before)
	after := cookiePairs(resp)
	if resp.StatusCode != 200 || after == "" || after == before ||
		!regexp.MustCompile(`^\{"cookie":\{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/","sameSite":"lax"\},"sid":\d+,"visitCount":2,"user":"alice"\}$`).MatchString(body) {
		t.Fatalf("login: %d cookie %q (before %q) %s", resp.StatusCode, after, before, body)
	}
	if status, body := me(t, c, srv.URL, after); status != 200 || body != `{"user":"alice"}` {
		t.Fatalf("/me after login: %d %s", status, body)
	}
	if status, _ := me(t, c, srv.URL, before); status != 401 {
		t.Fatalf("/me with the id from before the login: %d, want 401 (regenerated)", status)
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/", before); resp.StatusCode != 201 {
		t.Fatalf("GET / with the old id: %d, want 201 (the old id is dead)", resp.StatusCode)
	}
	if resp, body := request(t, c, "GET", srv.URL+"/", after); resp.StatusCode != 200 || !strings.HasSuffix(body, `"visitCount":3,"user":"alice"}`) {
		t.Fatalf("GET / after login: %d %s", resp.StatusCode, body)
	}

	// logout destroys: the cookie from before the logout is dead
	if resp, _ := request(t, c, "POST", srv.URL+"/logout", after); resp.StatusCode != 200 {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if status, _ := me(t, c, srv.URL, after); status != 401 {
		t.Fatalf("/me replaying the cookie after logout: %d, want 401", status)
	}

	// login without a session makes one, with a form body
	resp, body = post(t, c, srv.URL+"/login", form, "user=bob%40example.org", "")
	if resp.StatusCode != 200 || !strings.HasSuffix(body, `,"visitCount":1,"user":"bob@example.org"}`) || cookiePairs(resp) == "" {
		t.Fatalf("login without a session: %d %s", resp.StatusCode, body)
	}
	if status, body := me(t, c, srv.URL, cookiePairs(resp)); status != 200 || body != `{"user":"bob@example.org"}` {
		t.Fatalf("/me: %d %s", status, body)
	}
}

func TestLoginBadInput(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{}))
	defer srv.Close()
	for _, tc := range []struct{ ctype, body string }{
		{form, ""},
		{form, "name=alice"},
		{form, "user="},
		{form, "user=" + strings.Repeat("a", MaxUserLength+1)},
		{form, "user=a%22b"},
		{form, "user=a%0Ab"},
		{form, "user=%zz"},
		{form, "user=a&" + strings.Repeat("x", maxLoginBody)},
		{"application/json", `{"user":1}`},
		{"application/json", `{"user":"<script>"}`},
		{"application/json", `not json`},
		{"text/plain", "user=alice"},
	} {
		resp, body := post(t, srv.Client(), srv.URL+"/login", tc.ctype, tc.body, "")
		if resp.StatusCode != 400 || !strings.HasPrefix(body, "Bad Request: want a field user") || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s %.40q: %d %q", tc.ctype, tc.body, resp.StatusCode, body)
		}
	}
	if resp, _ := post(t, srv.Client(), srv.URL+"/login", form, "user="+strings.Repeat("a", MaxUserLength), ""); resp.StatusCode != 200 {
		t.Errorf("a user of %d characters: %d", MaxUserLength, resp.StatusCode)
	}
	if resp, _ := request(t, srv.Client(), "GET", srv.URL+"/login", ""); resp.StatusCode != 404 {
		t.Errorf("GET /login: %d, want 404", resp.StatusCode)
	}
}

// TestWeakNoRegenerate: --no-regenerate keeps the id at login (fixation): an
// id planted before the login is signed in afterwards.
func TestWeakNoRegenerate(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{NoRegenerate: true}))
	defer srv.Close()
	c := srv.Client()
	resp, _ := request(t, c, "GET", srv.URL+"/", "")
	planted := cookiePairs(resp)
	resp, body := post(t, c, srv.URL+"/login", form, "user=alice", planted)
	if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" || !strings.HasSuffix(body, `"visitCount":1,"user":"alice"}`) {
		t.Fatalf("login: %d Set-Cookie %q %s, want the same id kept (no new cookie)", resp.StatusCode, resp.Header.Get("Set-Cookie"), body)
	}
	if status, body := me(t, c, srv.URL, planted); status != 200 || body != `{"user":"alice"}` {
		t.Fatalf("/me with the planted id: %d %s", status, body)
	}
}

// TestWeakLogoutKeepsSession: the logout clears the cookie, but a copy of it
// still works.
func TestWeakLogoutKeepsSession(t *testing.T) {
	for _, keeps := range []bool{false, true} {
		srv := httptest.NewServer(NewHandler(Options{LogoutKeepsSession: keeps}))
		c := srv.Client()
		resp, _ := post(t, c, srv.URL+"/login", form, "user=alice", "")
		ck := cookiePairs(resp)
		resp, _ = request(t, c, "POST", srv.URL+"/logout", ck)
		if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT" {
			t.Fatalf("keeps=%v: logout %d %q", keeps, resp.StatusCode, resp.Header.Get("Set-Cookie"))
		}
		status, _ := me(t, c, srv.URL, ck)
		if want := map[bool]int{false: 401, true: 200}[keeps]; status != want {
			t.Errorf("keeps=%v: /me replaying the cookie after logout: %d, want %d", keeps, status, want)
		}
		srv.Close()
	}
}

func TestWeakNoHTTPOnly(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{NoHTTPOnly: true, SameSite: "lax"}))
	defer srv.Close()
	resp, body := request(t, srv.Client(), "GET", srv.URL+"/", "")
	if set := resp.Header.Get("Set-Cookie"); !strings.HasSuffix(set, "; Path=/; SameSite=Lax") || strings.Contains(set, "HttpOnly") ||
		!strings.HasPrefix(body, `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":false,"path":"/","sameSite":"lax"},"sid":`) {
		t.Fatalf("Set-Cookie %q body %s", set, body)
	}
	cs := httptest.NewServer(NewHandler(Options{Mode: ModeCookie, NoHTTPOnly: true}))
	defer cs.Close()
	resp, _ = request(t, cs.Client(), "GET", cs.URL+"/", "")
	for _, set := range resp.Header.Values("Set-Cookie") {
		if strings.Contains(set, "httponly") || !strings.HasSuffix(set, "; path=/") {
			t.Errorf("cookie mode: %q", set)
		}
	}
}

// TestWeakIDs: each scheme makes the ids it documents, inside
// express-session's signed cookie.
func TestWeakIDs(t *testing.T) {
	clk := newFakeClock()
	signer, _ := cookie.NewExpressSigner([]byte("k"))
	for _, tc := range []struct {
		scheme IDScheme
		check  func(i int, id, prev string) bool
	}{
		{IDRandom, func(_ int, id, prev string) bool {
			return regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`).MatchString(id) && id != prev
		}},
		{IDShort, func(_ int, id, _ string) bool { return regexp.MustCompile(`^[0-9a-f]{8}$`).MatchString(id) }},
		{IDSequential, func(i int, id, _ string) bool { return id == strconv.Itoa(i+1) }},
		{IDTime, func(i int, id, _ string) bool {
			// the fake clock stands still: its time, then one more each
			return id == strconv.FormatInt(clk.Now().UnixNano()+int64(i), 16)
		}},
	} {
		srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("k")}, IDs: tc.scheme, Now: clk.Now}))
		prev := ""
		for i := range 5 {
			resp, _ := request(t, srv.Client(), "GET", srv.URL+"/", "")
			value := strings.TrimPrefix(cookiePairs(resp), "connect.sid=")
			id, ok := signer.ParseSessionCookie(value)
			if !ok || !tc.check(i, id, prev) {
				t.Errorf("%s: id #%d %q (cookie %q)", tc.scheme, i+1, id, value)
			}
			prev = id
			// the weak id still names a working session
			if resp, body := request(t, srv.Client(), "GET", srv.URL+"/", cookiePairs(resp)); resp.StatusCode != 200 || !strings.HasSuffix(body, `"visitCount":2}`) {
				t.Errorf("%s: second visit %d %s", tc.scheme, resp.StatusCode, body)
			}
		}
		srv.Close()
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown scheme did not panic")
		}
	}()
	NewHandler(Options{IDs: "guessable"})
}

// TestLoginCookieMode: cookie-session keeps the user in the cookie.
func TestLoginCookieMode(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Mode: ModeCookie}))
	defer srv.Close()
	c := srv.Client()
	resp, _ := request(t, c, "GET", srv.URL+"/", "")
	resp, body := post(t, c, srv.URL+"/login", form, "user=carol", cookiePairs(resp))
	if resp.StatusCode != 200 || !regexp.MustCompile(`^\{"sid":\d+,"visitCount":1,"user":"carol"\}$`).MatchString(body) || len(resp.Header.Values("Set-Cookie")) != 2 {
		t.Fatalf("login: %d %s %q", resp.StatusCode, body, resp.Header.Values("Set-Cookie"))
	}
	if status, body := me(t, c, srv.URL, cookiePairs(resp)); status != 200 || body != `{"user":"carol"}` {
		t.Fatalf("/me: %d %s", status, body)
	}
}

// TestStoresKeepTheUser: every store keeps a session's user through a visit,
// a rename and a reload.
func TestStoresKeepTheUser(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemoryStore() },
		"file": func(t *testing.T) Store {
			fs, err := OpenFileStore(filepath.Join(t.TempDir(), "s.db"), FileStoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { fs.Close() })
			return fs
		},
		"redis": func(t *testing.T) Store { return newTestRedisStore(t, testRedis(t)) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			s := open(t)
			const user = `alice "the admin"`
			if err := s.Create(ctx, "id-one", Session{SID: 3, VisitCount: 1, User: user}); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Visit(ctx, "id-one"); err != nil || got.User != user || got.VisitCount != 2 {
				t.Errorf("visit %+v %v", got, err)
			}
			if got, err := s.(Renamer).Rename(ctx, "id-one", "id-two"); err != nil || got.User != user {
				t.Errorf("rename %+v %v", got, err)
			}
			if got, err := s.(Loader).Load(ctx, "id-two"); err != nil || got.User != user || got.VisitCount != 2 {
				t.Errorf("load %+v %v", got, err)
			}
			s.Create(ctx, "id-two", Session{SID: 3, VisitCount: 5})
			if got, _ := s.(Loader).Load(ctx, "id-two"); got.User != "" {
				t.Errorf("the user survives a save without one: %+v", got)
			}
		})
	}
}

func TestSessionJSONUser(t *testing.T) {
	j := newSessionJSON(cookieConfig{})
	got := string(j.append(nil, Session{SID: 1, VisitCount: 2, User: "a\"b\\c\n\x01\u00e9"}))
	// what JSON.stringify writes for that string
	want := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1,"visitCount":2,"user":"a\"b\\c\n\u0001é"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if s, ok := parseStoredJSON([]byte(got)); !ok || s.User != "a\"b\\c\n\x01\u00e9" {
		t.Fatalf("parse: %+v %v", s, ok)
	}
	if s, ok := parseStoredJSON([]byte(`{"sid":1,"visitCount":2,"user":{"id":7}}`)); !ok || s.User != "" {
		t.Fatalf("a user that is an object: %+v %v", s, ok)
	}
}
