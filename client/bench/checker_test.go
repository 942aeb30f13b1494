package bench

import (
	"fmt"
	"sync"
	"testing"
)

// seqObs is one synthetic response for the sequential checker: its counter,
// id, whether it starts a fresh session, and whether the request before it
// failed.
type seqObs struct {
	counter int64
	id      string
	fresh   bool
	failed  bool // a request sent and unanswered (timed out) precedes this response
}

func (o seqObs) observation() observation {
	var id []byte
	if o.id != "" {
		id = []byte(o.id)
	}
	return observation{counter: o.counter, id: id, fresh: o.fresh}
}

var seqTests = []struct {
	name string
	seq  []seqObs
	want anomalies
}{
	{"in order", []seqObs{{1, "7", true, false}, {2, "7", false, false}, {3, "7", false, false}},
		anomalies{checked: 3, created: 1}},
	{"existing session", []seqObs{{41, "7", false, false}, {42, "7", false, false}},
		anomalies{checked: 2, created: 1}},
	{"gap", []seqObs{{1, "", true, false}, {2, "", false, false}, {5, "", false, false}, {6, "", false, false}},
		anomalies{checked: 4, created: 1, gaps: 1}},
	{"repeat", []seqObs{{1, "", true, false}, {2, "", false, false}, {2, "", false, false}, {3, "", false, false}},
		anomalies{checked: 4, created: 1, repeats: 1}},
	{"regression", []seqObs{{1, "", true, false}, {2, "", false, false}, {3, "", false, false}, {1, "", false, false}},
		anomalies{checked: 4, created: 1, regressions: 1}},
	{"reset by 201", []seqObs{{1, "7", true, false}, {2, "7", false, false}, {1, "9", true, false}, {2, "9", false, false}},
		anomalies{checked: 4, created: 2, resets: 1}},
	{"id change", []seqObs{{1, "7", true, false}, {2, "8", false, false}, {3, "8", false, false}},
		anomalies{checked: 3, created: 1, ids: 1}},
	{"fresh cookie that continues is a rotation", []seqObs{{1, "7", true, false}, {2, "7", true, false}},
		anomalies{checked: 2, created: 1}},
	{"failed request resyncs", []seqObs{{1, "", true, false}, {3, "", false, true}, {4, "", false, false}},
		anomalies{checked: 3, created: 1}},
	{"timed-out request counted late", []seqObs{{1, "", true, false}, {2, "", false, true}, {4, "", false, false}, {5, "", false, false}},
		anomalies{checked: 4, created: 1}},
	{"timed-out request counted before the next", []seqObs{{1, "", true, false}, {3, "", false, true}, {5, "", false, false}},
		anomalies{checked: 3, created: 1, gaps: 1}},
	{"late requests explain no more than their number", []seqObs{{1, "", true, false}, {2, "", false, true}, {5, "", false, false}},
		anomalies{checked: 3, created: 1, gaps: 1}},
	{"a late request explains one jump", []seqObs{{1, "", true, false}, {2, "", false, true}, {4, "", false, false}, {6, "", false, false}},
		anomalies{checked: 4, created: 1, gaps: 1}},
	{"late requests of a replaced session", []seqObs{{1, "7", true, false}, {1, "9", true, true}, {3, "9", false, false}},
		anomalies{checked: 3, created: 2, gaps: 1}},
	{"no id in body", []seqObs{{1, "", true, false}, {2, "", false, false}},
		anomalies{checked: 2, created: 1}},
}

func TestObserveSequential(t *testing.T) {
	for _, tt := range seqTests {
		t.Run(tt.name, func(t *testing.T) {
			var a anomalies
			var s seqState
			for _, o := range tt.seq {
				if o.failed { // as requestFailed
					s.resync = true
					s.late++
				}
				a.observeSequential(&s, o.observation())
			}
			if a != tt.want {
				t.Errorf("got %+v, want %+v", a, tt.want)
			}
		})
	}
}

func TestObserveShared(t *testing.T) {
	tests := []struct {
		name     string
		seq      []seqObs
		final    int64
		want     anomalies
		lost     int64
		verdict  string
		expected int64
	}{
		{"serialised", []seqObs{{2, "7", false, false}, {4, "7", false, false}, {3, "7", false, false}},
			4, anomalies{checked: 3}, 0, VerdictConsistent, 4},
		{"lost updates", []seqObs{{2, "7", false, false}, {2, "7", false, false}, {3, "7", false, false}, {3, "7", false, false}},
			3, anomalies{checked: 4, duplicates: 2}, 2, VerdictInconsistent, 5},
		{"reset", []seqObs{{2, "7", false, false}, {1, "9", true, false}, {3, "7", false, false}},
			3, anomalies{checked: 3, created: 1, resets: 1}, 0, VerdictInconsistent, 3},
		{"id change", []seqObs{{2, "8", false, false}},
			2, anomalies{checked: 1, ids: 1}, 0, VerdictInconsistent, 2},
		{"below initial", []seqObs{{1, "7", false, false}},
			2, anomalies{checked: 1, regressions: 1}, 0, VerdictInconsistent, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &sharedCheck{initial: 1, id: []byte("7")}
			var a anomalies
			for _, o := range tt.seq {
				a.observeShared(sc, o.observation())
			}
			if a != tt.want {
				t.Errorf("anomalies %+v, want %+v", a, tt.want)
			}
			c := a.consistency(ModeShared, 1)
			c.InitialCounter = 1
			c.setLost(tt.final, 0)
			c.setVerdict()
			if c.LostUpdates != tt.lost || c.Verdict != tt.verdict || c.ExpectedFinal != tt.expected {
				t.Errorf("lost %d expected %d verdict %s, want %d %d %s", c.LostUpdates, c.ExpectedFinal, c.Verdict, tt.lost, tt.expected, tt.verdict)
			}
		})
	}
}

func TestLostUpdatesPct(t *testing.T) {
	c := Consistency{Mode: ModeShared, Checked: 2000, InitialCounter: 1}
	c.setLost(91, 0) // the express example: 2000 requests left 90 increments
	c.setVerdict()
	if c.LostUpdates != 1910 || c.LostUpdatesPct != 95.5 || c.Verdict != VerdictInconsistent {
		t.Errorf("got %+v", c)
	}
}

func TestVerdictUnchecked(t *testing.T) {
	for _, c := range []Consistency{{Mode: ModeNone, Checked: 10}, {Mode: ModePerSession}} {
		c.setVerdict()
		if c.Verdict != VerdictUnchecked {
			t.Errorf("%+v: verdict %s, want UNCHECKED", c, c.Verdict)
		}
	}
}

func TestExtraSessions(t *testing.T) {
	a := anomalies{checked: 10, created: 5}
	if c := a.consistency(ModePerSession, 3); c.ExtraSessions != 2 || c.SessionsCreated != 5 {
		t.Errorf("got %+v", c)
	}
}

func TestBitsetConcurrent(t *testing.T) {
	var b bitset
	var wg sync.WaitGroup
	// 4 goroutines set the same 200 000 values: each value is new exactly once.
	news := make([]int, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); i < 200000; i++ {
				if !b.set(i * 3) {
					news[g]++
				}
			}
		}()
	}
	wg.Wait()
	if total := news[0] + news[1] + news[2] + news[3]; total != 200000 {
		t.Errorf("%d values new, want 200000", total)
	}
	if b.set(-1) || b.set(bitsetMax) {
		t.Error("values out of range reported as seen")
	}
}

func BenchmarkCheckerSequential(b *testing.B) {
	var a anomalies
	var s seqState
	o := observation{id: []byte("1234")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.counter = int64(i + 1)
		a.observeSequential(&s, o)
	}
	if a.gaps+a.repeats+a.regressions != 0 {
		b.Fatal(fmt.Sprintf("%+v", a))
	}
}

func BenchmarkCheckerShared(b *testing.B) {
	sc := &sharedCheck{initial: 1, id: []byte("1234")}
	var a anomalies
	o := observation{id: []byte("1234")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.counter = int64(i + 2)
		a.observeShared(sc, o)
	}
}
