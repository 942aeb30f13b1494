package bench

import (
	"context"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// startExpressApp runs the reference Node express-session example
// (interop/express-app.js) on a free loopback port with DELAY_MS between
// reading and writing visitCount, and returns its URL.
func startExpressApp(t *testing.T, delayMS string) string {
	t.Helper()
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("node", "express-app.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+port, "DELAY_MS="+delayMS)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node express-app.js: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	testenv.WaitListening(t, addr, 20*time.Second)
	return "http://" + addr + "/"
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
