package demo

import (
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
)

// TestFloodStaysCapped: a flood of fresh sessions (clients that never send
// the cookie back) against each store with a cap of 200 leaves at most 200
// sessions (Redis: plus the creates in flight, as its count is read before
// each create), and a session visited all along survives: the least
// recently used go first.
func TestFloodStaysCapped(t *testing.T) {
	const max, flood, workers = 200, 3000, 8
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T) (Store, func() int)
		slack int
	}{
		{"memory", func(*testing.T) (Store, func() int) {
			s := NewMemoryStoreWith(MemoryStoreOptions{TTL: DefaultTTL, MaxSessions: max})
			return s, s.Len
		}, 0},
		{"file", func(t *testing.T) (Store, func() int) {
			s, err := OpenFileStore(filepath.Join(t.TempDir(), "s.db"), FileStoreOptions{MaxSessions: max})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s, s.Len
		}, 0},
		{"redis", func(t *testing.T) (Store, func() int) {
			url := testRedis(t)
			s, err := NewRedisStore(url, RedisStoreOptions{MaxSessions: max})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			rc := rawRedis(t, url)
			return s, func() int { return int(rc.DBSize(t.Context()).Val()) }
		}, workers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, count := tc.open(t)
			srv := httptest.NewServer(NewHandler(Options{Store: store}))
			defer srv.Close()
			c := srv.Client()
			resp, _ := request(t, c, "GET", srv.URL+"/", "")
			hot := cookiePairs(resp)
			var wg sync.WaitGroup
			jobs := make(chan int)
			peak := 0
			var mu sync.Mutex
			for range workers {
				wg.Go(func() {
					for i := range jobs {
						ck := ""
						if i%20 == 0 {
							ck = hot // the hot session, used all along
						}
						if resp, _ := request(t, c, "GET", srv.URL+"/", ck); resp.StatusCode >= 300 {
							t.Errorf("request %d: %d", i, resp.StatusCode)
						}
						if i%100 == 0 {
							mu.Lock()
							peak = maxInt(peak, count())
							mu.Unlock()
						}
					}
				})
			}
			for i := range flood {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			n := count()
			if n > max+tc.slack || peak > max+tc.slack || n < max/2 {
				t.Fatalf("%d sessions after a flood of %d (peak %d), cap %d", n, flood, peak, max)
			}
			if resp, _ := request(t, c, "GET", srv.URL+"/", hot); resp.StatusCode != 200 {
				t.Fatalf("the session used all along was evicted: %d", resp.StatusCode)
			}
			t.Logf("%s: %d sessions after %d fresh ones (peak %d), cap %d", tc.name, n, flood, peak, max)
		})
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
