// Package testenv finds the real parts sessctl's integration tests run
// against: curl, Node with the npm packages under interop/, redis-server.
// Where a part is missing a test is skipped on a developer's machine and
// fails under CI (CI=true), where .ci/run must have installed it.
package testenv

import (
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// RepoRoot returns the repository's top folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Missing skips t, or fails it under CI, because what is not available.
func Missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing: .ci/run must install it", what)
	}
	t.Skipf("%s is missing (run .ci/run's install steps to include this test)", what)
}

// Command returns the path of an executable on PATH, or skips/fails.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name)
	}
	return p
}

// Interop returns the interop/ folder after checking that node and its
// npm packages (npm ci in interop/) are there.
func Interop(t testing.TB) string {
	t.Helper()
	Command(t, "node")
	dir := filepath.Join(RepoRoot(), "interop")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		Missing(t, "interop/node_modules (npm ci --prefix interop)")
	}
	return dir
}

// Node runs `node script args...` in interop/ and returns its stdout; the
// test fails with stderr when node fails.
func Node(t testing.TB, script string, args ...string) string {
	t.Helper()
	dir := Interop(t)
	c := exec.Command("node", append([]string{script}, args...)...)
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node %s %v: %v\n%s", script, args, err, ee.Stderr)
		}
		t.Fatalf("node %s %v: %v", script, args, err)
	}
	return string(out)
}

// WaitListening waits until addr accepts TCP connections or d passes.
func WaitListening(t testing.TB, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening after %s: %v", addr, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// NodeFails runs `node script args...` in interop/, expects it to exit
// non-zero, and returns its stdout.
func NodeFails(t testing.TB, script string, args ...string) string {
	t.Helper()
	dir := Interop(t)
	c := exec.Command("node", append([]string{script}, args...)...)
	c.Dir = dir
	out, err := c.Output()
	if err == nil {
		t.Fatalf("node %s %v succeeded, want failure: %s", script, args, out)
	}
	return string(out)
}

// ServeUntil serves h on a free 127.0.0.1 port and kills the server (its
// listener and every connection, as a process that dies) once n requests
// have been answered, so a test sees a server die mid-run after a known
// amount of work rather than after a time. It returns the server's URL.
func ServeUntil(t testing.TB, h http.Handler, n int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var answered atomic.Int64
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0)}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The slot is taken before the answer, so that requests in
		// flight together cannot answer more than n between them.
		k := answered.Add(1)
		if k > n {
			// Past the n-th: the server is going down; answer nothing.
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
		if k == n {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			go srv.Close()
		}
	})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}
