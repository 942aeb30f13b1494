package bench

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// startExpressApp runs the reference Node express-session example
// (interop/express-app.js) on a free loopback port with DELAY_MS between
// reading and writing visitCount, and returns its URL.
func startExpressApp(t *testing.T, delayMS string) string {
	return startNodeApp(t, "express-app.js", "DELAY_MS="+delayMS)
}

// startNodeApp runs `node script` in interop/ on a free loopback port (PORT)
// with env added, and returns its URL.
func startNodeApp(t *testing.T, script string, env ...string) string {
	url, _ := startNodeProcess(t, script, env...)
	return url
}

// startNodeProcess is startNodeApp that also returns the process.
func startNodeProcess(t *testing.T, script string, env ...string) (string, *os.Process) {
	t.Helper()
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("node", script)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PORT="+port), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node %s: %v", script, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	testenv.WaitListening(t, addr, 20*time.Second)
	return "http://" + addr + "/", cmd.Process
}

// TestRunExpressSessionLosesUpdates is the acceptance test on the
// real thing: express-session's MemoryStore loads a session when a request
// starts and saves it when it ends, so 50 concurrent requests on one session
// lose updates.
func TestRunExpressSessionLosesUpdates(t *testing.T) {
	url := startExpressApp(t, "5")
	res, err := Run(context.Background(), Config{
		URLs: []string{url}, Concurrency: 50, Requests: 2000, Shared: true,
		Timeout: 10 * time.Second, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Consistency
	t.Logf("express-session: %d requests, visitCount %d → %d (expected %d), %d lost (%.1f%%), %d duplicates",
		res.Requests, c.InitialCounter, c.FinalCounter, c.ExpectedFinal, c.LostUpdates, c.LostUpdatesPct, c.Duplicates)
	if res.Successes != 2000 || len(res.Errors) != 0 {
		t.Fatalf("successes %d errors %v %v", res.Successes, res.Errors, res.ErrorSamples)
	}
	if c.Verdict != VerdictInconsistent || c.LostUpdates <= 0 || c.Duplicates <= 0 || c.IDChanges != 0 || c.Resets != 0 {
		t.Fatalf("consistency %+v, want INCONSISTENT with lost updates", c)
	}
}

// TestRunExpressSessionPerSession: with each virtual user's requests
// sequential, the same app keeps every counter exact.
func TestRunExpressSessionPerSession(t *testing.T) {
	url := startExpressApp(t, "0")
	res, err := Run(context.Background(), Config{
		URLs: []string{url}, Concurrency: 10, Sessions: 20, Requests: 1000,
		Timeout: 10 * time.Second, CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Consistency; res.Successes != 1000 || c.Verdict != VerdictConsistent || c.SessionsCreated != 20 {
		t.Fatalf("result %+v consistency %+v", res, c)
	}
}

// TestRunSharedCookieSessionNpm: the npm cookie-session keeps the session in
// the cookie. On one shared cookie every concurrent update but the last
// writer's is lost, by design: bench reports them lost (not resets), and
// that the session lives in the cookie.
func TestRunSharedCookieSessionNpm(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		url := startNodeApp(t, "cookie-session-app.js")
		const n = 300
		res, err := Run(context.Background(), Config{Engine: engine,
			URLs: []string{url}, Concurrency: 8, Requests: n, Shared: true,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath,
		})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Consistency
		t.Logf("cookie-session: %d requests, visitCount %d → %d (expected %d), %d lost, %d duplicates, %d resets",
			res.Requests, c.InitialCounter, c.FinalCounter, c.ExpectedFinal, c.LostUpdates, c.Duplicates, c.Resets)
		if res.Successes != n || c.Resets != 0 || c.ExtraSessions != 0 || c.LostUpdates != n || c.Duplicates != n-1 ||
			c.Verdict != VerdictInconsistent || !c.SessionInCookie || c.SessionFormat != "cookie-session" || c.Note == "" {
			t.Fatalf("consistency %+v", c)
		}
	})
}

// TestRunFrozenServer: a real server process frozen (SIGSTOP) mid-run, once
// it has answered 200 requests. The requests in flight then are unanswered
// when the run ends: failures (unfinished), the target is named as stopped,
// and the throughput is taken over the time it answered.
func TestRunFrozenServer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		url, proc := startNodeProcess(t, "express-app.js")
		t.Cleanup(func() { proc.Signal(syscall.SIGCONT) })
		var frozen atomic.Bool
		res := runBounded(t, 60*time.Second, Config{Engine: engine,
			URLs: []string{url}, Concurrency: 4, Duration: 1500 * time.Millisecond, CounterPath: DefaultCounterPath,
			ProgressEvery: time.Millisecond,
			Progress: func(p Progress) {
				if p.Done >= 200 && !frozen.Swap(true) {
					if err := proc.Signal(syscall.SIGSTOP); err != nil {
						t.Error(err)
					}
				}
			},
		})
		if !frozen.Load() {
			t.Fatalf("the server answered %d requests in 1.5s: never frozen", res.Requests)
		}
		t.Logf("frozen: %d answered in %.2fs (%.0f req/s), %d unfinished, oldest %.2fs; %s",
			res.Answered, res.AnsweredS, res.ThroughputRPS, res.Errors[errUnfinished], res.UnfinishedOldestS, res.Stalled)
		if res.Errors[errUnfinished] != 4 || res.Successes < 200 || !strings.Contains(res.Stalled, "the target stopped answering: nothing answered in the last") ||
			res.AnsweredS > res.DurationS-endGrace.Seconds() || res.ThroughputRPS != float64(res.Answered)/res.AnsweredS ||
			len(res.ThresholdsFailed()) != 1 {
			t.Fatalf("errors %v stalled %q answered %d in %.2fs of %.2fs, throughput %.0f, thresholds %+v",
				res.Errors, res.Stalled, res.Answered, res.AnsweredS, res.DurationS, res.ThroughputRPS, res.Thresholds)
		}
	})
}
