package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
)

func benchDemoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	t.Cleanup(srv.Close)
	return srv
}

// loadRequests sizes the load tests: the 20 000 requests, fewer
// under -race (where they cost about ten times the CPU: CI runs them so)
// and with -short.
func loadRequests() int64 {
	if testing.Short() || benchRace {
		return 4000
	}
	return 20000
}

func TestRunDemoPerSessionConsistent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := benchDemoServer(t)
		n := loadRequests()
		res, err := Run(context.Background(), Config{
			Engine: engine, URLs: []string{srv.URL + "/"}, Concurrency: 100, Requests: n,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		if res.Requests != n || res.Successes != n || len(res.Errors) != 0 {
			t.Fatalf("requests %d successes %d errors %v %v, want %d ok", res.Requests, res.Successes, res.Errors, res.ErrorSamples, n)
		}
		if c.Verdict != VerdictConsistent || c.Mode != ModePerSession || c.Checked != n || c.SessionsCreated != 100 || c.ExtraSessions != 0 {
			t.Fatalf("consistency %+v, want CONSISTENT per_session over %d responses and 100 sessions", c, n)
		}
		if res.Latency.Max <= 0 || res.Latency.P50 > res.Latency.P99 || res.BytesRead == 0 || res.ThroughputRPS <= 0 {
			t.Fatalf("figures %+v", res)
		}
	})
}

func TestRunDemoSharedConsistent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := benchDemoServer(t)
		n := loadRequests()
		res, err := Run(context.Background(), Config{
			Engine: engine, URLs: []string{srv.URL + "/"}, Concurrency: 100, Requests: n, Shared: true,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		if res.Successes != n {
			t.Fatalf("successes %d, want %d: %v", res.Successes, n, res.ErrorSamples)
		}
		if c.Verdict != VerdictConsistent || c.Mode != ModeShared || c.InitialCounter != 1 || c.FinalCounter != 1+n ||
			c.LostUpdates != 0 || c.Duplicates != 0 || c.SessionsCreated != 1 {
			t.Fatalf("consistency %+v, want CONSISTENT from 1 to %d", c, 1+n)
		}
	})
}

// lossyHandler is a session server with a load-modify-save store and no
// lock per session, as express-session's MemoryStore: it reads the counter,
// waits, and writes it back plus one, so concurrent requests on one session
// lose updates. Every reset-th request (0: none) forgets the session and
// every skip-th increment (0: none) adds 2.
func lossyHandler(reset, skip int) http.Handler {
	var mu sync.Mutex
	store := map[string]int64{}
	n, ids := 0, 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		forget := reset > 0 && n%reset == 0
		double := skip > 0 && n%skip == 0
		c, err := r.Cookie("sid")
		var v int64
		ok := false
		if err == nil && !forget {
			v, ok = store[c.Value]
		}
		if !ok {
			ids++
			id := "s" + strconv.Itoa(ids)
			store[id] = 1
			mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", HttpOnly: true})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"sid":%q,"visitCount":1}`, id)
			return
		}
		mu.Unlock()
		time.Sleep(time.Millisecond) // the store's round trip
		v++
		if double {
			v++
		}
		mu.Lock()
		store[c.Value] = v
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"sid":%q,"visitCount":%d}`, c.Value, v)
	})
}

func TestRunLostUpdatesInconsistent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := httptest.NewServer(lossyHandler(0, 0))
		defer srv.Close()
		res, err := Run(context.Background(), Config{
			Engine: engine, URLs: []string{srv.URL}, Concurrency: 10, Requests: 500, Shared: true,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		if res.Successes != 500 || c.Verdict != VerdictInconsistent || c.LostUpdates <= 0 || c.Duplicates <= 0 ||
			c.LostUpdatesPct <= 0 || c.FinalCounter >= c.ExpectedFinal || c.ExpectedFinal != 501 {
			t.Fatalf("result %+v\nconsistency %+v: want INCONSISTENT with lost updates", res, c)
		}
	})
}

func TestRunPerSessionAnomalies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		// The same server is consistent per session (requests of one session
		// are sequential) until it forgets sessions or skips values.
		tests := []struct {
			name        string
			reset, skip int
			check       func(Consistency) bool
		}{
			{"sequential sessions are consistent", 0, 0, func(c Consistency) bool { return c.Verdict == VerdictConsistent }},
			{"forgotten sessions are resets", 37, 0, func(c Consistency) bool {
				return c.Verdict == VerdictInconsistent && c.Resets > 0 && c.ExtraSessions == c.Resets && c.IDChanges == 0
			}},
			{"skipped values are gaps", 0, 41, func(c Consistency) bool {
				return c.Verdict == VerdictInconsistent && c.Gaps > 0 && c.Resets == 0
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := httptest.NewServer(lossyHandler(tt.reset, tt.skip))
				defer srv.Close()
				res, err := Run(context.Background(), Config{
					Engine: engine, URLs: []string{srv.URL}, Concurrency: 8, Sessions: 16, Requests: 400,
					CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
				})
				if err != nil {
					t.Fatal(err)
				}
				if c := res.Consistency; !tt.check(c) || c.Sessions != 16 || c.Checked != 400 {
					t.Fatalf("consistency %+v", c)
				}
			})
		}
	})
}

func TestRunSeveralURLsOneStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte("s")}})
		var hits [2]atomic.Int64
		var urls []string
		for i := range hits {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits[i].Add(1)
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			urls = append(urls, srv.URL+"/")
		}
		res, err := Run(context.Background(), Config{
			Engine: engine, URLs: urls, Concurrency: 4, Requests: 1000, Shared: true,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := res.Consistency; c.Verdict != VerdictConsistent || c.FinalCounter != 1001 {
			t.Fatalf("consistency %+v", c)
		}
		if hits[0].Load() < 400 || hits[1].Load() < 400 {
			t.Fatalf("hits %d and %d: not round-robin", hits[0].Load(), hits[1].Load())
		}
	})
}

func TestRunRateAndDuration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := benchDemoServer(t)
		res, err := Run(context.Background(), Config{
			Engine: engine, URLs: []string{srv.URL}, Concurrency: 4, Requests: 100, Rate: 200,
			CounterPath: DefaultCounterPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		// Request 99 is not due before 99/200 s.
		if res.Successes != 100 || res.DurationS < 0.49 || res.RateRPS != 200 || res.Consistency.Verdict != VerdictConsistent {
			t.Fatalf("rate run %+v", res)
		}
		res, err = Run(context.Background(), Config{
			Engine: engine, URLs: []string{srv.URL}, Concurrency: 4, Duration: 300 * time.Millisecond, CounterPath: DefaultCounterPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Successes == 0 || res.DurationS < 0.29 || len(res.Errors) != 0 || res.Consistency.Verdict != VerdictConsistent {
			t.Fatalf("duration run %+v", res)
		}
	})
}

func TestRunStatusAndMissingCounter(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		n := 0
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			k := n
			mu.Unlock()
			switch {
			case k%10 == 0:
				http.Error(w, "busy", http.StatusServiceUnavailable)
			case k%10 == 5:
				fmt.Fprint(w, `{"other":1}`)
			default:
				fmt.Fprint(w, `{"visitCount":1}`)
			}
		}))
		defer srv.Close()
		res, err := Run(context.Background(), Config{Engine: engine, URLs: []string{srv.URL}, Concurrency: 1, Requests: 100, CounterPath: "visitCount"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors["status_503"] != 10 || res.Errors[errNoCounter] != 10 || res.Successes != 80 || res.Requests != 100 ||
			res.ErrorSamples["status_503"] == "" || !strings.Contains(res.ErrorSamples[errNoCounter], `at "visitCount"; its numeric fields: other (1)`) {
			t.Fatalf("errors %v samples %v successes %d", res.Errors, res.ErrorSamples, res.Successes)
		}
		// The same value every time: repeats, so the bare handler is
		// INCONSISTENT, and UNCHECKED without a counter path.
		if res.Consistency.Verdict != VerdictInconsistent || res.Consistency.Repeats == 0 {
			t.Fatalf("consistency %+v", res.Consistency)
		}
		res, err = Run(context.Background(), Config{Engine: engine, URLs: []string{srv.URL}, Concurrency: 1, Requests: 20})
		if err != nil || res.Consistency.Verdict != VerdictUnchecked || res.Consistency.Mode != ModeNone {
			t.Fatalf("no counter path: %v %+v", err, res)
		}
	})
}

// runBounded runs Bench and fails the test if it has not returned after
// limit: a hang guard, not a timing assertion.
func runBounded(t *testing.T, limit time.Duration, cfg Config) *Result {
	t.Helper()
	type out struct {
		res *Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		res, err := Run(context.Background(), cfg)
		ch <- out{res, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			t.Fatal(o.err)
		}
		return o.res
	case <-time.After(limit):
		t.Fatalf("bench still running after %s", limit)
		return nil
	}
}

func TestRunServerKilledMidRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		for _, shared := range []bool{false, true} {
			// The server dies after 300 answers: the setup request of shared
			// mode among them.
			url := testenv.ServeUntil(t, demo.NewHandler(demo.Options{}), 300)
			res := runBounded(t, 60*time.Second, Config{
				Engine: engine, URLs: []string{url}, Concurrency: 10, Requests: 1 << 40, Shared: shared,
				Timeout: 2 * time.Second, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
			})
			var errs int64
			for _, n := range res.Errors {
				errs += n
			}
			if !strings.Contains(res.Aborted, "connection refused") || errs == 0 || res.Successes == 0 || res.Successes > 300 {
				t.Fatalf("shared=%v: aborted %q errors %v successes %d", shared, res.Aborted, res.Errors, res.Successes)
			}
			if shared && res.Consistency.FinalUnknown == "" {
				t.Fatalf("final counter of a dead server known: %+v", res.Consistency)
			}
		}
	})
}

func TestRunHungServerTimesOut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		res := runBounded(t, 30*time.Second, Config{
			Engine: engine, URLs: []string{hungServer(t)}, Concurrency: 3, Requests: 1 << 40,
			Timeout: 300 * time.Millisecond, CounterPath: DefaultCounterPath,
		})
		if res.Aborted == "" || res.Errors[errTimeout] == 0 || res.Successes != 0 ||
			!strings.Contains(res.ErrorSamples[errTimeout], "connected, request sent, no answer in 300ms") {
			t.Fatalf("aborted %q errors %v samples %v successes %d", res.Aborted, res.Errors, res.ErrorSamples, res.Successes)
		}
	})
}

func TestRunCancel(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := benchDemoServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		res, err := Run(ctx, Config{Engine: engine, URLs: []string{srv.URL}, Concurrency: 4, Requests: 1 << 40, Shared: true, CounterPath: DefaultCounterPath})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Interrupted || res.Successes == 0 || len(res.Errors) != 0 || res.Consistency.FinalUnknown != "interrupted" {
			t.Fatalf("cancelled run %+v", res)
		}
	})
}

func TestRunTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(demo.NewHandler(demo.Options{}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	srv.StartTLS()
	defer srv.Close()
	res, err := Run(context.Background(), Config{
		URLs: []string{srv.URL + "/"}, Concurrency: 4, Requests: 400, Insecure: true,
		CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		Timeout: time.Minute, // bounds a hang only: a loaded machine under -race took over 10 s for a handshake
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Successes != 400 || res.Consistency.Verdict != VerdictConsistent {
		t.Fatalf("https run %+v %+v", res, res.Consistency)
	}
	// Without --insecure the test server's certificate is not trusted. The
	// run ends a Timeout after the last success, so the Timeout is short,
	// but long enough for a loaded machine to get to the certificate.
	res = runBounded(t, 60*time.Second, Config{
		URLs: []string{srv.URL + "/"}, Concurrency: 2, Requests: 1 << 40, Timeout: 5 * time.Second,
		CounterPath: DefaultCounterPath,
	})
	if res.Successes != 0 || res.Errors[errConnect] == 0 || res.Aborted == "" || !strings.Contains(res.ErrorSamples[errConnect], "certificate") {
		t.Fatalf("untrusted https run: %+v", res)
	}
}

// TestRunSharedCookieSession: serve-demo --mode cookie keeps the session in
// the cookie, re-issued by every response. Concurrent requests on the one
// cookie each start from its state: all but one update per round are lost,
// no session is created, and the result says why.
func TestRunSharedCookieSession(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := httptest.NewServer(demo.NewHandler(demo.Options{Mode: demo.ModeCookie}))
		defer srv.Close()
		const n = 400
		res, err := Run(context.Background(), Config{Engine: engine,
			URLs: []string{srv.URL + "/"}, Concurrency: 8, Requests: n, Shared: true,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		// Every request carried the first cookie (visitCount 1), so every
		// response said 2, and the final probe reads 2 again: all n lost.
		if res.Successes != n || c.Resets != 0 || c.ExtraSessions != 0 || c.SessionsCreated != 1 || c.IDChanges != 0 ||
			c.LostUpdates != n || c.Duplicates != n-1 || c.FinalCounter != 1 || c.Verdict != VerdictInconsistent {
			t.Fatalf("consistency %+v", c)
		}
		if !c.SessionInCookie || c.SessionCookie != "session" || c.SessionFormat != "cookie-session" ||
			!strings.Contains(c.Note, "last writer wins") {
			t.Fatalf("session %q %q in cookie %v, note %q", c.SessionCookie, c.SessionFormat, c.SessionInCookie, c.Note)
		}
	})
}

// hungServer accepts connections and reads requests but never answers; it
// returns the URL.
func hungServer(t *testing.T) string {
	return serveConns(t, func(c net.Conn) { io.Copy(io.Discard, c) })
}

// TestRunHungServerUnfinished: a -d run against a server that never
// answers, with the default --timeout (longer than the run): every request
// sent is unanswered when the run ends. They are failures (unfinished, with
// their age and how far they got), the target is named as stopped, and no
// figure pretends a throughput.
func TestRunHungServerUnfinished(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		url := hungServer(t)
		res := runBounded(t, 30*time.Second, Config{Engine: engine,
			URLs: []string{url}, Concurrency: 3, Duration: 300 * time.Millisecond, CounterPath: DefaultCounterPath,
		})
		if res.Errors[errUnfinished] != 3 || res.Requests != 3 || res.Successes != 0 || res.Answered != 0 || res.ThroughputRPS != 0 ||
			res.UnfinishedOldestS < 0.3 || !strings.Contains(res.ErrorSamples[errUnfinished], "connected, request sent, no answer for") ||
			!strings.Contains(res.Stalled, "the target stopped answering: no request was ever answered; 3 requests unanswered") {
			t.Fatalf("errors %v samples %v requests %d answered %d oldest %gs stalled %q",
				res.Errors, res.ErrorSamples, res.Requests, res.Answered, res.UnfinishedOldestS, res.Stalled)
		}
		if th := res.ThresholdsFailed(); len(th) != 1 || th[0].Name != "max_errors" || th[0].Value != "3 (100.0%)" {
			t.Fatalf("thresholds %+v", res.Thresholds)
		}
	})
}

// TestRunEndOfRunIsNotAFailure: at the end of a -d run against a healthy
// server, the requests in flight are answered within the grace period:
// nothing is unfinished.
func TestRunEndOfRunIsNotAFailure(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := benchDemoServer(t)
		res := runBounded(t, 30*time.Second, Config{Engine: engine,
			URLs: []string{srv.URL}, Concurrency: 8, Duration: 200 * time.Millisecond, CounterPath: DefaultCounterPath,
		})
		if len(res.Errors) != 0 || res.Stalled != "" || res.Successes == 0 || res.Answered != res.Requests ||
			res.ThroughputRPS <= 0 || res.AnsweredS > res.DurationS || res.Consistency.Verdict != VerdictConsistent {
			t.Fatalf("result %+v", res)
		}
		if th := res.ThresholdsFailed(); len(th) != 0 {
			t.Fatalf("thresholds %+v", res.Thresholds)
		}
	})
}

// TestRunFailuresByURL: of two URLs one answers 404, so half the requests
// fail: counted by status and by URL, the sample naming the failing URL
// only, and the default threshold (no failed request) fails.
func TestRunFailuresByURL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		good := benchDemoServer(t)
		missing := httptest.NewServer(http.NotFoundHandler())
		defer missing.Close()
		urls := []string{good.URL + "/", missing.URL + "/gone"}
		cfg := Config{Engine: engine, URLs: urls, Concurrency: 2, Requests: 200, CounterPath: DefaultCounterPath}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors["status_404"] != 100 || res.Successes != 100 || len(res.ErrorsByURL) != 1 ||
			res.ErrorsByURL[urls[1]]["status_404"] != 100 || res.ErrorSamples["status_404"] != "GET "+urls[1]+": status 404" {
			t.Fatalf("errors %v by URL %v samples %v", res.Errors, res.ErrorsByURL, res.ErrorSamples)
		}
		if th := res.ThresholdsFailed(); len(th) != 1 || th[0].Value != "100 (50.0%)" || th[0].Limit != "0" {
			t.Fatalf("thresholds %+v", res.Thresholds)
		}
		cfg.Thresholds.MaxErrors = ErrorLimit{Pct: 50, IsPct: true}
		cfg.Thresholds.MaxP99 = time.Hour
		if res, err = Run(context.Background(), cfg); err != nil || len(res.ThresholdsFailed()) != 0 || len(res.Thresholds) != 2 {
			t.Fatalf("50%% allowed: %v %+v", err, res.Thresholds)
		}
	})
}

// TestRunRefusedSaysNothingAnswered: a target where nothing listens: no
// request answered, no throughput, no latency.
func TestRunRefusedSaysNothingAnswered(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		res := runBounded(t, 30*time.Second, Config{Engine: engine,
			URLs: []string{"http://" + testenv.FreeAddr(t) + "/"}, Concurrency: 2, Requests: 100, CounterPath: DefaultCounterPath,
		})
		if res.Answered != 0 || res.ThroughputRPS != 0 || res.Latency != (Latency{}) || res.Errors[errConnect] == 0 ||
			!strings.Contains(res.Aborted, "connection refused") {
			t.Fatalf("result %+v", res)
		}
		cfg := Config{Engine: engine, URLs: []string{"http://" + testenv.FreeAddr(t) + "/"}, Concurrency: 1, Requests: 10,
			Thresholds: Thresholds{MaxErrors: ErrorLimit{Pct: 100, IsPct: true}, MaxP50: time.Second}}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if th := res.ThresholdsFailed(); len(th) != 1 || th[0].Name != "max_p50" || th[0].Value != "no answer" {
			t.Fatalf("thresholds %+v", res.Thresholds)
		}
	})
}

// TestRunJar: bench --jar continues the session a visit left in its jar, in
// shared mode, and leaves the jar as it was.
// visitJar visits u n times through the jar at path, as sessctl visit
// does, and saves it.
func visitJar(t *testing.T, u *url.URL, path string, n int) {
	t.Helper()
	jar, err := client.OpenJar(path, client.JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		req, _ := http.NewRequest("GET", u.String(), nil)
		for _, c := range jar.Cookies(u) {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, line := range resp.Header.Values("Set-Cookie") {
			sc, err := cookie.ParseSetCookie(line)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := jar.SetCookie(u, &sc); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := jar.Save(); err != nil {
		t.Fatal(err)
	}
}

func TestRunJar(t *testing.T) {
	srv := benchDemoServer(t)
	// Two visits through a jar, as sessctl visit makes them.
	dir := t.TempDir()
	path := filepath.Join(dir, "cookies.txt")
	u, _ := url.Parse(srv.URL + "/")
	visitJar(t, u, path, 2)
	before, _ := os.ReadFile(path)
	info, _ := os.Stat(path)

	res, err := Run(context.Background(), Config{URLs: []string{u.String()}, Jar: path, Concurrency: 4, Requests: 200,
		CounterPath: DefaultCounterPath, IDPath: DefaultIDPath})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Consistency
	// The visits counted 1 and 2, bench's setup request 3.
	if c.Mode != ModeShared || c.InitialCounter != 3 || c.FinalCounter != 203 || c.Verdict != VerdictConsistent || c.SessionsCreated != 1 {
		t.Fatalf("consistency %+v", c)
	}
	after, _ := os.ReadFile(path)
	info2, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !info.ModTime().Equal(info2.ModTime()) {
		t.Errorf("the jar was written:\n%s\n%s", before, after)
	}

	// A jar with no cookie for the URL, a missing jar, a session the server
	// does not know.
	other := filepath.Join(dir, "other.txt")
	os.WriteFile(other, []byte("# Netscape HTTP Cookie File\nexample.com\tFALSE\t/\tFALSE\t0\tsid\tx\n"), 0o600)
	stale := filepath.Join(dir, "stale.txt")
	os.WriteFile(stale, []byte("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tconnect.sid\ts%3Aunknown.sig\n"), 0o600)
	for jar, want := range map[string]string{
		other:                         "holds no cookie for",
		filepath.Join(dir, "missing"): "no such file",
		stale:                         "it no longer knows that one",
	} {
		_, err := Run(context.Background(), Config{URLs: []string{u.String()}, Jar: jar, Requests: 10, CounterPath: DefaultCounterPath})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("jar %s: err %v, want %q", jar, err, want)
		}
	}
	// An agent of a shared test on a Cookie header's session the server
	// does not know: it would load a session of its own.
	_, err = Run(context.Background(), Config{URLs: []string{u.String()}, Shared: true, Requests: 30, CounterPath: DefaultCounterPath,
		Header: [][2]string{{"Cookie", "connect.sid=s%3Aunknown.sig"}}, Segment: Segment{From: 1, To: 2, Den: 3}})
	if want := "continue the session of the Cookie header: the server answered with a new session"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("stale Cookie header, segment 1/3: err %v, want %q", err, want)
	}
}

// lateHandler is a session server that counts a request the client gave up
// on after the client's next one: the session's second request is held
// until its third arrives (on a new connection, after the client's
// timeout), which counts, lets the held one count, and answers. The
// client sees 1, (timeout), 2, 4, 5: consistent, the held request counted
// late.
func lateHandler(t *testing.T) http.Handler {
	var mu sync.Mutex
	count, arrived := int64(0), 0
	release, counted, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(done) }) // before the server's Close, which waits for the held handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		nth := arrived
		mu.Unlock()
		switch nth {
		case 2: // held, whatever the client does meanwhile
			select {
			case <-release:
			case <-done:
				return
			}
		}
		mu.Lock()
		count++
		n := count
		mu.Unlock()
		switch nth {
		case 1:
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/"})
			w.WriteHeader(http.StatusCreated)
		case 2:
			close(counted)
		case 3:
			close(release)
			<-counted
		}
		fmt.Fprintf(w, `{"sid":"s1","visitCount":%d}`, n)
	})
}

// TestRunTimedOutRequestCountedLate: a request that timed out may still be
// counted by the server, after the next one: the counter then jumps by
// one, which is no gap.
func TestRunTimedOutRequestCountedLate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		srv := httptest.NewServer(lateHandler(t))
		t.Cleanup(srv.Close)
		res := runBounded(t, 30*time.Second, Config{
			Engine: engine, URLs: []string{srv.URL}, Concurrency: 1, Requests: 5,
			Timeout: 300 * time.Millisecond, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		c := res.Consistency
		if res.Successes != 4 || res.Errors[errTimeout] != 1 || c.Verdict != VerdictConsistent || c.Gaps != 0 || c.Checked != 4 {
			t.Fatalf("successes %d errors %v %v consistency %+v", res.Successes, res.Errors, res.ErrorSamples, c)
		}
	})
}
