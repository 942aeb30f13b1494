package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/client/bench/metrics"
	"github.com/sessctl/sessctl/demo"
)

// gatedServer serves h but holds every request after the first open ones
// until release is closed, so that a test can look at a run in the middle
// of it.
func gatedServer(t *testing.T, h http.Handler, open int64) (url string, release chan struct{}) {
	release = make(chan struct{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > open {
			<-release
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return srv.URL, release
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the metrics: %v", err)
	}
	return fams
}

// value is the value of the metric name whose labels include the given
// pairs (name, value, ...); -1 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, lp := range m.Label {
				found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// sum adds the values of every metric of name.
func sum(fams map[string]*dto.MetricFamily, name string) (n float64) {
	for _, m := range fams[name].GetMetric() {
		n += m.GetCounter().GetValue()
	}
	return n
}

// TestMetricsDuringAndAfterRun scrapes a run's metrics in the middle of
// it (the server holds the requests past the first 40) and after it: the
// counts grow from the first scrape and equal the result's at the end, on
// either engine and in either mode.
func TestMetricsDuringAndAfterRun(t *testing.T) {
	for _, shared := range []bool{false, true} {
		for _, engine := range []string{bench.EngineGoroutine, bench.EngineEpoll} {
			name := engine + "/per_session"
			if shared {
				name = engine + "/shared"
			}
			t.Run(name, func(t *testing.T) {
				if engine == bench.EngineEpoll && bench.EngineFor(bench.Config{Engine: bench.EngineAuto, URLs: []string{"http://x/"}}) != bench.EngineEpoll {
					t.Skip("no epoll here")
				}
				testMetrics(t, engine, shared)
			})
		}
	}
}

func testMetrics(t *testing.T, engine string, shared bool) {
	url, release := gatedServer(t, demo.NewHandler(demo.Options{}), 40)
	live := bench.NewLive()
	ms, err := metrics.Listen("127.0.0.1:0", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	type outcome struct {
		res *bench.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := bench.Run(context.Background(), bench.Config{Engine: engine, URLs: []string{url}, Concurrency: 4,
			Requests: 200, Shared: shared, CounterPath: bench.DefaultCounterPath, IDPath: bench.DefaultIDPath, Live: live})
		done <- outcome{res, err}
	}()
	// The run's progress, not a time: wait for the watchdog to publish
	// the requests the server let through.
	for limit := time.Now().Add(10 * time.Second); live.Snapshot().Requests < 30; {
		if time.Now().After(limit) {
			t.Fatalf("no progress in the live figures: %+v", live.Snapshot())
		}
		time.Sleep(10 * time.Millisecond)
	}
	during := scrape(t, ms.URL())
	if v := value(during, metrics.NameFinished); v != 0 {
		t.Errorf("finished %v during the run", v)
	}
	if v := value(during, metrics.NameRequests, "code", "2xx"); v < 30 {
		t.Errorf("%v requests answered 2xx during the run", v)
	}
	mode := bench.ModePerSession
	if shared {
		mode = bench.ModeShared
	}
	if v := value(during, metrics.NameInfo, "engine", engine, "mode", mode, "urls", "1", "connections", "4"); v != 1 {
		t.Errorf("info %v: %v", v, during[metrics.NameInfo])
	}
	if v := value(during, metrics.NameChecked); v < 30 {
		t.Errorf("checked %v during the run", v)
	}
	if v := value(during, metrics.NameLostUpdates); v != -1 {
		t.Errorf("lost updates %v before the final probe", v)
	}
	close(release)
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	res := o.res
	after := scrape(t, ms.URL())
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"finished", value(after, metrics.NameFinished), 1},
		{"requests", sum(after, metrics.NameRequests), float64(res.Requests)},
		{"2xx", value(after, metrics.NameRequests, "code", "2xx"), float64(res.Successes)},
		{"successes", value(after, metrics.NameSuccesses), float64(res.Successes)},
		{"errors", sum(after, metrics.NameErrors), float64(res.Requests - res.Successes)},
		{"checked", value(after, metrics.NameChecked), float64(res.Consistency.Checked)},
		{"gaps", value(after, metrics.NameAnomalies, "kind", "gaps"), float64(res.Consistency.Gaps)},
		{"duplicates", value(after, metrics.NameAnomalies, "kind", "duplicates"), float64(res.Consistency.Duplicates)},
		{"latencies", value(after, metrics.NameLatency), float64(res.Answered)},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v after the run, the result %v", c.what, c.got, c.want)
		}
	}
	if shared {
		if v := value(after, metrics.NameLostUpdates); v != float64(res.Consistency.LostUpdates) || res.Consistency.FinalUnknown != "" {
			t.Errorf("lost updates %v, the result %+v", v, res.Consistency)
		}
	}
	if res.Requests != 200 || res.Consistency.Verdict != bench.VerdictConsistent {
		t.Errorf("run: %d requests, %s", res.Requests, res.Consistency.Verdict)
	}
	// The histogram's buckets count the latencies at most their bound.
	h := after[metrics.NameLatency].GetMetric()[0].GetHistogram()
	if b := h.GetBucket(); len(b) < len(metrics.LatencyBuckets) || b[len(metrics.LatencyBuckets)-1].GetCumulativeCount() != h.GetSampleCount() ||
		b[0].GetCumulativeCount() > h.GetSampleCount() ||
		!strings.HasPrefix(after[metrics.NameLatency].GetHelp(), "Latency") {
		t.Errorf("latency histogram %v", h)
	}
}

// TestListenBadAddress: an address that cannot be bound is an error that
// names it.
func TestListenBadAddress(t *testing.T) {
	ms, err := metrics.Listen("127.0.0.1:0", bench.NewLive())
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	taken := strings.TrimSuffix(strings.TrimPrefix(ms.URL(), "http://"), "/metrics")
	if _, err := metrics.Listen(taken, bench.NewLive()); err == nil || !strings.Contains(err.Error(), "metrics address "+taken) {
		t.Fatalf("listen on %s again: %v", taken, err)
	}
}

// TestMetricsAnomalies: a server whose counter is global, not the
// session's, makes every response after the first of each of two users
// a gap, and the metric counts them during the run and after it as the
// result does.
func TestMetricsAnomalies(t *testing.T) {
	var n atomic.Int64
	url, release := gatedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"visitCount":` + strconv.FormatInt(n.Add(1), 10) + `}`))
	}), 10)
	live := bench.NewLive()
	ms, err := metrics.Listen("127.0.0.1:0", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	type outcome struct {
		res *bench.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := bench.Run(context.Background(), bench.Config{URLs: []string{url}, Concurrency: 1, Sessions: 2, Requests: 20,
			CounterPath: bench.DefaultCounterPath, Live: live})
		done <- outcome{res, err}
	}()
	for limit := time.Now().Add(10 * time.Second); live.Snapshot().Requests < 10; {
		if time.Now().After(limit) {
			t.Fatalf("no progress in the live figures: %+v", live.Snapshot())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := value(scrape(t, ms.URL()), metrics.NameAnomalies, "kind", "gaps"); got != 8 {
		t.Errorf("%v gaps in the metrics after 10 responses, want 8", got)
	}
	close(release)
	o := <-done
	if o.err != nil {
		t.Fatal(o.err)
	}
	if got := value(scrape(t, ms.URL()), metrics.NameAnomalies, "kind", "gaps"); got != 18 || o.res.Consistency.Gaps != 18 {
		t.Errorf("%v gaps in the metrics, %d in the result, want 18", got, o.res.Consistency.Gaps)
	}
}
