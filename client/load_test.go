package client

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/sessctl/sessctl/demo"
)

func benchDemoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	t.Cleanup(srv.Close)
	return srv
}

// loadRequests sizes the load tests: the 20 000 requests (a few
// seconds each under -race), fewer with -short.
func loadRequests() int64 {
	if testing.Short() {
		return 4000
	}
	return 20000
}

func TestBenchDemoPerSessionConsistent(t *testing.T) {
	srv := benchDemoServer(t)
	n := loadRequests()
	res, err := Bench(context.Background(), BenchConfig{
		URLs: []string{srv.URL + "/"}, Concurrency: 100, Requests: n,
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
}

func TestBenchDemoSharedConsistent(t *testing.T) {
	srv := benchDemoServer(t)
	n := loadRequests()
	res, err := Bench(context.Background(), BenchConfig{
		URLs: []string{srv.URL + "/"}, Concurrency: 100, Requests: n, Shared: true,
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
}
