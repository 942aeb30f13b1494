package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestFreshOnResponse: with Fresh no request carries the cookies earlier
// responses set, and OnResponse sees every response with its Set-Cookie,
// the KeepHeader values and the body.
func TestFreshOnResponse(t *testing.T) {
	var n, withCookie atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.Header.Get("Cookie") != "" {
			withCookie.Add(1)
		}
		w.Header().Set("Set-Cookie", "sid="+strconv.FormatInt(i, 10)+"; Path=/")
		w.Header().Set("X-Token", "t"+strconv.FormatInt(i, 10))
		w.Write([]byte(`{"token":"b` + strconv.FormatInt(i, 10) + `"}`))
	}))
	defer srv.Close()
	var mu sync.Mutex
	seen := map[string]bool{}
	for _, engine := range []string{EngineGoroutine, EngineFor(Config{URLs: []string{srv.URL}})} {
		n.Store(0)
		clear(seen)
		res, err := Run(context.Background(), Config{
			URLs: []string{srv.URL + "/"}, Requests: 300, Concurrency: 4, Fresh: true, Engine: engine, KeepHeader: "x-TOKEN",
			OnResponse: func(r Response) {
				raw, _ := LookupJSON(r.Body, "token")
				mu.Lock()
				defer mu.Unlock()
				if len(r.SetCookies) != 1 || len(r.Header) != 1 || len(raw) == 0 {
					t.Errorf("response: %q %q %q", r.SetCookies, r.Header, raw)
					return
				}
				seen[string(r.Header[0])] = true
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Successes != 300 || len(seen) != 300 || withCookie.Load() != 0 {
			t.Errorf("%s: %d successes, %d tokens seen, %d requests with a cookie; want 300, 300, 0", engine, res.Successes, len(seen), withCookie.Load())
		}
	}
}
