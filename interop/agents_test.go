package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// This file tests bench's agents end to end with the real binary: the
// shipped examples/agents.sh runs N agents (--segment i/N --start-at
// --result) and merges their files with bench merge; one agent's run of
// the same size is the reference.

// agentsResult is the part of bench's (and bench merge's) JSON these tests
// read.
type agentsResult struct {
	Segment     string           `json:"segment"`
	Requests    int64            `json:"requests"`
	Successes   int64            `json:"successes"`
	Errors      map[string]int64 `json:"errors"`
	Consistency struct {
		Mode            string `json:"mode"`
		Verdict         string `json:"verdict"`
		Checked         int64  `json:"checked"`
		Sessions        int64  `json:"sessions"`
		SessionsCreated int64  `json:"sessions_created"`
		ExtraSessions   int64  `json:"extra_sessions"`
		Gaps            int64  `json:"gaps"`
		Repeats         int64  `json:"repeats"`
		Resets          int64  `json:"resets"`
		InitialCounter  int64  `json:"initial_counter"`
		FinalCounter    int64  `json:"final_counter"`
		ExpectedFinal   int64  `json:"expected_final"`
		LostUpdates     int64  `json:"lost_updates"`
		Duplicates      int64  `json:"duplicates"`
		FinalUnknown    string `json:"final_unknown"`
	} `json:"consistency"`
}

func (r agentsResult) errorCount() int64 {
	var n int64
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// exitCode runs c (bounded by two minutes) and returns its exit code and
// stdout; stderr goes to the test's log when it fails.
func exitCode(t *testing.T, c *exec.Cmd) (int, []byte, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Fatalf("start %v: %v", c.Args, err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		c.Process.Kill()
		<-done
		t.Fatalf("%v still running after 2 minutes\nstdout %s\nstderr %s", c.Args, stdout.Bytes(), stderr.Bytes())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.Bytes(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.Bytes(), stderr.String()
	}
	t.Fatalf("%v: %v", c.Args, err)
	return 0, nil, ""
}

// runAgents runs examples/agents.sh args... with the sessctl built here and
// returns its exit code, its merged JSON report (-o json) and the folder
// of the agents' files.
func runAgents(t *testing.T, bin string, args ...string) (int, agentsResult, string) {
	t.Helper()
	bash := testenv.Command(t, "bash")
	dir := t.TempDir()
	script := filepath.Join(testenv.RepoRoot(), "examples", "agents.sh")
	c := exec.Command(bash, append([]string{script, "-o", "json", "-w", dir}, args...)...)
	// START_IN 2: a start a second or two ahead is time enough for three
	// agents here; one that starts late begins at once, which changes no
	// count.
	c.Env = append(os.Environ(), "SESSCTL="+bin, "START_IN=2", "TMPDIR="+t.TempDir())
	code, out, stderr := exitCode(t, c)
	var res agentsResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("agents.sh %v: exit %d, stdout %q: %v\nstderr %s", args, code, out, err, stderr)
	}
	t.Logf("agents.sh %v: exit %d\nstderr %s", args, code, stderr)
	return code, res, dir
}

// benchOnce runs one agent, the whole test, as reference.
func benchOnce(t *testing.T, bin string, args ...string) (int, agentsResult) {
	t.Helper()
	code, out, stderr := exitCode(t, exec.Command(bin, append(append([]string{"bench"}, args...), "-o", "json")...))
	var res agentsResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("bench %v: exit %d, stdout %q: %v\nstderr %s", args, code, out, err, stderr)
	}
	return code, res
}

// TestAgentsPerSession: three agents (--segment 0/3, 1/3, 2/3) against a
// serve-demo process, each with --result, merged by bench merge: requests,
// successes, checks and sessions add up to one agent's run of the same
// size, CONSISTENT both, exit 0.
func TestAgentsPerSession(t *testing.T) {
	bin := sessctl(t)
	url := serveDemo(t, bin)
	test := []string{"-n", "3000", "-c", "12", "--sessions", "24"}
	code, merged, dir := runAgents(t, bin, append([]string{url, "--"}, test...)...)
	if code != 0 {
		t.Fatalf("agents.sh exit %d, want 0: %+v", code, merged)
	}
	code, one := benchOnce(t, bin, append([]string{url}, test...)...)
	if code != 0 {
		t.Fatalf("one agent: exit %d: %+v", code, one)
	}
	t.Logf("3 agents merged: %+v\none agent: %+v", merged, one)
	for _, r := range []agentsResult{merged, one} {
		c := r.Consistency
		if r.Requests != 3000 || r.Successes != 3000 || r.errorCount() != 0 || c.Mode != "per_session" ||
			c.Verdict != "CONSISTENT" || c.Checked != 3000 || c.Sessions != 24 || c.SessionsCreated != 24 ||
			c.ExtraSessions != 0 || c.Gaps != 0 || c.Repeats != 0 || c.Resets != 0 {
			t.Errorf("want 3000 requests checked on 24 sessions, CONSISTENT: %+v", r)
		}
	}
	// Each agent ran a third, its sessions its own: its result file
	// (bench --result) holds its run's figures.
	for i := range 3 {
		var f struct {
			Result agentsResult `json:"result"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "agent"+strconv.Itoa(i)+".json"))
		if err == nil {
			err = json.Unmarshal(b, &f)
		}
		if a := f.Result; err != nil || a.Requests != 1000 || a.Consistency.Sessions != 8 || a.Segment == "" {
			t.Errorf("agent %d: %v %+v", i, err, a)
		}
	}
}

// TestAgentsOwnServeDemo: without a URL agents.sh starts a serve-demo of
// its own for the test, and stops it.
func TestAgentsOwnServeDemo(t *testing.T) {
	bin := sessctl(t)
	code, merged, _ := runAgents(t, bin, "-a", "2", "--", "-n", "400", "-c", "4")
	if code != 0 || merged.Requests != 400 || merged.Consistency.Verdict != "CONSISTENT" || merged.Consistency.Sessions != 4 {
		t.Fatalf("exit %d: %+v", code, merged)
	}
}

// TestAgentsStoppedOnSignal: a SIGTERM to agents.sh while its agents load
// stops them and waits for them before it exits 143: when it has exited,
// every agent has (interrupted: its result file says so), none is left
// loading the target.
func TestAgentsStoppedOnSignal(t *testing.T) {
	bin := sessctl(t)
	bash := testenv.Command(t, "bash")
	// The target counts its connections: one per agent (-c 3 in thirds)
	// once all three load.
	var mu sync.Mutex
	conns := 0
	loading := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		if s == http.StateNew {
			if conns++; conns == 3 {
				close(loading)
			}
		}
	}
	srv.Start()
	defer srv.Close()

	dir := t.TempDir()
	script := filepath.Join(testenv.RepoRoot(), "examples", "agents.sh")
	c := exec.Command(bash, script, "-w", dir, srv.URL+"/", "--", "-d", "2m", "-c", "3", "--counter", "")
	c.Env = append(os.Environ(), "SESSCTL="+bin, "START_IN=1", "TMPDIR="+t.TempDir())
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-loading:
	case err := <-done:
		t.Fatalf("agents.sh ended before its agents loaded: %v\n%s", err, stderr.String())
	case <-time.After(time.Minute):
		c.Process.Kill()
		<-done
		t.Fatalf("the agents did not start within a minute\n%s", stderr.String())
	}
	c.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		c.Process.Kill()
		<-done
		t.Fatalf("agents.sh still running a minute after SIGTERM\n%s", stderr.String())
	}
	if c.ProcessState.ExitCode() != 143 {
		t.Fatalf("agents.sh after SIGTERM: %v, want exit 143\n%s", err, stderr.String())
	}
	for i := range 3 {
		var f struct {
			Result struct {
				Interrupted bool `json:"interrupted"`
			} `json:"result"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "agent"+strconv.Itoa(i)+".json"))
		if err == nil {
			err = json.Unmarshal(b, &f)
		}
		if err != nil || !f.Result.Interrupted {
			e, _ := os.ReadFile(filepath.Join(dir, "agent"+strconv.Itoa(i)+".err"))
			t.Errorf("agent %d, when agents.sh had exited: %v, interrupted %v (stopped and waited for?); its stderr: %s", i, err, f.Result.Interrupted, e)
		}
	}
}

// TestAgentsExpressSharedLosesUpdates: against the real Node
// express-session example (MemoryStore: load, modify, save), one session
// made by bench --create-session-only and continued by three agents with
// --shared --jar: the merged report finds lost updates (INCONSISTENT, exit
// 1) as one agent's run of the same size does. The counts vary from run to
// run; what must hold is each report's arithmetic (lost = expected − final)
// and that every duplicate is a lost update, but for the writes whose
// answers were not counted (requests that failed or were unfinished, and
// the agents' own probes of the counter).
func TestAgentsExpressSharedLosesUpdates(t *testing.T) {
	bin := sessctl(t)
	test := []string{"-n", "1500", "-c", "12"}
	code, merged, dir := runAgents(t, bin, append([]string{"--shared", startExpress(t), "--"}, test...)...)
	if code != 1 {
		t.Fatalf("agents.sh exit %d, want 1: %+v", code, merged)
	}
	if _, err := os.Stat(filepath.Join(dir, "shared.txt")); err != nil {
		t.Errorf("no shared jar: %v", err)
	}
	// One session for all: each agent's first probe continues the session
	// --create-session-only made (its counter 1; a new session would read
	// 1). The probes may read one value: on this server they lose updates
	// too.
	for i := range 3 {
		var f struct {
			Shared struct {
				InitialCounter int64 `json:"initial_counter"`
			} `json:"shared"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "agent"+strconv.Itoa(i)+".json"))
		if err == nil {
			err = json.Unmarshal(b, &f)
		}
		if v := f.Shared.InitialCounter; err != nil || v < 2 {
			t.Errorf("agent %d: initial counter %d: %v; want the shared session's, continued", i, v, err)
		}
	}
	code, one := benchOnce(t, bin, append([]string{startExpress(t), "--shared"}, test...)...)
	if code != 1 {
		t.Fatalf("one agent: exit %d, want 1: %+v", code, one)
	}
	t.Logf("3 agents merged: %+v\none agent: %+v", merged, one)
	for _, x := range []struct {
		name   string
		r      agentsResult
		probes int64
	}{{"merged", merged, 2 * 3}, {"one agent", one, 2}} {
		r, c := x.r, x.r.Consistency
		if r.Successes == 0 || c.Mode != "shared" || c.Verdict != "INCONSISTENT" || c.FinalUnknown != "" || c.LostUpdates <= 0 ||
			c.Sessions != 1 || c.ExtraSessions != 0 || c.Resets != 0 {
			t.Errorf("%s: want lost updates on one session: %+v", x.name, r)
		}
		if c.LostUpdates != c.ExpectedFinal-c.FinalCounter {
			t.Errorf("%s: lost %d, but expected %d − final %d", x.name, c.LostUpdates, c.ExpectedFinal, c.FinalCounter)
		}
		if c.LostUpdates > r.Successes+x.probes {
			t.Errorf("%s: lost %d of %d successes", x.name, c.LostUpdates, r.Successes)
		}
		if uncounted := r.errorCount() + x.probes; c.Duplicates > c.LostUpdates+uncounted {
			t.Errorf("%s: %d duplicates, more than the %d lost updates and %d uncounted writes", x.name, c.Duplicates, c.LostUpdates, uncounted)
		}
	}
}

// startExpress runs the reference Node express-session example
// (interop/express-app.js) with DELAY_MS=5 between reading and writing
// visitCount, on a free loopback port, and returns its URL.
func startExpress(t *testing.T) string {
	t.Helper()
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithCancel(context.Background())
	c := exec.CommandContext(ctx, "node", "express-app.js")
	c.Dir = dir
	c.Env = append(os.Environ(), "PORT="+port, "DELAY_MS=5")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatalf("start node express-app.js: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		c.Wait()
		if t.Failed() {
			t.Logf("express-app.js stderr:\n%s", stderr.String())
		}
	})
	testenv.WaitListening(t, addr, 20*time.Second)
	return "http://" + addr + "/"
}
