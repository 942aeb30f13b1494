package bench

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSeriesSample: rates over each interval, tiny intervals skipped, the
// cap kept and said.
func TestSeriesSample(t *testing.T) {
	s := series{sec: newHistogram()}
	s.sample(time.Second, liveCounts{done: 100, failed: 10})
	s.sample(time.Second+time.Microsecond, liveCounts{done: 101, failed: 10})
	s.sample(3*time.Second, liveCounts{done: 300, failed: 10})
	if len(s.points) != 2 {
		t.Fatalf("%d points: %+v", len(s.points), s.points)
	}
	if p := s.points[1]; p.TS != 3 || p.IntervalS != 2 || p.RequestsPerS != 100 || p.ErrorsPerS != 0 {
		t.Fatalf("second point %+v", p)
	}
	if p := s.points[0]; p.RequestsPerS != 100 || p.ErrorsPerS != 10 {
		t.Fatalf("first point %+v", p)
	}
	// Past the cap (an hour and more of seconds, each with latencies) the
	// points and their histograms stay as they were: fixed memory.
	var capAt int
	kept := 0
	for i := range MaxSeriesPoints + 100 {
		s.sec.RecordValue(int64(1000 + i))
		s.sec.RecordValue(int64(2000 + i))
		s.sample(time.Duration(4+i)*time.Second, liveCounts{done: 300 + 2*int64(i+1), failed: 10})
		if s.sec.TotalCount() != 0 {
			t.Fatalf("sample %d left %d latencies in the second's histogram", i, s.sec.TotalCount())
		}
		if len(s.points) == MaxSeriesPoints && capAt == 0 {
			capAt = cap(s.points)
			for _, p := range s.points {
				kept += cap(p.hist)
			}
		}
	}
	if len(s.points) != MaxSeriesPoints || !s.truncated || cap(s.points) != capAt {
		t.Fatalf("%d points (cap %d, %d at the limit), truncated %v", len(s.points), cap(s.points), capAt, s.truncated)
	}
	// A second of two latencies keeps a few bytes, not a histogram.
	if kept > 16*MaxSeriesPoints {
		t.Errorf("the series' histograms keep %d bytes", kept)
	}
	p := s.points[MaxSeriesPoints-1]
	h := p.Histogram()
	if i := MaxSeriesPoints - 3; p.RequestsPerS != 2 || h == nil || h.TotalCount() != 2 ||
		!h.ValuesAreEquivalent(h.Min(), int64(1000+i)) || !h.ValuesAreEquivalent(h.Max(), int64(2000+i)) {
		t.Fatalf("last point %+v: histogram %v", p, h)
	}
}

// TestCompactHist: a histogram kept compact is the same histogram, from
// one value to values across the whole layout.
func TestCompactHist(t *testing.T) {
	for _, values := range [][]int64{
		{1},
		{histHighest},
		{1, 1, 1, 2, 3, 1000, 1001, 1001, 123456, histHighest, histHighest},
	} {
		h := newHistogram()
		for _, v := range values {
			h.RecordValue(v)
		}
		// Many of one value: a count past one uvarint byte.
		h.RecordValues(5000, 1<<40)
		got := compact(h).histogram()
		if !got.Equals(h) || got.TotalCount() != h.TotalCount() || got.Max() != h.Max() || got.Min() != h.Min() {
			t.Errorf("%v: got back %d values, max %d, min %d; want %d, %d, %d",
				values, got.TotalCount(), got.Max(), got.Min(), h.TotalCount(), h.Max(), h.Min())
		}
		if c := compact(h); len(c) != cap(c) {
			t.Errorf("%v: compact form of %d bytes in %d", values, len(c), cap(c))
		}
	}
}

// TestRunSeries: on either engine the series accounts for every request.
func TestRunSeries(t *testing.T) {
	url := constServer(t)
	forEachEngine(t, func(t *testing.T, engine string) {
		res, err := Run(context.Background(), Config{Engine: engine, URLs: []string{url}, Concurrency: 4, Requests: 3000, CounterPath: "-"})
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, p := range res.Series {
			sum += p.RequestsPerS * p.IntervalS
		}
		if len(res.Series) == 0 || math.Round(sum) != float64(res.Requests) {
			t.Fatalf("series %+v sums to %v requests, the run %d", res.Series, sum, res.Requests)
		}
	})
}

// phasedServer answers slowly (sleeping slow) with a 500 while the run
// live watches is in its first second, as its watchdog tells the time,
// and at once with a 200 later: the first second of the series holds
// every request the server was slow with, whenever the watchdog's tick
// that ends it comes.
func phasedServer(t *testing.T, live *Live, slow time.Duration) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if live.Snapshot().Elapsed < time.Second {
			time.Sleep(slow)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{"n":1}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRunSeriesLatencyAndErrorsBySecond: on either engine the seconds of
// a slow, failing start show its latency and its 500s, the later seconds
// neither; each second's histogram holds that second's responses, even
// at a low rate, and the seconds' histograms add up to the run's.
func TestRunSeriesLatencyAndErrorsBySecond(t *testing.T) {
	// Slow enough that a loaded machine's delays (tens of ms under -race
	// beside other work) do not make the quick answers as slow.
	const slow = 200 * time.Millisecond
	forEachEngine(t, func(t *testing.T, engine string) {
		live := NewLive()
		url := phasedServer(t, live, slow)
		res, err := Run(context.Background(), Config{Engine: engine, URLs: []string{url}, Concurrency: 20, Rate: 50,
			Duration: 3 * time.Second, Live: live})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Series) < 3 {
			t.Fatalf("%d points: %+v", len(res.Series), res.Series)
		}
		var answered, status5xx float64
		for i, p := range res.Series {
			h := p.Histogram()
			if (h == nil) != (p.Latency == nil) {
				t.Fatalf("point %d: %+v: histogram %v", i, p, h)
			}
			if h == nil {
				h = newHistogram()
			}
			// A response counts in the second the watchdog read it: its
			// own but for the moment between the watchdog's reads of the
			// counts and of the latencies, which a loaded machine can
			// stretch (a few responses of 40 under -race beside other
			// work). A second without them (only drained when a ring is
			// full) would have none of its 50.
			if n := p.RequestsPerS * p.IntervalS; math.Abs(float64(h.TotalCount())-n) > max(2, n/4) {
				t.Errorf("point %d: %d latencies for %v responses: %+v", i, h.TotalCount(), n, p)
			}
			answered += float64(h.TotalCount())
			var byClass float64
			for _, v := range p.ErrorsByClassPerS {
				byClass += v
			}
			if math.Abs(byClass-p.ErrorsPerS) > 1e-6 || math.Abs(p.SuccessesPerS+p.ErrorsPerS-p.RequestsPerS) > 1e-6 {
				t.Errorf("point %d: classes add up to %v errors/s, successes %v: %+v", i, byClass, p.SuccessesPerS, p)
			}
			status5xx += p.ErrorsByClassPerS["status_5xx"] * p.IntervalS
		}
		if int64(answered) != res.Answered || res.Histogram.TotalCount() != res.Answered {
			t.Errorf("%v latencies in the seconds, %d in the run, %d answered", answered, res.Histogram.TotalCount(), res.Answered)
		}
		if math.Round(status5xx) != float64(res.Errors["status_500"]) || res.Errors["status_500"] == 0 {
			t.Errorf("%v 500s in the seconds, %d in the run", status5xx, res.Errors["status_500"])
		}
		// The first second is all slow 500s, the third (from 2 s: the
		// requests still slow at the end of the first are done) and any
		// later one all 200s, quicker than the first second's (whose
		// latencies hold the machine's delays too, beside the server's
		// sleep); the last interval, from the 3 s tick to the end of the
		// load, may hold no latency (see above).
		first := res.Series[0]
		if first.Latency == nil || first.Latency.P50 < float64(slow/time.Millisecond) || len(first.ErrorsByClassPerS) != 1 ||
			first.ErrorsByClassPerS["status_5xx"] != first.ErrorsPerS || first.SuccessesPerS != 0 {
			t.Fatalf("first second: %+v %+v", first, first.Latency)
		}
		fast := 0
		for i, p := range res.Series {
			if p.TS-p.IntervalS < 2 || i == len(res.Series)-1 && p.Latency == nil {
				continue
			}
			fast++
			if p.Latency == nil || p.Latency.P50 >= first.Latency.P50 || p.ErrorsByClassPerS != nil || p.SuccessesPerS == 0 {
				t.Errorf("second to %vs: %+v %+v", p.TS, p, p.Latency)
			}
		}
		if fast == 0 {
			t.Errorf("no second from 2s: %+v", res.Series)
		}
	})
}

// TestErrClassNames: each class a request fails with has its own live
// count.
func TestErrClassNames(t *testing.T) {
	for _, class := range []string{errConnect, errTimeout, errClosed, errProtocolC, errNoCounter, errUnfinished} {
		if got := errClassNames[classOf(class)]; got != class {
			t.Errorf("classOf(%q) names %q", class, got)
		}
	}
	for status, want := range map[int]string{404: "status_4xx", 503: "status_5xx", 302: "status_3xx", 999: "status_9xx"} {
		if got := errClassNames[statusClass(status)]; got != want {
			t.Errorf("statusClass(%d) names %q, want %q", status, got, want)
		}
	}
}
