package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/client"
)

// TestCreateSessionAgents: CreateSession makes one session, stored in a
// jar; three agents (--segment i/3) continue it from the jar and together
// add their successes to its counter, with no new session.
func TestCreateSessionAgents(t *testing.T) {
	srv := benchDemoServer(t)
	target := srv.URL + "/"
	s, err := CreateSession(context.Background(), Config{URLs: []string{target}, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath})
	if err != nil {
		t.Fatal(err)
	}
	if s.Cookie != "connect.sid" || s.Format != "express" || s.InCookie || s.InitialCounter != 1 || s.URL != target ||
		len(s.SetCookies) != 1 || !strings.HasPrefix(s.SetCookies[0], "connect.sid=s%3A") {
		t.Fatalf("session %+v", s)
	}
	path := filepath.Join(t.TempDir(), "cookies.txt")
	u, _ := url.Parse(target)
	if err := client.StoreSession(path, u, s.SetCookies); err != nil {
		t.Fatal(err)
	}
	last := s.InitialCounter
	for i := range 3 {
		g := Segment{From: int64(i), To: int64(i) + 1, Den: 3}
		res, err := Run(context.Background(), Config{URLs: []string{target}, Jar: path, Concurrency: 6, Requests: 300,
			Segment: g, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		if c.Verdict != VerdictConsistent || c.Mode != ModeShared || res.Successes != 100 || c.ExtraSessions != 0 {
			t.Fatalf("agent %d: %+v %+v", i, res, c)
		}
		// The one session, continued: each agent starts past where the
		// previous one ended.
		if c.InitialCounter <= last || c.FinalCounter != c.InitialCounter+100 {
			t.Errorf("agent %d: counter %d → %d after %d", i, c.InitialCounter, c.FinalCounter, last)
		}
		last = c.FinalCounter
	}
}

func TestCreateSessionErrors(t *testing.T) {
	noCookie := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		w.Write([]byte(`{"visitCount":1}`))
	}))
	defer noCookie.Close()
	noCounter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "connect.sid", Value: "abc"})
		w.Write([]byte(`{"visits":1}`))
	}))
	defer noCounter.Close()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{URLs: []string{noCookie.URL}, CounterPath: DefaultCounterPath}, "set no session cookie (1 Set-Cookie, none a session's)"},
		{Config{URLs: []string{noCounter.URL}, CounterPath: DefaultCounterPath}, `no integer at "visitCount"`},
		{Config{URLs: []string{noCounter.URL}}, "no counter to read"},
		{Config{URLs: []string{noCounter.URL}, CounterPath: DefaultCounterPath, Sessions: 5}, "shared mode uses one session"},
	} {
		_, err := CreateSession(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
	_, err := CreateSession(context.Background(), Config{URLs: []string{noCookie.URL}, CounterPath: DefaultCounterPath})
	if !errors.Is(err, ErrNoSessionCookie) {
		t.Errorf("err %v, want ErrNoSessionCookie", err)
	}
}
