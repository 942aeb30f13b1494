package bench

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestSeriesSample: rates over each interval, tiny intervals skipped, the
// cap kept and said.
func TestSeriesSample(t *testing.T) {
	var s series
	s.sample(time.Second, 100, 10)
	s.sample(time.Second+time.Microsecond, 101, 10)
	s.sample(3*time.Second, 300, 10)
	if len(s.points) != 2 {
		t.Fatalf("%d points: %+v", len(s.points), s.points)
	}
	if p := s.points[1]; p.TS != 3 || p.IntervalS != 2 || p.RequestsPerS != 100 || p.ErrorsPerS != 0 {
		t.Fatalf("second point %+v", p)
	}
	if p := s.points[0]; p.RequestsPerS != 100 || p.ErrorsPerS != 10 {
		t.Fatalf("first point %+v", p)
	}
	for i := range MaxSeriesPoints + 5 {
		s.sample(time.Duration(4+i)*time.Second, 0, 0)
	}
	if len(s.points) != MaxSeriesPoints || !s.truncated {
		t.Fatalf("%d points, truncated %v", len(s.points), s.truncated)
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
