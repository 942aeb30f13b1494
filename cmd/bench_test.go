package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

func TestBenchFlags(t *testing.T) {
	for _, test := range []struct {
		args []string
		want benchOptions
	}{
		{
			args: []string{},
			want: benchOptions{Config: bench.Config{Concurrency: 50, Timeout: 10 * time.Second,
				CounterPath: "visitCount", IDPath: "sid", Engine: "auto"}, Output: "table"},
		},
		{
			args: []string{"127.0.0.1:3001", "http://127.0.0.1:3002/x", "-c", "100", "-n", "20000", "--shared", "-o", "json",
				"-H", "Accept: application/json", "-H", "Cookie: connect.sid=abc", "--data", "a=1", "-k", "--rate", "500",
				"--timeout", "2s", "--counter", "data.visits", "--id", ""},
			want: benchOptions{Config: bench.Config{URLs: []string{"http://127.0.0.1:3001", "http://127.0.0.1:3002/x"}, Method: "POST",
				Header: [][2]string{{"Accept", "application/json"}, {"Cookie", "connect.sid=abc"}}, Body: []byte("a=1"),
				Concurrency: 100, Requests: 20000, Rate: 500, Timeout: 2 * time.Second, Shared: true,
				CounterPath: "data.visits", Insecure: true, Engine: "auto"}, Output: "json"},
		},
		{
			args: []string{"http://127.0.0.1:1/", "--jar", "j.txt", "--max-errors", "1.5%", "--max-p99", "50ms", "--max-p50", "5ms"},
			want: benchOptions{Config: bench.Config{URLs: []string{"http://127.0.0.1:1/"}, Jar: "j.txt", Concurrency: 50, Engine: "auto", Timeout: 10 * time.Second,
				CounterPath: "visitCount", IDPath: "sid", Thresholds: bench.Thresholds{MaxErrors: bench.ErrorLimit{Pct: 1.5, IsPct: true},
					MaxP99: 50 * time.Millisecond, MaxP50: 5 * time.Millisecond}}, Output: "table"},
		},
		{
			// --timeout 0 is "no timeout", as for visit and curl.
			args: []string{"--timeout", "0"},
			want: benchOptions{Config: bench.Config{Concurrency: 50, Timeout: bench.NoTimeout,
				CounterPath: "visitCount", IDPath: "sid", Engine: "auto"}, Output: "table"},
		},
		{
			// -H lines stay in the user's order.
			args: []string{"-H", "X-Zeta: 1", "-H", "accept: a", "-H", "X-Zeta: 2"},
			want: benchOptions{Config: bench.Config{Header: [][2]string{{"X-Zeta", "1"}, {"Accept", "a"}, {"X-Zeta", "2"}},
				Concurrency: 50, Timeout: 10 * time.Second, CounterPath: "visitCount", IDPath: "sid", Engine: "auto"}, Output: "table"},
		},
		{
			args: []string{"-d", "30s", "-n", "5", "--sessions", "80", "-X", "put"},
			want: benchOptions{Config: bench.Config{Method: "put", Concurrency: 50, Requests: 5, Duration: 30 * time.Second, Sessions: 80,
				Timeout: 10 * time.Second, CounterPath: "visitCount", IDPath: "sid", Engine: "auto"}, Output: "table"},
		},
	} {
		var got *benchOptions
		streams, _, _, _ := report.Test()
		c := newBenchCmd(streams, func(_ context.Context, o *benchOptions) error { got = o; return nil })
		c.SetArgs(test.args)
		if err := c.Execute(); err != nil {
			t.Fatalf("%v: %v", test.args, err)
		}
		if !reflect.DeepEqual(*got, test.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", test.args, *got, test.want)
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, test := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-c", "0"}, "connections must be at least 1, not 0"},
		{[]string{"-n", "-1"}, "requests must not be negative"},
		{[]string{"-d", "-1s"}, "duration must not be negative"},
		{[]string{"--rate", "-3"}, "rate must not be negative"},
		{[]string{"--timeout", "-1s"}, "timeout must be above 0"},
		{[]string{"--threads", "-1"}, "threads must not be negative, not -1"},
		{[]string{"-o", "yaml"}, "-o/--output must be table, json or html"},
		{[]string{"--shared", "--sessions", "60"}, "sessions and shared mode exclude each other"},
		{[]string{"-c", "10", "--sessions", "5"}, "5 sessions for 10 connections"},
		{[]string{"ftp://x/"}, "scheme must be http or https"},
		{[]string{"-H", "no colon"}, `want "Name: value"`},
		{[]string{"--bogus"}, "unknown flag"},
		{[]string{"--engine", "fast"}, `engine must be auto, epoll or goroutine, not "fast"`},
		{[]string{"--engine", "epoll", "https://127.0.0.1:1/"}, "engine epoll speaks plain http only"},
		{[]string{"-H", "Cookie: connect.sid=s%3Aabc.def"}, "session cookie in the Cookie header: connect.sid would give every virtual user that one session; per-session mode gives each user its own, shared mode loads that one session (--shared)"},
		{[]string{"--max-errors", "many"}, `--max-errors: error limit "many"`},
		{[]string{"--max-p99", "-1s"}, "latency limits must not be negative"},
		{[]string{"--segment", "3/3"}, `--segment: segment "3/3": I must be from 0 to N-1 (2)`},
		{[]string{"--segment", "0/3", "-c", "2"}, "segment 0:1/3 of 2 connections is none"},
		{[]string{"--start-at", "soon"}, `--start-at "soon": want an RFC 3339 time`},
		{[]string{"--jar", "cookies.txt"}, "--jar needs the URL of the session it continues"},
		{[]string{"--jar", "cookies.txt", "--sessions", "60", "http://127.0.0.1:1/"}, "sessions and shared mode exclude each other"},
		{[]string{"--create-session-only", "http://127.0.0.1:1/"}, "--create-session-only needs --jar FILE"},
		{[]string{"--create-session-only", "--jar", "j.txt", "--start-at", "2026-12-01T11:00:00Z", "http://127.0.0.1:1/"}, "--create-session-only sends no load"},
		{[]string{"--metrics-addr", "nope"}, `--metrics-addr "nope": want HOST:PORT (127.0.0.1:9464)`},
		{[]string{"--create-session-only", "--jar", "j.txt", "--metrics-addr", "127.0.0.1:0", "http://127.0.0.1:1/"}, "--metrics-addr is for the agents"},
	} {
		code, out, errOut := runSessctl(t, append([]string{"bench"}, test.args...)...)
		if code != ExitTrouble || out != "" || !strings.HasPrefix(errOut, "sessctl: ") || strings.Count(errOut, "\n") != 1 ||
			!strings.Contains(errOut, test.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one error line with %q", test.args, code, out, errOut, test.msg)
		}
	}
}

func TestBenchEmbeddedConsistent(t *testing.T) {
	for _, mode := range [][]string{nil, {"--shared"}} {
		args := append([]string{"bench", "-n", "2000", "-c", "20", "-o", "json"}, mode...)
		code, out, errOut := runSessctl(t, args...)
		if code != ExitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		for _, k := range []string{"urls", "requests", "successes", "errors", "duration_s", "throughput_rps", "latency_ms", "bytes_read", "consistency"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%v: no %q in %s", args, k, out)
			}
		}
		lat := doc["latency_ms"].(map[string]any)
		for _, k := range []string{"min", "mean", "p50", "p90", "p99", "p99_9", "max"} {
			if _, ok := lat[k]; !ok {
				t.Errorf("no latency_ms.%s", k)
			}
		}
		c := doc["consistency"].(map[string]any)
		if c["verdict"] != "CONSISTENT" || doc["requests"] != 2000.0 {
			t.Errorf("%v: %s", args, out)
		}
		for _, k := range []string{"mode", "lost_updates", "lost_updates_pct", "duplicates", "gaps", "repeats", "regressions", "resets", "id_changes", "sessions"} {
			if _, ok := c[k]; !ok {
				t.Errorf("no consistency.%s", k)
			}
		}
	}
	code, out, _ := runSessctl(t, "bench", "-n", "300", "-c", "5")
	if code != ExitOK || !strings.Contains(out, "CONSISTENT") || !strings.Contains(out, "latency (ms)") {
		t.Errorf("table view: exit %d\n%s", code, out)
	}
}

// lostUpdateServer loses updates as express-session's MemoryStore does: it
// reads the counter, waits, and writes it back plus one.
func lostUpdateServer(t *testing.T) string {
	var mu sync.Mutex
	count := int64(0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("sid"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "one", Path: "/"})
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"sid":1,"visitCount":1}`))
			mu.Lock()
			count = 1
			mu.Unlock()
			return
		}
		mu.Lock()
		v := count
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		v++
		mu.Lock()
		count = v
		mu.Unlock()
		w.Write([]byte(`{"sid":1,"visitCount":` + strconv.FormatInt(v, 10) + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

func TestBenchInconsistentExit1(t *testing.T) {
	url := lostUpdateServer(t)
	code, out, errOut := runSessctl(t, "bench", url, "--shared", "-n", "300", "-c", "10")
	if code != ExitCheckFailed || !strings.Contains(out, "INCONSISTENT") || !strings.Contains(errOut, "lost updates") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

// TestBenchMetricsAddr: --metrics-addr says where it serves; an address
// that cannot be bound is trouble (exit 2) named before any load.
func TestBenchMetricsAddr(t *testing.T) {
	code, out, errOut := runSessctl(t, "bench", "-n", "50", "-c", "2", "--metrics-addr", "127.0.0.1:0")
	if code != ExitOK || !regexp.MustCompile(`metrics of the run on http://127\.0\.0\.1:\d+/metrics while it lasts`).MatchString(errOut) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"visitCount":1}`))
	}))
	defer srv.Close()
	code, out, errOut = runSessctl(t, "bench", srv.URL, "-n", "50", "--metrics-addr", addr)
	if code != ExitTrouble || out != "" || !strings.HasPrefix(errOut, "sessctl: bench: metrics address "+addr+": listen tcp "+addr) {
		t.Fatalf("address taken: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("address taken: %d requests sent", n)
	}
}

func TestBenchUnreachableExit2(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, out, errOut := runSessctl(t, "bench", "http://"+addr+"/", "-n", "100", "-c", "2", "--timeout", "1s")
	if code != ExitTrouble || !strings.Contains(errOut, "connection refused") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	code, _, errOut = runSessctl(t, "bench", "http://"+addr+"/", "--shared", "-n", "100")
	if code != ExitTrouble || !strings.Contains(errOut, "create the shared session") {
		t.Fatalf("shared: exit %d stderr %s", code, errOut)
	}
}

// TestBenchExpressSessionCLI: the CLI on the real Node express-session
// example, one shared session, 2000 requests at 50 concurrent: lost updates,
// exit 1.
func TestBenchExpressSessionCLI(t *testing.T) {
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	node := exec.Command("node", "express-app.js")
	node.Dir = dir
	node.Env = append(os.Environ(), "PORT="+port, "DELAY_MS=5")
	node.Stderr = os.Stderr
	if err := node.Start(); err != nil {
		t.Fatalf("start node express-app.js: %v", err)
	}
	t.Cleanup(func() {
		node.Process.Kill()
		node.Wait()
	})
	testenv.WaitListening(t, addr, 20*time.Second)

	code, out, errOut := runSessctl(t, "bench", "http://"+addr+"/", "--shared", "-n", "2000", "-c", "50", "-o", "json")
	if code != ExitCheckFailed {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", code, out, errOut)
	}
	var res bench.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	c := res.Consistency
	t.Logf("express-session via the CLI: visitCount %d → %d, expected %d: %d lost (%.1f%%)",
		c.InitialCounter, c.FinalCounter, c.ExpectedFinal, c.LostUpdates, c.LostUpdatesPct)
	if c.Verdict != bench.VerdictInconsistent || c.LostUpdates <= 0 || res.Successes != 2000 {
		t.Fatalf("result %s", out)
	}
	if !strings.Contains(errOut, "INCONSISTENT") || !strings.Contains(errOut, "lost updates") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestBenchServerKilledExit2(t *testing.T) {
	url := testenv.ServeUntil(t, demo.NewHandler(demo.Options{}), 300)
	done := make(chan struct{})
	var code int
	var out, errOut string
	go func() {
		defer close(done)
		code, out, errOut = runSessctl(t, "bench", url, "-n", "1000000000", "-c", "10", "--timeout", "2s")
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second): // a hang guard, not a timing
		t.Fatal("bench still running a minute after its server was killed")
	}
	if code != ExitTrouble || !strings.Contains(errOut, "bench stopped: connection refused") || !strings.Contains(out, "errors") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

// TestBenchEngine: --engine picks the engine, the JSON says which ran,
// and auto takes epoll for plain http on Linux and goroutine for the
// embedded server and https.
func TestBenchEngine(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(demo.NewHandler(demo.Options{}))
	defer tlsSrv.Close()
	auto := bench.EngineGoroutine
	if runtime.GOOS == "linux" {
		auto = bench.EngineEpoll
	}
	for _, test := range []struct {
		args []string
		want string
	}{
		{[]string{srv.URL}, auto},
		{[]string{srv.URL, "--engine", "goroutine"}, bench.EngineGoroutine},
		{[]string{srv.URL, "--engine", "auto", "--shared"}, auto},
		{nil, bench.EngineGoroutine},
		{[]string{tlsSrv.URL, "-k"}, bench.EngineGoroutine},
	} {
		args := append([]string{"bench", "-n", "300", "-c", "4", "-o", "json"}, test.args...)
		code, out, errOut := runSessctl(t, args...)
		var res bench.Result
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitOK {
			t.Fatalf("%v: exit %d %v\n%s%s", args, code, err, out, errOut)
		}
		if res.Engine != test.want || res.Successes != 300 || res.Consistency.Verdict != bench.VerdictConsistent {
			t.Errorf("%v: engine %q successes %d verdict %s, want %s", args, res.Engine, res.Successes, res.Consistency.Verdict, test.want)
		}
	}
	if runtime.GOOS == "linux" {
		code, out, _ := runSessctl(t, "bench", srv.URL, "-n", "300", "-c", "4", "--engine", "epoll")
		if code != ExitOK || !strings.Contains(out, "epoll engine") {
			t.Errorf("table view: exit %d\n%s", code, out)
		}
	}
}

// TestBenchFailuresExit1: half the requests answered 404 (one URL of two):
// the counter check of the others holds, but the default threshold (no
// failed request) does not: exit 1, the failing URL named, and with
// --max-errors 50% exit 0.
func TestBenchFailuresExit1(t *testing.T) {
	good := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer good.Close()
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	args := []string{"bench", good.URL + "/", missing.URL + "/gone", "-n", "200", "-c", "2"}
	code, out, errOut := runSessctl(t, args...)
	if code != ExitCheckFailed || !strings.Contains(errOut, "threshold max_errors 0 failed: 100 (50.0%)") ||
		!strings.Contains(out, missing.URL+"/gone") || !strings.Contains(out, "status_404") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	code, out, errOut = runSessctl(t, append(args, "--max-errors", "50%", "-o", "json")...)
	var res bench.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitOK {
		t.Fatalf("exit %d %v\nstdout %s\nstderr %s", code, err, out, errOut)
	}
	if len(res.Thresholds) != 1 || !res.Thresholds[0].OK || res.ErrorsByURL[missing.URL+"/gone"]["status_404"] != 100 {
		t.Fatalf("thresholds %+v errors by URL %v", res.Thresholds, res.ErrorsByURL)
	}
}

// TestBenchHungExit2: a server that accepts and never answers, with the
// default --timeout: bench says what happened (connected, request sent, no
// answer) and exits 2.
func TestBenchHungExit2(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			go io.Copy(io.Discard, c)
		}
	}()
	code, out, errOut := runSessctl(t, "bench", "http://"+ln.Addr().String()+"/", "-d", "300ms", "-c", "2")
	if code != ExitTrouble || !strings.Contains(errOut, "the target stopped answering: no request was ever answered; 2 requests unanswered") ||
		!strings.Contains(errOut, "connected, request sent, no answer for") || !strings.Contains(out, "unfinished") ||
		strings.Contains(out, "req/s") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

// TestBenchJar: bench --jar continues the session that visit left in its
// jar, and leaves the jar as it was.
func TestBenchJar(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	if code, _, errOut := runSessctl(t, "visit", srv.URL+"/", "-n", "2", "--jar", jar); code != ExitOK {
		t.Fatalf("visit: exit %d %s", code, errOut)
	}
	before, _ := os.ReadFile(jar)
	code, out, errOut := runSessctl(t, "bench", srv.URL+"/", "--jar", jar, "-n", "100", "-c", "4", "-o", "json")
	var res bench.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitOK {
		t.Fatalf("exit %d %v\nstdout %s\nstderr %s", code, err, out, errOut)
	}
	if c := res.Consistency; c.Mode != bench.ModeShared || c.InitialCounter != 3 || c.FinalCounter != 103 {
		t.Fatalf("consistency %+v", c)
	}
	if after, _ := os.ReadFile(jar); !bytes.Equal(before, after) {
		t.Errorf("the jar changed:\n%s\n%s", before, after)
	}
}

// TestBenchCreateSessionExit2: --create-session-only on a server that sets
// no session cookie, or answers no counter, is trouble: exit 2, one line
// saying what, and no jar written.
func TestBenchCreateSessionExit2(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/nocookie" {
			w.Write([]byte(`{"visitCount":1}`))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc"})
		w.Write([]byte(`{"visits":1}`))
	}))
	defer srv.Close()
	jar := filepath.Join(t.TempDir(), "shared.txt")
	for _, test := range []struct {
		path, msg string
	}{
		{"/nocookie", "bench: create the shared session: GET " + srv.URL + "/nocookie: the response set no session cookie (none)"},
		{"/", `no integer at "visitCount" in the body`},
	} {
		code, out, errOut := runSessctl(t, "bench", srv.URL+test.path, "--shared", "--create-session-only", "--jar", jar)
		if code != ExitTrouble || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, test.msg) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2 and %q", test.path, code, out, errOut, test.msg)
		}
	}
	if _, err := os.Stat(jar); err == nil {
		t.Errorf("a jar was written")
	}
}
