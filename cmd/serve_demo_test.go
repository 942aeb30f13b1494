package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

func TestServeDemoFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		check   func(*serveDemoOptions) bool
		wantErr string
	}{
		{nil, func(o *serveDemoOptions) bool {
			return o.Store == "memory" && o.Mode == demo.ModeStore && o.SameSite == "lax" && o.TTL == 24*time.Hour &&
				o.MaxSessions == demo.DefaultMaxSessions && !o.Racy && !o.Secure && o.MaxAge == 0 && o.Addr == "127.0.0.1:3000"
		}, ""},
		{[]string{"--store", "redis://127.0.0.1:6379/2", "--ttl", "1h", "--secure", "--same-site", "Strict", "--max-age", "30m"}, func(o *serveDemoOptions) bool {
			return o.Store == "redis://127.0.0.1:6379/2" && o.TTL == time.Hour && o.Secure && o.SameSite == "strict" && o.MaxAge == 30*time.Minute
		}, ""},
		{[]string{"--store", "file:/tmp/x.db", "--racy", "--delay", "5ms", "--same-site", "off"}, func(o *serveDemoOptions) bool {
			return o.Store == "file:/tmp/x.db" && o.Racy && o.Delay == 5*time.Millisecond && o.SameSite == ""
		}, ""},
		{[]string{"--mode", "cookie", "--secret", "a", "--secret", "b"}, func(o *serveDemoOptions) bool {
			return o.Mode == demo.ModeCookie && len(o.Secrets) == 2
		}, ""},
		{[]string{"--max-sessions", "10"}, func(o *serveDemoOptions) bool { return o.MaxSessions == 10 }, ""},
		{[]string{"--ids", "sequential", "--no-regenerate", "--logout-keeps-session", "--no-httponly"}, func(o *serveDemoOptions) bool {
			return o.IDs == demo.IDSequential && o.NoRegenerate && o.LogoutKeepsSession && o.NoHTTPOnly
		}, ""},
		{nil, func(o *serveDemoOptions) bool {
			return o.IDs == demo.IDRandom && !o.NoRegenerate && !o.LogoutKeepsSession && !o.NoHTTPOnly
		}, ""},
		{[]string{"--ids", "guessable"}, nil, `--ids: id scheme "guessable": want random, short, sequential or time`},
		{[]string{"--mode", "cookie", "--no-regenerate"}, nil, "--no-regenerate has no effect"},
		{[]string{"--mode", "cookie", "--ids", "short"}, nil, "--ids has no effect"},
		{[]string{"--store", "postgres://x"}, nil, "--store"},
		{[]string{"--store", "file:"}, nil, "needs a path"},
		{[]string{"--mode", "jwt"}, nil, "--mode"},
		{[]string{"--same-site", "sometimes"}, nil, "--same-site"},
		{[]string{"--delay", "5ms"}, nil, "--delay needs --racy"},
		{[]string{"--mode", "cookie", "--racy"}, nil, "--racy has no effect"},
		{[]string{"--mode", "cookie", "--store", "file:x"}, nil, "--store has no effect"},
		{[]string{"--store", "file:x", "--max-sessions", "5"}, func(o *serveDemoOptions) bool { return o.MaxSessions == 5 }, ""},
		{[]string{"--store", "file:x"}, func(o *serveDemoOptions) bool { return o.MaxSessions == demo.DefaultMaxSessions }, ""},
		{[]string{"--store", "redis://127.0.0.1:6379/0"}, func(o *serveDemoOptions) bool { return o.MaxSessions == 0 }, ""},
		{[]string{"--store", "redis://127.0.0.1:6379/0", "--max-sessions", "9"}, func(o *serveDemoOptions) bool { return o.MaxSessions == 9 }, ""},
		{[]string{"--ttl", "-1s"}, nil, "negative"},
		{[]string{"--max-sessions", "-1"}, nil, "negative"},
		{[]string{"--secret", ""}, nil, "empty"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Setenv("SESSCTL_SECRET", "")
			var got *serveDemoOptions
			streams, _, _, _ := report.Test()
			c := newServeDemoCmd(streams, func(_ context.Context, o *serveDemoOptions) error { got = o; return nil })
			c.SetArgs(tc.args)
			c.SetOut(io.Discard)
			c.SetErr(io.Discard)
			err := c.Execute()
			if tc.wantErr != "" {
				var ue *usageError
				if err == nil || !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want a usage error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got == nil || !tc.check(got) {
				t.Fatalf("err %v, options %+v", err, got)
			}
		})
	}
}

// sessctlBin is the sessctl binary TestMain puts on $PATH (the test binary
// itself, as testscript.Main installs it).
func sessctlBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sessctl")
	if err != nil {
		t.Fatalf("sessctl is not on $PATH (TestMain installs it): %v", err)
	}
	return p
}

// startServeDemo runs `sessctl serve-demo --addr <free port> args...` as a
// child process and returns it with its URL once it listens.
func startServeDemo(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	addr := testenv.FreeAddr(t)
	cmd := exec.Command(sessctlBin(t), append([]string{"serve-demo", "--addr", addr}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &syncWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve-demo %v stderr:\n%s", args, cmd.Stderr.(*syncWriter).String())
		}
	})
	testenv.WaitListening(t, addr, 30*time.Second)
	return cmd, "http://" + addr + "/"
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

type demoBody struct {
	SID        int   `json:"sid"`
	VisitCount int64 `json:"visitCount"`
}

// visitDemo sends GET url with cookie and returns status, body and the
// cookie to send next.
func visitDemo(c *http.Client, url, cookie string) (int, demoBody, string, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, demoBody{}, cookie, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var b demoBody
	if resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, &b); err != nil {
			return resp.StatusCode, b, cookie, fmt.Errorf("body %q: %w", raw, err)
		}
	}
	if set := resp.Header.Get("Set-Cookie"); set != "" {
		cookie = strings.SplitN(set, ";", 2)[0]
	}
	return resp.StatusCode, b, cookie, nil
}

// benchResult is the part of bench's JSON the serve-demo tests read.
type benchResult struct {
	Requests    int64            `json:"requests"`
	Successes   int64            `json:"successes"`
	Errors      map[string]int64 `json:"errors"`
	Consistency struct {
		Verdict      string `json:"verdict"`
		LostUpdates  int64  `json:"lost_updates"`
		Duplicates   int64  `json:"duplicates"`
		Resets       int64  `json:"resets"`
		FinalCounter int64  `json:"final_counter"`
		FinalUnknown string `json:"final_unknown"`
	} `json:"consistency"`
}

// benchJSON runs `sessctl bench args... -o json` (bounded by two minutes)
// and returns its exit code, its parsed result and its output.
func benchJSON(t *testing.T, args ...string) (int, benchResult, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	bench := exec.CommandContext(ctx, sessctlBin(t), append(append([]string{"bench"}, args...), "-o", "json")...)
	var stderr bytes.Buffer
	bench.Stderr = &stderr
	out, err := bench.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var res benchResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bench exit %d, output %q: %v\nstderr: %s", code, out, err, stderr.String())
	}
	return code, res, string(out) + "\nstderr: " + stderr.String()
}

// sharedOnTwo runs two serve-demos on store and bench --shared over both:
// without --racy no update is lost; with it bench finds lost updates.
func sharedOnTwo(t *testing.T, store string) {
	for _, tc := range []struct {
		racy     []string
		wantExit int
	}{
		{nil, 0},
		{[]string{"--racy", "--delay", "2ms"}, 1},
	} {
		t.Run(fmt.Sprintf("racy=%v", tc.racy != nil), func(t *testing.T) {
			args := append([]string{"--store", store, "--secret", "shared"}, tc.racy...)
			_, u1 := startServeDemo(t, args...)
			_, u2 := startServeDemo(t, args...)
			code, res, out := benchJSON(t, u1, u2, "--shared", "-n", "2000", "-c", "16")
			if code != tc.wantExit {
				t.Fatalf("bench exit %d, want %d: %s", code, tc.wantExit, out)
			}
			if tc.racy == nil && (res.Consistency.Verdict != "CONSISTENT" || res.Consistency.LostUpdates != 0 || res.Successes != 2000) {
				t.Fatalf("atomic increments over two processes: %s", out)
			}
			if tc.racy != nil && (res.Consistency.Verdict != "INCONSISTENT" || res.Consistency.LostUpdates == 0) {
				t.Fatalf("racy mode lost nothing: %s", out)
			}
		})
	}
}

// TestServeDemoTwoProcessesOneRedis: two serve-demo processes on one Redis,
// hammered on both URLs with one session by sessctl bench --shared: no
// lost update. With --racy, bench finds lost updates and exits 1.
func TestServeDemoTwoProcessesOneRedis(t *testing.T) {
	sharedOnTwo(t, testenv.StartRedis(t).URL())
}

// TestServeDemoFileStoreKill9: serve-demo --store file:PATH is SIGKILLed
// under load; restarted on the same file, the session's visitCount is at
// least the highest one a client saw acknowledged.
func TestServeDemoFileStoreKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	args := []string{"--store", "file:" + path, "--secret", "k"}
	proc, url := startServeDemo(t, args...)
	c := &http.Client{Timeout: 5 * time.Second}
	status, _, cookie, err := visitDemo(c, url, "")
	if err != nil || status != 201 {
		t.Fatalf("first visit: %d %v", status, err)
	}

	var maxAck, acks atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	loaded := make(chan struct{}) // closed at the 200th acknowledged visit: kill then
	for range 8 {
		wg.Go(func() {
			for i := 0; i < 5000; i++ { // bounded even if the kill never lands
				select {
				case <-stop:
					return
				default:
				}
				status, b, _, err := visitDemo(c, url, cookie)
				if err != nil || status != 200 {
					return // the server is gone
				}
				if acks.Add(1) == 200 {
					close(loaded)
				}
				for {
					m := maxAck.Load()
					if b.VisitCount <= m || maxAck.CompareAndSwap(m, b.VisitCount) {
						break
					}
				}
			}
		})
	}
	select {
	case <-loaded:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d visits acknowledged in 30 s", acks.Load())
	}
	proc.Process.Signal(syscall.SIGKILL) // mid-load
	proc.Wait()
	close(stop)
	wg.Wait()
	if acks.Load() == 0 {
		t.Fatal("no visit was acknowledged before the kill")
	}

	_, url2 := startServeDemo(t, args...)
	status, b, _, err := visitDemo(c, url2, cookie)
	if err != nil || status != 200 {
		t.Fatalf("after restart: %d %v, want 200 on the same session", status, err)
	}
	if b.VisitCount < maxAck.Load()+1 {
		t.Fatalf("after kill -9 and restart visitCount is %d, but %d was acknowledged before the kill", b.VisitCount, maxAck.Load())
	}
	t.Logf("%d visits acknowledged, highest %d; after restart %d", acks.Load(), maxAck.Load(), b.VisitCount)
}

// TestServeDemoProcessModes runs the real process in cookie mode and with
// the cookie flags, and checks /healthz and a clean SIGTERM shutdown.
func TestServeDemoProcessModes(t *testing.T) {
	proc, url := startServeDemo(t, "--mode", "cookie", "--secret", "k", "--max-age", "1h", "--secure")
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sets := resp.Header.Values("Set-Cookie")
	if resp.StatusCode != 201 || len(sets) != 2 || !strings.HasPrefix(sets[0], "session=") ||
		!strings.Contains(sets[0], "; expires=") || !strings.HasSuffix(sets[0], "; samesite=lax; secure; httponly") {
		t.Fatalf("cookie mode: %d %q", resp.StatusCode, sets)
	}
	if resp, err := c.Get(url + "healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	proc.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- proc.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() != ExitInterrupted && ee.ExitCode() != 0 {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve-demo did not stop on SIGTERM")
	}
}

// TestServeDemoRedisDownAndBack: the serve-demo process answers 503 and
// logs one clear line while its Redis is stopped, and 200 on the same
// session once Redis is back, without being restarted.
func TestServeDemoRedisDownAndBack(t *testing.T) {
	rs := testenv.StartRedis(t)
	addr := rs.Addr
	proc, url := startServeDemo(t, "--store", rs.URL(), "--secret", "k")
	c := &http.Client{Timeout: 10 * time.Second}
	_, _, cookie, err := visitDemo(c, url, "")
	if err != nil {
		t.Fatal(err)
	}
	rs.Stop()
	for range 3 {
		if status, _, _, err := visitDemo(c, url, cookie); err != nil || status != 503 {
			t.Fatalf("with Redis down: %d %v, want 503", status, err)
		}
	}
	rs.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, b, _, err := visitDemo(c, url, cookie)
		if err == nil && status == 200 {
			if b.VisitCount != 2 {
				t.Fatalf("after Redis is back: visitCount %d, want 2", b.VisitCount)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after Redis is back: %d %v", status, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// stderr reaches us through a pipe: give the last line a moment
	var logs string
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if logs = proc.Stderr.(*syncWriter).String(); strings.Contains(logs, "available again") {
			break
		}
	}
	if strings.Count(logs, "session store unavailable: answering 503 until it is back") != 1 ||
		!strings.Contains(logs, addr) || !strings.Contains(logs, "session store available again") {
		t.Fatalf("stderr:\n%s", logs)
	}
}

// TestServeDemoWeakModes runs the real process with every weak flag and
// without: login, /me, the replay of a cookie after logout, the id scheme
// and the cookie's attributes are what each mode promises.
func TestServeDemoWeakModes(t *testing.T) {
	signer, _ := cookie.NewExpressSigner([]byte("k"))
	for _, weak := range []bool{false, true} {
		t.Run(fmt.Sprintf("weak=%v", weak), func(t *testing.T) {
			args := []string{"--secret", "k"}
			if weak {
				args = append(args, "--ids", "sequential", "--no-regenerate", "--logout-keeps-session", "--no-httponly")
			}
			_, url := startServeDemo(t, args...)
			c := &http.Client{Timeout: 10 * time.Second}
			do := func(method, path, body, ck string) (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if ck != "" {
					req.Header.Set("Cookie", ck)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp, string(b)
			}
			resp, _ := do("GET", "", "", "")
			set := resp.Header.Get("Set-Cookie")
			before, _, _ := strings.Cut(set, ";")
			id, _ := signer.ParseSessionCookie(strings.TrimPrefix(before, "connect.sid="))
			if hasHTTPOnly := strings.Contains(set, "; HttpOnly"); hasHTTPOnly == weak {
				t.Errorf("Set-Cookie %q: HttpOnly %v", set, hasHTTPOnly)
			}
			if isFirst := id == "1"; isFirst != weak {
				t.Errorf("the first session's id is %q", id)
			}
			resp, body := do("POST", "login", "user=alice", before)
			after := before
			if set := resp.Header.Get("Set-Cookie"); set != "" {
				after, _, _ = strings.Cut(set, ";")
			}
			if resp.StatusCode != 200 || !strings.HasSuffix(body, `"user":"alice"}`) || (after == before) != weak {
				t.Fatalf("login: %d %s, cookie %q before %q", resp.StatusCode, body, after, before)
			}
			if resp, body := do("GET", "me", "", after); resp.StatusCode != 200 || body != `{"user":"alice"}` {
				t.Fatalf("/me: %d %s", resp.StatusCode, body)
			}
			do("POST", "logout", "", after)
			resp, _ = do("GET", "me", "", after)
			if want := map[bool]int{false: 401, true: 200}[weak]; resp.StatusCode != want {
				t.Errorf("/me replaying the cookie after logout: %d, want %d", resp.StatusCode, want)
			}
		})
	}
}

// TestServeDemoNeverPrintsASecret runs the real process with the secret
// given each way, verbose, through requests, a store outage and a shutdown:
// neither stdout nor stderr holds the secret (nor, without one, anything
// shaped like the random secret).
func TestServeDemoNeverPrintsASecret(t *testing.T) {
	const secret = "Sup3r-s3cret-never-printed"
	file := filepath.Join(t.TempDir(), "secrets.txt")
	os.WriteFile(file, []byte("\n"+secret+"\r\nold-secret-also-hidden\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		env  string
	}{
		{"flag", []string{"--secret", secret}, ""},
		{"file", []string{"--secret-file", file}, ""},
		{"env", nil, secret},
		{"random", nil, ""},
		{"redis password", []string{"--secret", secret, "--store", "redis://:" + secret + "@127.0.0.1:1/0"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := testenv.FreeAddr(t)
			cmd := exec.Command(sessctlBin(t), append([]string{"serve-demo", "--addr", addr, "--verbose"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "SESSCTL_SECRET="+tc.env)
			var stdout, stderr syncWriter
			stdout.w, stderr.w = new(bytes.Buffer), new(bytes.Buffer)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			testenv.WaitListening(t, addr, 30*time.Second)
			url := "http://" + addr + "/"
			c := &http.Client{Timeout: 10 * time.Second}
			_, _, ck, _ := visitDemo(c, url, "")
			visitDemo(c, url, ck)
			visitDemo(c, url, "connect.sid=s%3Aforged.sig")
			c.Post(url+"login", "application/x-www-form-urlencoded", strings.NewReader("user=alice"))
			c.Post(url+"logout", "", nil)
			c.Get(url + "healthz")
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			out := stdout.String() + stderr.String()
			if !strings.Contains(out, "listening on") {
				t.Fatalf("output:\n%s", out)
			}
			for _, s := range []string{secret, "old-secret-also-hidden"} {
				if strings.Contains(out, s) {
					t.Errorf("the output shows a secret:\n%s", out)
				}
			}
			// demo.RandomSecret makes 43 base64url characters
			if m := regexp.MustCompile(`[A-Za-z0-9_-]{40,}`).FindString(out); m != "" {
				t.Errorf("the output holds %q, shaped like a secret:\n%s", m, out)
			}
			if tc.name == "random" && !strings.Contains(out, "never shown") {
				t.Errorf("no warning about the random secret:\n%s", out)
			}
		})
	}
	// a failing --secret-file names the file, never its content
	streams, _, _, errOut := report.Test()
	root := NewRootCmd(streams)
	root.SetArgs([]string{"serve-demo", "--secret-file", filepath.Join(t.TempDir(), "missing.txt")})
	if code := ExitCode(root.Execute(), t.Context(), streams); code != ExitTrouble || !strings.Contains(errOut.String(), "--secret-file: ") {
		t.Errorf("missing --secret-file: exit %d, %s", code, errOut)
	}
}

// TestServeDemoDamagedFileStore: serve-demo on a damaged bbolt file exits 2
// with one line naming the file and what to do, not a panic.
func TestServeDemoDamagedFileStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := demo.OpenFileStore(path, demo.FileStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 300 {
		wg.Go(func() { s.Create(t.Context(), fmt.Sprint(time.Now().UnixNano()), demo.Session{VisitCount: 1}) })
	}
	wg.Wait()
	s.Close()
	b, _ := os.ReadFile(path)
	for i := 2 * 4096; i < len(b); i++ { // every page but the two meta pages
		b[i] = 0x5a
	}
	os.WriteFile(path, b, 0o600)

	cmd := exec.Command(sessctlBin(t), "serve-demo", "--addr", testenv.FreeAddr(t), "--store", "file:"+path, "--secret", "k")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitTrouble {
		t.Fatalf("exit %v, want %d\n%s", err, ExitTrouble, stderr.String())
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "sessctl: file store "+path+" is damaged (") || !strings.Contains(msg, "move it away (mv "+path) ||
		strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine") || strings.Count(msg, "\n") != 1 {
		t.Fatalf("stderr:\n%s", msg)
	}
}

// TestServeDemoRedisCluster: a real three-master Redis Cluster on loopback.
// Two serve-demo processes on it stay consistent under bench --shared and
// lose updates with --racy; then the master holding the shared session is
// killed (SIGKILL) during a run and started again: bench reports the
// errors, no acknowledged increment is lost, and service resumes.
func TestServeDemoRedisCluster(t *testing.T) {
	nodes := testenv.StartRedisCluster(t, 3)
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.Addr)
	}
	store := "redis+cluster://" + strings.Join(addrs, ",") + "/"
	sharedOnTwo(t, store)

	t.Run("master killed", func(t *testing.T) {
		for _, n := range nodes { // only bench's session from here on
			n.CLI("flushall")
		}
		p1, u1 := startServeDemo(t, "--store", store, "--secret", "shared")
		p2, u2 := startServeDemo(t, "--store", store, "--secret", "shared")
		c := &http.Client{Timeout: 10 * time.Second}
		// bench over both processes on its one shared session, in the
		// background, for a fixed time whatever the machine's speed
		type benchOut struct {
			code int
			res  benchResult
			out  string
		}
		done := make(chan benchOut, 1)
		go func() {
			code, res, out := benchJSON(t, u1, u2, "--shared", "-d", "8s", "-c", "8", "--timeout", "30s", "--max-errors", "100%")
			done <- benchOut{code, res, out}
		}()
		// find the master holding the session, and kill it once 100
		// increments are in; start it again once a serve-demo has reported
		// the outage
		var owner *testenv.Redis
		var key string
		deadline := time.Now().Add(time.Minute)
		for owner == nil {
			for _, n := range nodes {
				if k := strings.TrimSpace(n.CLI("--scan", "--pattern", "sess:*")); k != "" {
					owner, key = n, k
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("bench made no session")
			}
			time.Sleep(5 * time.Millisecond)
		}
		for {
			v := owner.CLI("get", key)
			if m := regexp.MustCompile(`"visitCount":(\d+)`).FindStringSubmatch(v); m != nil && len(m[1]) >= 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the session did not reach 100 visits: %s", v)
			}
			time.Sleep(5 * time.Millisecond)
		}
		owner.Kill()
		stderrs := func() string {
			return p1.Stderr.(*syncWriter).String() + p2.Stderr.(*syncWriter).String()
		}
		for !strings.Contains(stderrs(), "session store unavailable") {
			if time.Now().After(deadline) {
				t.Fatalf("no outage reported:\n%s", stderrs())
			}
			time.Sleep(5 * time.Millisecond)
		}
		owner.Start()
		b := <-done

		if len(b.res.Errors) == 0 || b.res.Successes == b.res.Requests {
			t.Errorf("no errors reported while the master was down: %s", b.out)
		}
		if cs := b.res.Consistency; b.code != 0 || cs.Verdict != "CONSISTENT" || cs.LostUpdates != 0 || cs.Duplicates != 0 ||
			cs.Resets != 0 || cs.FinalUnknown != "" {
			t.Errorf("acknowledged increments lost, or service not back for bench's last read: exit %d %s", b.code, b.out)
		}
		// every acknowledged visit is in the stored session, and both
		// processes serve again
		stored := regexp.MustCompile(`"visitCount":(\d+)`).FindStringSubmatch(owner.CLI("get", key) + `"visitCount":0`)
		if got, _ := strconv.ParseInt(stored[1], 10, 64); got < 1+b.res.Successes {
			t.Errorf("stored visitCount %d, but %d visits were acknowledged", got, b.res.Successes)
		}
		for _, u := range []string{u1, u2} {
			if status, _, _, err := visitDemo(c, u, ""); err != nil || status != 201 {
				t.Errorf("%s after the master is back: %d %v", u, status, err)
			}
		}
		if !strings.Contains(stderrs(), "session store available again") {
			t.Errorf("no recovery logged:\n%s", stderrs())
		}
		t.Logf("bench exit %d: %d of %d acknowledged, errors %v, final counter %d", b.code, b.res.Successes, b.res.Requests, b.res.Errors, b.res.Consistency.FinalCounter)
	})
}
