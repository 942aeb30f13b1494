package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseSegment(t *testing.T) {
	for _, test := range []struct {
		in   string
		want Segment
		str  string
	}{
		{"0/3", Segment{0, 1, 3}, "0:1/3"},
		{"2/3", Segment{2, 3, 3}, "2/3:1"},
		{"0:1/3", Segment{0, 1, 3}, "0:1/3"},
		{"1/3:2/3", Segment{1, 2, 3}, "1/3:2/3"},
		{"1/2:1", Segment{1, 2, 2}, "1/2:1"},
		{"0/1", Segment{0, 1, 1}, "0:1"},
	} {
		g, err := ParseSegment(test.in)
		if err != nil || g != test.want || g.String() != test.str {
			t.Errorf("ParseSegment(%q) = %+v %q, %v; want %+v %q", test.in, g, g.String(), err, test.want, test.str)
		}
	}
	for _, bad := range []string{"", "3/3", "-1/3", "1/0", "x/3", "2/3:1/3", "0:4/3", "1/3:1/3", "0:a"} {
		if g, err := ParseSegment(bad); err == nil || !strings.Contains(err.Error(), "segment") {
			t.Errorf("ParseSegment(%q) = %+v, %v; want an error", bad, g, err)
		}
	}
}

// TestSegmentSharesSum: the shares of segments that tile [0, 1) add up to
// the whole, for every count, in both forms.
func TestSegmentSharesSum(t *testing.T) {
	tilings := [][]string{
		{"0/3", "1/3", "2/3"},
		{"0:1/3", "1/3:2/3", "2/3:1"},
		{"0:1/2", "1/2:3/4", "3/4:1"},
		{"0/7", "1/7", "2/7", "3/7", "4/7", "5/7", "6/7"},
	}
	for _, tiling := range tilings {
		for total := int64(0); total < 200; total++ {
			var sum int64
			var frac float64
			for _, s := range tiling {
				g, err := ParseSegment(s)
				if err != nil {
					t.Fatal(err)
				}
				sum += g.Share(total)
				frac += g.Fraction()
			}
			if sum != total || frac < 0.999999 || frac > 1.000001 {
				t.Fatalf("%v of %d: shares sum to %d, fractions to %g", tiling, total, sum, frac)
			}
		}
	}
}

func TestSegmentValidate(t *testing.T) {
	g, _ := ParseSegment("0/3")
	for _, test := range []struct {
		cfg Config
		msg string
	}{
		{Config{Timeout: time.Second, Concurrency: 2, Segment: g}, "segment 0:1/3 of 2 connections is none"},
		{Config{Timeout: time.Second, Concurrency: 3, Requests: 2, Segment: g}, "segment 0:1/3 of 2 requests is none"},
		{Config{Timeout: time.Second, Concurrency: 3, Segment: Segment{From: 2, To: 1, Den: 3}}, "want 0 <= FROM < TO <= 1"},
	} {
		if err := test.cfg.Validate(); err == nil || !strings.Contains(err.Error(), test.msg) {
			t.Errorf("%+v: %v, want %q", test.cfg, err, test.msg)
		}
	}
	if err := (Config{Timeout: time.Second, Concurrency: 3, Requests: 3, Segment: g}).Validate(); err != nil {
		t.Error(err)
	}
}

// TestRunSegmentsAddUp: three agents' segments of one test, run against one
// server, add up to the whole: requests, sessions and checks.
func TestRunSegmentsAddUp(t *testing.T) {
	srv := benchDemoServer(t)
	const n, c, sessions = 3001, 10, 20
	var requests, checked, created int64
	var conns, sess int
	for i := range 3 {
		g := Segment{From: int64(i), To: int64(i + 1), Den: 3}
		res, err := Run(context.Background(), Config{
			URLs: []string{srv.URL + "/"}, Concurrency: c, Sessions: sessions, Requests: n,
			CounterPath: DefaultCounterPath, IDPath: DefaultIDPath, Segment: g,
			StartAt: time.Now().Add(-time.Second), // in the past: at once
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Segment != g.String() || res.Consistency.Verdict != VerdictConsistent || len(res.Errors) != 0 {
			t.Fatalf("segment %s: %+v", g, res)
		}
		requests += res.Requests
		checked += res.Consistency.Checked
		created += res.Consistency.SessionsCreated
		conns += res.Connections
		sess += res.Consistency.Sessions
	}
	if requests != n || checked != n || created != sessions || sess != sessions || conns != c {
		t.Fatalf("segments add up to %d requests, %d checked, %d sessions created (%d meant), %d connections; want %d, %d, %d, %d",
			requests, checked, created, sess, conns, n, n, sessions, c)
	}
}

func TestRunStartAtWaitsAndCancels(t *testing.T) {
	srv := benchDemoServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Config{URLs: []string{srv.URL + "/"}, Concurrency: 1, Requests: 1, StartAt: time.Now().Add(time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "waiting for the start") {
		t.Fatalf("Run with a start an hour away, cancelled: %v", err)
	}
}
