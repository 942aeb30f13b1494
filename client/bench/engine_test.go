package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessctl/sessctl/demo"
)

// engines are the engines this system has; every load test runs on each.
func engines() []string {
	if epollAvailable {
		return []string{EngineGoroutine, EngineEpoll}
	}
	return []string{EngineGoroutine}
}

// forEachEngine runs f as a subtest per engine.
func forEachEngine(t *testing.T, f func(t *testing.T, engine string)) {
	t.Helper()
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) { f(t, engine) })
	}
}

// serverEnv makes the test binary a demo server in a process of its own
// (see TestMain), for the tests that signal their server.
const serverEnv = "SESSCTL_BENCH_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(ln.Addr())
		http.Serve(ln, demo.NewHandler(demo.Options{}))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestEngineFor(t *testing.T) {
	plain, tls := []string{"http://127.0.0.1:1/"}, []string{"http://127.0.0.1:1/", "https://127.0.0.1:2/"}
	auto := EngineGoroutine
	if epollAvailable {
		auto = EngineEpoll
	}
	for _, tt := range []struct {
		engine string
		urls   []string
		want   string
	}{
		{"", plain, auto},
		{EngineAuto, plain, auto},
		{EngineAuto, tls, EngineGoroutine},
		{EngineGoroutine, plain, EngineGoroutine},
		{EngineEpoll, plain, EngineEpoll},
	} {
		if got := EngineFor(Config{Engine: tt.engine, URLs: tt.urls}); got != tt.want {
			t.Errorf("EngineFor(%q, %v) = %q, want %q", tt.engine, tt.urls, got, tt.want)
		}
	}
}

// rawOptions choose the framing of rawServer's responses.
type rawOptions struct {
	chunked bool // bodies in two chunks
	close   bool // Connection: close on every response, and the connection closed
	// dropAfter, when above 0, closes a connection without a word when the
	// request after its dropAfter-th arrives: a keep-alive connection the
	// server closed while idle, as the client sees it.
	dropAfter int
}

// rawServer is a session server on raw TCP (a counter per sid cookie, 201
// and a Set-Cookie for a new session), so that a test picks the framing
// of its responses. It returns its URL.
func rawServer(t *testing.T, o rawOptions) string {
	t.Helper()
	var mu sync.Mutex
	store := map[string]int64{}
	ids := 0
	return serveConns(t, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for served := 0; ; served++ {
			sid, length := "", 0
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				if line == "\r\n" {
					break
				}
				if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
					length, _ = strconv.Atoi(strings.TrimSpace(v))
				}
				if v, ok := strings.CutPrefix(line, "Cookie: "); ok {
					for _, kv := range strings.Split(strings.TrimSpace(v), "; ") {
						if s, ok := strings.CutPrefix(kv, "sid="); ok {
							sid = s
						}
					}
				}
			}
			if _, err := br.Discard(length); err != nil {
				return
			}
			if o.dropAfter > 0 && served == o.dropAfter {
				return
			}
			mu.Lock()
			n, ok := store[sid]
			if !ok {
				ids++
				sid = "s" + strconv.Itoa(ids)
			}
			n++
			store[sid] = n
			mu.Unlock()
			var b strings.Builder
			if ok {
				b.WriteString("HTTP/1.1 200 OK\r\n")
			} else {
				b.WriteString("HTTP/1.1 201 Created\r\nSet-Cookie: sid=" + sid + "; Path=/; HttpOnly\r\n")
			}
			if o.close {
				b.WriteString("Connection: close\r\n")
			}
			body := fmt.Sprintf(`{"sid":%q,"visitCount":%d}`, sid, n)
			if o.chunked {
				half := len(body) / 2
				fmt.Fprintf(&b, "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%X;ext=1\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n",
					half, body[:half], len(body)-half, body[half:])
			} else {
				fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
			}
			if _, err := c.Write([]byte(b.String())); err != nil || o.close {
				return
			}
		}
	})
}

// serveConns is a loopback server that runs serve on each connection it
// accepts, each in a goroutine of its own; at the end of the test it stops
// listening and closes the connections. It returns the URL.
func serveConns(tb testing.TB, serve func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go serve(c)
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

// TestRunFraming: chunked bodies, Connection: close, and keep-alive
// connections the server drops while idle (each request on a dropped one
// is sent once more on a new connection) cost no request and no count.
func TestRunFraming(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    rawOptions
		body int // a POST body of that many bytes: writes the socket takes in parts
	}{
		{"content-length", rawOptions{}, 0},
		{"large request body", rawOptions{}, 8 << 20},
		{"chunked", rawOptions{chunked: true}, 0},
		{"connection close", rawOptions{close: true}, 0},
		{"idle keep-alive dropped", rawOptions{dropAfter: 7}, 0},
		{"chunked and dropped", rawOptions{chunked: true, dropAfter: 3}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, engine string) {
				url := rawServer(t, tt.o)
				n := int64(800)
				cfg := Config{
					Engine: engine, URLs: []string{url}, Concurrency: 8, Sessions: 16, Requests: n,
					CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
				}
				if tt.body > 0 {
					n = 48
					cfg.Method, cfg.Body, cfg.Requests = "POST", make([]byte, tt.body), n
				}
				res := runBounded(t, 60*time.Second, cfg)
				c := res.Consistency
				if tt.body > 0 && res.BytesWritten < n*int64(tt.body) {
					t.Fatalf("%d bytes written, want %d requests of %d", res.BytesWritten, n, tt.body)
				}
				if res.Engine != engine || res.Successes != n || len(res.Errors) != 0 {
					t.Fatalf("engine %s: successes %d errors %v %v", res.Engine, res.Successes, res.Errors, res.ErrorSamples)
				}
				// Workers share the tickets: a slow one may leave a user
				// of its own without a request, so at most 16 sessions.
				if c.Verdict != VerdictConsistent || c.Checked != n || c.SessionsCreated == 0 || c.SessionsCreated > 16 || c.ExtraSessions != 0 {
					t.Fatalf("consistency %+v", c)
				}
			})
		})
	}
}

// startServerProcess starts the test binary as a demo server (TestMain)
// and returns its process and URL; the process is killed at the end.
func startServerProcess(t *testing.T) (*os.Process, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("server process: %v", err)
	}
	return cmd.Process, "http://" + strings.TrimSpace(addr) + "/"
}

// TestRunServerProcessSignalled: a server process killed with kill -9
// mid-run ends the run as refused; one stopped with SIGSTOP (the kernel
// still accepts connections and data for it) ends it by timeouts. The
// Timeouts are long enough that a loaded machine's stall before the signal
// is no timeout (500 ms was: the run aborted before 300 requests): kill -9
// ends the run by refused connects whatever the Timeout, SIGSTOP only
// after one.
func TestRunServerProcessSignalled(t *testing.T) {
	for _, tt := range []struct {
		name    string
		sig     syscall.Signal
		timeout time.Duration
		aborted string
		class   string
	}{
		{"kill -9", syscall.SIGKILL, DefaultTimeout, "connection refused", errConnect},
		{"SIGSTOP", syscall.SIGSTOP, 3 * time.Second, "no request succeeded", errTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, engine string) {
				proc, url := startServerProcess(t)
				var once sync.Once
				res := runBounded(t, 60*time.Second, Config{
					Engine: engine, URLs: []string{url}, Concurrency: 10, Requests: 1 << 40,
					Timeout: tt.timeout, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
					ProgressEvery: time.Millisecond,
					Progress: func(p Progress) {
						if p.Done >= 300 {
							once.Do(func() { proc.Signal(tt.sig) })
						}
					},
				})
				if !strings.Contains(res.Aborted, tt.aborted) || res.Errors[tt.class] == 0 || res.Successes < 300 {
					t.Fatalf("aborted %q errors %v %v successes %d", res.Aborted, res.Errors, res.ErrorSamples, res.Successes)
				}
				if c := res.Consistency; c.Verdict != VerdictConsistent || c.Gaps+c.Resets+c.Regressions+c.Repeats != 0 {
					t.Fatalf("consistency %+v", c)
				}
			})
		})
	}
}

// constServer answers every request with the same express-like response,
// from a goroutine per connection that allocates nothing per request, so
// that the client's allocations can be counted. It returns its URL.
func constServer(tb testing.TB) string {
	tb.Helper()
	resp := []byte("HTTP/1.1 200 OK\r\nX-Powered-By: Express\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: 102\r\nETag: W/\"66-abcdefghijklmnopqrstuvwxyz0\"\r\nDate: Sat, 28 Nov 2026 00:00:00 GMT\r\n\r\n" +
		`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}`)
	return serveConns(tb, func(c net.Conn) {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			for { // one request: up to the blank line
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(line) <= 2 {
					break
				}
			}
			if _, err := c.Write(resp); err != nil {
				return
			}
		}
	})
}

// TestRunNoAllocationPerRequest: a request costs neither engine an
// allocation (the run's setup does): the mallocs of a run of 22 000
// requests less those of a run of 2 000 stay under one per 200 requests.
func TestRunNoAllocationPerRequest(t *testing.T) {
	if benchRace {
		t.Skip("the race detector allocates")
	}
	url := constServer(t)
	forEachEngine(t, func(t *testing.T, engine string) {
		mallocs := func(n int64) uint64 {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			// A session cookie in -H is shared mode's (per-session mode
			// refuses it).
			res, err := Run(context.Background(), Config{Engine: engine, URLs: []string{url}, Concurrency: 4, Requests: n, Shared: true,
				Header:      [][2]string{{"Cookie", "connect.sid=s%3AVz3W8h3x1Yq0fY2bE9mJk5hA7pR4tL6u.0123456789abcdef"}},
				CounterPath: DefaultCounterPath, IDPath: DefaultIDPath})
			runtime.ReadMemStats(&after)
			if err != nil || res.Requests != n || len(res.Errors) != 0 {
				t.Fatalf("run: %v %+v", err, res)
			}
			return after.Mallocs - before.Mallocs
		}
		small, large := mallocs(2000), mallocs(22000)
		if large > small && large-small > 100 {
			t.Fatalf("%d mallocs for 2000 requests, %d for 22000: %.3f per request", small, large, float64(large-small)/20000)
		}
	})
}

// BenchmarkEngines is a whole run per engine against constServer, one
// request per op: its allocs/op are the hot loop's (the run's setup is
// spread over b.N requests).
func BenchmarkEngines(b *testing.B) {
	url := constServer(b)
	for _, engine := range engines() {
		b.Run(engine, func(b *testing.B) {
			b.ReportAllocs()
			res, err := Run(context.Background(), Config{Engine: engine, URLs: []string{url}, Concurrency: 4,
				Requests: int64(b.N), CounterPath: DefaultCounterPath, IDPath: DefaultIDPath})
			if err != nil || res.Requests != int64(b.N) {
				b.Fatalf("run: %v %+v", err, res)
			}
		})
	}
}

func TestConfigValidateEngine(t *testing.T) {
	c := Config{Concurrency: 1, Timeout: time.Second, Engine: EngineEpoll, URLs: []string{"http://x/", "https://x/"}}
	err := c.Validate()
	switch {
	case !epollAvailable && (err == nil || !strings.Contains(err.Error(), "needs Linux")):
		t.Fatalf("epoll off Linux: %v", err)
	case epollAvailable && (err == nil || !strings.Contains(err.Error(), "plain http only, not https://x/")):
		t.Fatalf("epoll with https: %v", err)
	}
}

func TestThreadsFor(t *testing.T) {
	all := runtime.GOMAXPROCS(0)
	half := max(1, runtime.NumCPU()/2)
	for _, test := range []struct {
		n    int
		urls []string
		want int
	}{
		{3, []string{"http://10.0.0.1/"}, 3},
		{0, nil, all}, // the embedded server runs in this process
		{0, []string{"http://127.0.0.1:3000/", "http://localhost:3001/", "http://[::1]:3002/"}, half},
		{0, []string{"http://127.0.0.1:3000/", "http://app.test/"}, all},
	} {
		if got := ThreadsFor(test.n, test.urls, EngineGoroutine); got != test.want {
			t.Errorf("ThreadsFor(%d, %v) = %d, want %d", test.n, test.urls, got, test.want)
		}
	}
	if got := ThreadsFor(0, []string{"http://127.0.0.1:3000/"}, EngineEpoll); got != all {
		t.Errorf("ThreadsFor the epoll engine on loopback = %d, want %d", got, all)
	}
	if runtime.GOMAXPROCS(0) != all {
		t.Errorf("GOMAXPROCS left at %d", runtime.GOMAXPROCS(0))
	}
}
