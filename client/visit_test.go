package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessctl/sessctl/demo"
)

func demoServer(t *testing.T, secret string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte(secret)}}))
	t.Cleanup(srv.Close)
	return srv
}

type demoBody struct {
	Cookie     map[string]any `json:"cookie"`
	SID        int            `json:"sid"`
	VisitCount int            `json:"visitCount"`
}

func decodeDemoBody(t *testing.T, s Step) demoBody {
	t.Helper()
	if !s.BodyIsJSON {
		t.Fatalf("visit %d: body is not JSON: %s", s.N, s.Body)
	}
	var b demoBody
	if err := json.Unmarshal(s.Body, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func changeText(cs []Change) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Kind+" "+c.Name+" "+string(c.From)+" "+string(c.To))
	}
	return strings.Join(parts, "; ")
}

func TestVisitDemo(t *testing.T) {
	srv := demoServer(t, "s3cret")
	jar := NewJar()
	var seen []int
	steps, err := Visit(context.Background(), VisitConfig{
		URL: srv.URL + "/", Count: 3, Jar: jar,
		OnStep: func(s Step) { seen = append(seen, s.N) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 3 || len(seen) != 3 {
		t.Fatalf("got %d steps, %d OnStep calls, want 3", len(steps), len(seen))
	}
	var sid int
	for i, s := range steps {
		b := decodeDemoBody(t, s)
		wantStatus := http.StatusOK
		if i == 0 {
			wantStatus, sid = http.StatusCreated, b.SID
		}
		if s.N != i+1 || s.Status != wantStatus || s.Method != "GET" || s.Proto != "HTTP/1.1" || b.VisitCount != i+1 || b.SID != sid {
			t.Errorf("visit %d: n %d status %d method %s proto %s body %+v", i+1, s.N, s.Status, s.Method, s.Proto, b)
		}
		if s.Headers["Content-Type"] != "application/json; charset=utf-8" || s.Headers["X-Powered-By"] != "Express" {
			t.Errorf("visit %d headers %v", i+1, s.Headers)
		}
		if s.DurationMS <= 0 || s.BodyBytes == 0 {
			t.Errorf("visit %d: duration_ms %v body_bytes %d", i+1, s.DurationMS, s.BodyBytes)
		}
	}

	first := steps[0]
	if len(first.CookiesSent) != 0 {
		t.Errorf("visit 1 sent cookies %v", first.CookiesSent)
	}
	if len(first.SetCookies) != 1 {
		t.Fatalf("visit 1 set cookies %+v", first.SetCookies)
	}
	sc := first.SetCookies[0]
	if sc.Name != "connect.sid" || !strings.HasPrefix(sc.Value, "s%3A") || sc.Path != "/" || !sc.HttpOnly || sc.Secure ||
		sc.Expires != nil || sc.MaxAge != nil || sc.Outcome != OutcomeStored {
		t.Errorf("visit 1 Set-Cookie %+v", sc)
	}
	if got := changeText(first.Changes); got != `cookie_added connect.sid null "`+sc.Value+`"` {
		t.Errorf("visit 1 changes: %s", got)
	}
	second := steps[1]
	if len(second.CookiesSent) != 1 || second.CookiesSent[0] != (SentCookie{"connect.sid", sc.Value}) {
		t.Errorf("visit 2 sent %+v, want connect.sid=%s", second.CookiesSent, sc.Value)
	}
	if len(second.SetCookies) != 0 {
		t.Errorf("visit 2 set %+v", second.SetCookies)
	}
	if got := changeText(second.Changes); got != "field visitCount 1 2" {
		t.Errorf("visit 2 changes: %s", got)
	}
	if got := changeText(steps[2].Changes); got != "field visitCount 2 3" {
		t.Errorf("visit 3 changes: %s", got)
	}
	all := jar.All()
	if len(all) != 1 || all[0].Domain != "127.0.0.1" || !all[0].HostOnly || !all[0].Session || !all[0].HttpOnly {
		t.Errorf("jar: %+v", all)
	}
}

// A server whose secret changes between visits: the old cookie no longer
// verifies, so the second visit starts a new session.
func TestVisitSessionIDChanged(t *testing.T) {
	a := demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte("one")}})
	b := demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte("two")}})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			a.ServeHTTP(w, r)
			return
		}
		b.ServeHTTP(w, r)
	}))
	defer srv.Close()
	steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	if steps[1].Status != http.StatusCreated {
		t.Fatalf("visit 2 status %d, want 201", steps[1].Status)
	}
	var kinds []string
	for _, c := range steps[1].Changes {
		kinds = append(kinds, c.Kind+" "+c.Name)
		if c.Kind == ChangeSessionID && (strings.Contains(string(c.From), ".") || len(c.From) != 34) {
			t.Errorf("session id change shows %s, want the 32-character id", c.From)
		}
	}
	if got := strings.Join(kinds, ", "); !strings.Contains(got, "session_id_changed connect.sid") {
		t.Errorf("visit 2 changes %s, want a session id change", got)
	}
}

func TestVisitStatusesCookiesRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: "hi", Path: "/"})
		http.Redirect(w, r, "/home", http.StatusFound)
	})
	mux.HandleFunc("/home", func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie("flash")
		if c != nil {
			io.WriteString(w, "welcome "+c.Value)
		}
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "flash=; Max-Age=0; Path=/")
		w.Header().Add("Set-Cookie", "evil=1; Domain=example.com")
		w.Header().Add("Set-Cookie", "t=2; Max-Age=60; Secure; SameSite=Strict")
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"method": r.Method, "body": string(b), "x": r.Header.Get("X-Test"), "host": r.Host, "ua": r.UserAgent(),
		})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ctx := context.Background()

	jar := NewJar()
	steps, err := Visit(ctx, VisitConfig{URL: srv.URL + "/login", Jar: jar})
	if err != nil {
		t.Fatal(err)
	}
	if s := steps[0]; s.Status != http.StatusFound || s.Headers["Location"] != "/home" || len(s.Redirects) != 0 {
		t.Errorf("without --follow: %+v", s)
	}

	steps, err = Visit(ctx, VisitConfig{URL: srv.URL + "/login", Jar: jar, Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	s := steps[0]
	if s.Status != http.StatusOK || s.URL != srv.URL+"/home" || string(s.Body) != `"welcome hi"` || s.BodyIsJSON {
		t.Errorf("with --follow: status %d url %s body %s", s.Status, s.URL, s.Body)
	}
	if len(s.Redirects) != 1 || s.Redirects[0].Status != http.StatusFound || s.Redirects[0].SetCookies[0].Name != "flash" {
		t.Errorf("redirects %+v", s.Redirects)
	}

	steps, err = Visit(ctx, VisitConfig{URL: srv.URL + "/logout", Jar: jar})
	if err != nil {
		t.Fatalf("a 418 is a visit, not an error: %v", err)
	}
	s = steps[0]
	if s.Status != http.StatusTeapot || string(s.Body) != `""` {
		t.Errorf("logout: status %d body %s", s.Status, s.Body)
	}
	want := []struct{ name, outcome, refused string }{
		{"flash", OutcomeDeleted, ""},
		{"evil", OutcomeRefused, ErrDomainMismatch.Error()},
		{"t", OutcomeStored, ""},
	}
	if len(s.SetCookies) != len(want) {
		t.Fatalf("set cookies %+v", s.SetCookies)
	}
	for i, w := range want {
		got := s.SetCookies[i]
		if got.Name != w.name || got.Outcome != w.outcome || got.Refused != w.refused {
			t.Errorf("Set-Cookie %d: %+v, want %+v", i, got, w)
		}
	}
	if m := s.SetCookies[0].MaxAge; m == nil || *m != 0 {
		t.Errorf("flash max_age %v, want 0", m)
	}
	if t2 := s.SetCookies[2]; *t2.MaxAge != 60 || !t2.Secure || t2.SameSite != "Strict" {
		t.Errorf("t attributes %+v", t2)
	}
	if jt := jarText(jar); !strings.HasPrefix(jt, "t=2 127.0.0.1/ host secure +") {
		t.Errorf("jar after logout: %s", jt)
	}
	if got := changeText(s.Changes); got != `cookie_added t null "2"; cookie_removed flash "hi" null` {
		t.Errorf("logout changes: %s", got)
	}

	steps, err = Visit(ctx, VisitConfig{
		URL: srv.URL + "/echo", Body: []byte("a=1"),
		Header: http.Header{"X-Test": {"yes"}, "Host": {"app.test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s = steps[0]
	var echo map[string]string
	json.Unmarshal(s.Body, &echo)
	if s.Method != "POST" || echo["method"] != "POST" || echo["body"] != "a=1" || echo["x"] != "yes" || echo["host"] != "app.test" || echo["ua"] != "sessctl" {
		t.Errorf("echo: method %s body %s", s.Method, s.Body)
	}
}

func TestVisitUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	steps, err := Visit(context.Background(), VisitConfig{URL: url, Count: 2})
	if err == nil || len(steps) != 0 {
		t.Fatalf("Visit of a closed port: %d steps, err %v", len(steps), err)
	}
	for _, want := range []string{"visit 1 of 2", "GET " + url, "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestVisitTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	_, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "no response within the 50ms timeout") {
		t.Fatalf("err %v, want a timeout", err)
	}
}

func TestVisitBadURL(t *testing.T) {
	for _, u := range []string{"ftp://x/", "http://", "::"} {
		if _, err := Visit(context.Background(), VisitConfig{URL: u}); err == nil {
			t.Errorf("Visit(%q) = nil error", u)
		}
	}
}

func TestBodyChanges(t *testing.T) {
	prev := json.RawMessage(`{"a":1,"b":{"c":"x","d":[1,2]},"gone":true}`)
	cur := json.RawMessage(`{"a":2,"b":{"c":"x","d":[1,2,3]},"new":null}`)
	got := changeText(bodyChanges(prev, cur, true))
	want := "field a 1 2; field b.d [1,2] [1,2,3]; field gone true null"
	if got != want {
		t.Errorf("bodyChanges:\n got %s\nwant %s", got, want)
	}
}

func TestVisitTLS(t *testing.T) {
	srv := httptest.NewTLSServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	if _, err := Visit(context.Background(), VisitConfig{URL: srv.URL}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed certificate without Insecure: %v", err)
	}
	jar := NewJar()
	steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Count: 2, Insecure: true, Jar: jar})
	if err != nil {
		t.Fatal(err)
	}
	if steps[0].Status != http.StatusCreated || steps[1].Status != http.StatusOK {
		t.Errorf("statuses %d %d, want 201 200", steps[0].Status, steps[1].Status)
	}
}

// A body goes as a form, as curl -d sends it, unless a Content-Type is given:
// frameworks read request.form (Flask, Django, Rails, Express's urlencoded)
// only under that type.
func TestVisitBodyContentType(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = append(got, r.Header.Get("Content-Type")+" user="+r.PostFormValue("user"))
	}))
	defer srv.Close()
	for _, h := range []http.Header{nil, {"Content-Type": {"application/json"}}} {
		if _, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Body: []byte("user=alice"), Header: h}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"application/x-www-form-urlencoded user=alice", "application/json user="}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("server saw %q, want %q", got, want)
	}
}
