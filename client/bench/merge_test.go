package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/sessctl/sessctl/demo"
)

// writeRead writes res's result file under dir and reads it back, as
// bench --result and bench merge do.
func writeRead(t *testing.T, dir, name string, res *Result) *ResultFile {
	t.Helper()
	f, err := res.File("test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := f.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResultFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func resultJSON(t *testing.T, res *Result) string {
	t.Helper()
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMergeThreeAgentsAddUp: three agents with segments 0/3, 1/3, 2/3 of
// one test, merged, add up to one run of the same size: requests,
// sessions, checks; and the merged histogram holds every latency.
func TestMergeThreeAgentsAddUp(t *testing.T) {
	srv := benchDemoServer(t)
	dir := t.TempDir()
	const n, c, sessions = 3000, 9, 30
	cfg := Config{URLs: []string{srv.URL + "/"}, Concurrency: c, Sessions: sessions, Requests: n,
		CounterPath: DefaultCounterPath, IDPath: DefaultIDPath, Engine: EngineGoroutine}
	var files []*ResultFile
	for i := range 3 {
		agent := cfg
		agent.Segment = Segment{From: int64(i), To: int64(i + 1), Den: 3}
		res, err := Run(context.Background(), agent)
		if err != nil {
			t.Fatal(err)
		}
		f := writeRead(t, dir, fmt.Sprintf("agent%d.json", i), res)
		var inSeconds int64
		for _, s := range f.Seconds {
			inSeconds += s.Requests
		}
		if inSeconds != res.Requests {
			t.Errorf("agent %d: its seconds count %d requests, its result %d", i, inSeconds, res.Requests)
		}
		files = append(files, f)
	}
	if files[0].TestID != files[2].TestID {
		t.Fatalf("agents of one test have test ids %s and %s", files[0].TestID, files[2].TestID)
	}
	one, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Out of order: the merge sorts them.
	m, err := Merge([]*ResultFile{files[2], files[0], files[1]})
	if err != nil {
		t.Fatal(err)
	}
	mc, oc := m.Consistency, one.Consistency
	if m.Requests != n || m.Requests != one.Requests || m.Successes != one.Successes || m.Answered != one.Answered ||
		m.Connections != one.Connections || m.Segment != "" || len(m.Errors) != 0 {
		t.Fatalf("merged %d requests, %d successes, %d answered, %d connections, segment %q, errors %v; one run %d, %d, %d, %d",
			m.Requests, m.Successes, m.Answered, m.Connections, m.Segment, m.Errors, one.Requests, one.Successes, one.Answered, one.Connections)
	}
	if mc.Verdict != VerdictConsistent || mc.Checked != oc.Checked || mc.Sessions != oc.Sessions ||
		mc.SessionsCreated != oc.SessionsCreated || mc.ExtraSessions != 0 || mc.Mode != ModePerSession {
		t.Fatalf("merged consistency %+v\none run's %+v", mc, oc)
	}
	if m.LatencySpectrum == nil || m.LatencySpectrum.TotalCount != n || m.Latency.Max < m.Latency.P50 || m.ThroughputRPS <= 0 {
		t.Fatalf("merged latencies %+v %+v, throughput %g", m.Latency, m.LatencySpectrum, m.ThroughputRPS)
	}
	// Every latency is in one second's histogram.
	var perSecond int64
	for _, p := range m.Series {
		h := p.Histogram()
		if h == nil {
			continue
		}
		perSecond += h.TotalCount()
		if p.Latency == nil || p.Latency.Max != float64(h.Max())/1000 {
			t.Errorf("second %g: latency %+v, histogram max %d µs", p.TS, p.Latency, h.Max())
		}
	}
	if perSecond != n {
		t.Errorf("the merged seconds' histograms hold %d latencies, want %d", perSecond, n)
	}
	// Bytes differ: a signed cookie's value is URL-encoded base64, of
	// varying length.
	if m.BytesWritten == 0 || m.BytesRead == 0 {
		t.Errorf("merged bytes %d read %d written", m.BytesRead, m.BytesWritten)
	}
	if len(m.Thresholds) != 1 || !m.Thresholds[0].OK {
		t.Errorf("thresholds %+v", m.Thresholds)
	}
}

// TestMergeOneFileIsTheRun: a whole test's file merged alone gives back
// that run's Result, to the byte, in both modes (shared on a racy server,
// so that lost updates and duplicates are not all 0).
func TestMergeOneFileIsTheRun(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprint("shared=", shared), func(t *testing.T) {
			srv := httptest.NewServer(demo.NewHandler(demo.Options{Racy: shared, Delay: time.Millisecond}))
			defer srv.Close()
			res, err := Run(context.Background(), Config{URLs: []string{srv.URL + "/"}, Concurrency: 8, Requests: 800, Shared: shared, Engine: EngineGoroutine,
				CounterPath: DefaultCounterPath, IDPath: DefaultIDPath, Thresholds: Thresholds{MaxP99: time.Hour}})
			if err != nil {
				t.Fatal(err)
			}
			want := resultJSON(t, res)
			m, err := Merge([]*ResultFile{writeRead(t, t.TempDir(), "whole.json", res)})
			if err != nil {
				t.Fatal(err)
			}
			if got := resultJSON(t, m); got != want {
				t.Fatalf("merged alone:\n%s\nthe run:\n%s", got, want)
			}
			if c := m.Consistency; shared && (c.LostUpdates == 0 || c.Verdict != VerdictInconsistent) {
				t.Fatalf("racy shared run: %+v", c)
			}
		})
	}
}

// TestMergeSharedAgents: three agents on one shared session (a jar made
// first, each agent continuing it) merged: no lost update on the demo
// server, lost updates and INCONSISTENT on its racy mode.
func TestMergeSharedAgents(t *testing.T) {
	for _, racy := range []bool{false, true} {
		t.Run(fmt.Sprint("racy=", racy), func(t *testing.T) {
			srv := httptest.NewServer(demo.NewHandler(demo.Options{Racy: racy, Delay: time.Millisecond}))
			defer srv.Close()
			dir := t.TempDir()
			u, _ := url.Parse(srv.URL + "/")
			jar := filepath.Join(dir, "cookies.txt")
			visitJar(t, u, jar, 1) // the counter reads 1
			const n = 1200
			start := time.Now().Add(300 * time.Millisecond)
			files := make([]*ResultFile, 3)
			var wg sync.WaitGroup
			for i := range 3 {
				wg.Go(func() {
					// The goroutine engine: event loops that hold their
					// threads would starve the server in this process.
					res, err := Run(context.Background(), Config{URLs: []string{u.String()}, Jar: jar, Concurrency: 6, Requests: n,
						Engine:      EngineGoroutine,
						CounterPath: DefaultCounterPath, IDPath: DefaultIDPath, StartAt: start,
						Segment: Segment{From: int64(i), To: int64(i + 1), Den: 3}})
					if err != nil {
						t.Error(err)
						return
					}
					f, err := res.File("test")
					if err == nil {
						err = f.Write(filepath.Join(dir, fmt.Sprintf("agent%d.json", i)))
					}
					if err == nil {
						files[i], err = ReadResultFile(filepath.Join(dir, fmt.Sprintf("agent%d.json", i)))
					}
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			if s := files[0].Shared.Session; len(s) != 32 || files[1].Shared.Session != s || files[2].Shared.Session != s {
				t.Fatalf("agents of one jar's session: sessions %q %q %q", s, files[1].Shared.Session, files[2].Shared.Session)
			}
			m, err := Merge(files)
			if err != nil {
				t.Fatal(err)
			}
			c := m.Consistency
			var successes int64
			for _, f := range files {
				successes += f.Result.Successes
			}
			t.Logf("racy=%v: %d successes, %d→%d expected %d, lost %d (%.1f%%), duplicates %d, regressions %d",
				racy, successes, c.InitialCounter, c.FinalCounter, c.ExpectedFinal, c.LostUpdates, c.LostUpdatesPct, c.Duplicates, c.Regressions)
			if c.Mode != ModeShared || c.Sessions != 1 || c.Checked != n || m.Requests != n {
				t.Fatalf("merged %d requests, consistency %+v", m.Requests, c)
			}
			if !racy {
				// 1 from the visit, the three first probes 2, 3, 4, the load,
				// the final probes: the last reads n+7, n+6 less its own.
				if c.Verdict != VerdictConsistent || c.LostUpdates != 0 || c.Duplicates != 0 || c.InitialCounter != 2 ||
					c.FinalCounter != n+6 || c.ExpectedFinal != n+6 || c.SessionsCreated != 1 {
					t.Fatalf("merged consistency %+v, want CONSISTENT from 2 to %d", c, n+6)
				}
				return
			}
			if c.Verdict != VerdictInconsistent || c.LostUpdates == 0 || c.ExpectedFinal != c.InitialCounter+n+4 {
				t.Fatalf("racy: merged consistency %+v, want lost updates", c)
			}
		})
	}
}

// fakeShared is a result file of a shared-mode agent with the given
// segment, checks and values, for the merge's arithmetic.
func fakeShared(t *testing.T, seg Segment, dups, initial, final int64, values ...uint64) *ResultFile {
	t.Helper()
	bm := roaring64.BitmapOf(values...)
	checked := dups + int64(len(values))
	f := &ResultFile{Format: ResultFormat, Version: ResultVersion, TestID: "t", seg: seg, hist: newHistogram(), values: bm,
		Thresholds: FileThresholds{MaxErrors: "0", MaxP99: "0s", MaxP50: "0s"},
		Result: &Result{Requests: checked, Successes: checked, Consistency: Consistency{Mode: ModeShared, Checked: checked,
			Sessions: 1, SessionsCreated: 1, Duplicates: dups, InitialCounter: initial, FinalCounter: final}},
		Shared: &FileSharedPart{InitialCounter: initial, FinalCounter: final, ValuesCount: bm.GetCardinality()},
		Agent:  Agent{Hostname: "h", PID: 1, Start: time.Date(2026, 12, 1, 13, 0, int(seg.From), 0, time.UTC)},
		path:   fmt.Sprintf("agent%d.json", seg.From)}
	return f
}

// TestMergeSharedFormula: duplicates across agents come from the union of
// their values; the expected final counts the other agents' probes.
func TestMergeSharedFormula(t *testing.T) {
	// The session at 1; the first probes read 2 (A) and 3 (B). The load
	// has 5 successes, A's reading 4 5 6 and B's 6 7: one update lost, its
	// value seen twice across agents. A's final probe reads 8 (7 less its
	// own), B's 9 (8). Expected: 2 + 5 + the other agent's 2 probes = 9.
	a := fakeShared(t, Segment{0, 1, 2}, 0, 2, 7, 4, 5, 6)
	b := fakeShared(t, Segment{1, 2, 2}, 0, 3, 8, 6, 7)
	m, err := Merge([]*ResultFile{a, b})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Consistency
	if c.Duplicates != 1 || c.InitialCounter != 2 || c.FinalCounter != 8 || c.ExpectedFinal != 9 || c.LostUpdates != 1 ||
		c.Checked != 5 || c.SessionsCreated != 1 || c.Sessions != 1 || c.Verdict != VerdictInconsistent {
		t.Fatalf("merged %+v", c)
	}
	// Duplicates within an agent stay counted.
	a = fakeShared(t, Segment{0, 1, 2}, 2, 2, 7, 4, 5, 6)
	b = fakeShared(t, Segment{1, 2, 2}, 0, 3, 9, 7, 8)
	if m, _ = Merge([]*ResultFile{a, b}); m.Consistency.Duplicates != 2 {
		t.Fatalf("merged %+v, want the 2 duplicates of one agent", m.Consistency)
	}
	// One file alone: its own figures.
	w := fakeShared(t, Segment{}, 1, 2, 4, 3, 4)
	if m, _ = Merge([]*ResultFile{w}); m.Consistency.Duplicates != 1 || m.Consistency.ExpectedFinal != 5 || m.Consistency.LostUpdates != 1 {
		t.Fatalf("one file: %+v", m.Consistency)
	}
}

// TestMergeRefuses: files that do not make one whole test.
func TestMergeRefuses(t *testing.T) {
	third := func(i int64) *ResultFile { return fakeShared(t, Segment{i, i + 1, 3}, 0, 1, 1) }
	other := third(2)
	other.TestID, other.path = "u", "other.json"
	strict := third(2)
	strict.Thresholds.MaxP99 = "50ms"
	// Another agent's run of the same segment: another process.
	otherAgent := func(f *ResultFile) *ResultFile { f.Agent.PID++; return f }
	half := fakeShared(t, Segment{0, 1, 2}, 0, 1, 1)
	half.path = "half.json"
	elsewhere := third(2)
	elsewhere.Shared.Session = "0123456789abcdef0123456789abcdef"
	for _, test := range []struct {
		files []*ResultFile
		want  string
	}{
		{nil, "no result file"},
		{[]*ResultFile{third(0), third(2)}, "segment 1/3:2/3 is missing"},
		{[]*ResultFile{third(0), third(1)}, "segment 2/3:1 is missing"},
		{[]*ResultFile{third(1), third(2)}, "segment 0:1/3 is missing"},
		{[]*ResultFile{third(0), third(1), third(1), third(2)}, "agent1.json and agent1.json are one agent's result (host h, pid 1, started 2026-12-01T13:00:01Z): give each agent's file once"},
		{[]*ResultFile{third(0), third(1), otherAgent(third(1)), third(2)}, "agent1.json (1/3:2/3) and agent1.json (1/3:2/3) overlap"},
		{[]*ResultFile{half, third(1), third(2)}, "half.json (0:1/2) and agent1.json (1/3:2/3) overlap"},
		{[]*ResultFile{third(0), third(1), other}, "agent0.json and other.json are results of different tests (test ids t and u)"},
		{[]*ResultFile{third(0), third(1), elsewhere}, "agent0.json and agent2.json loaded different sessions (their session cookies differ)"},
		{[]*ResultFile{third(0), third(1), strict}, "agent0.json and agent2.json set different thresholds (max_errors 0, max_p99 0s, max_p50 0s; max_errors 0, max_p99 50ms, max_p50 0s)"},
	} {
		_, err := Merge(test.files)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("Merge(%d files): %v, want %q", len(test.files), err, test.want)
		}
	}
}

// TestReadResultFileRefuses: what is not a result file, or a damaged one.
func TestReadResultFileRefuses(t *testing.T) {
	srv := benchDemoServer(t)
	res, err := Run(context.Background(), Config{URLs: []string{srv.URL + "/"}, Concurrency: 2, Requests: 20, Shared: true,
		CounterPath: DefaultCounterPath})
	if err != nil {
		t.Fatal(err)
	}
	f, err := res.File("test")
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(f)
	twoDigits, _ := hdrhistogram.New(1, histHighest, 2).Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	dir := t.TempDir()
	edit := func(from, to string) []byte {
		if !bytes.Contains(good, []byte(from)) {
			t.Fatalf("no %q in the file", from)
		}
		return bytes.Replace(good, []byte(from), []byte(to), 1)
	}
	for i, test := range []struct {
		data []byte
		want string
	}{
		{[]byte("not json"), "not a sessctl bench result file"},
		{[]byte(`{"format": "k6"}`), "not a sessctl bench result file"},
		{edit(`"version":1`, `"version":2`), "result file version 2: this sessctl reads version 1"},
		{edit(f.Histogram, "AAAA"), "damaged histogram: too short"},
		{edit(f.Histogram, "not base64!"), "damaged histogram: not base64"},
		{edit(f.Histogram, string(twoDigits)), "damaged histogram: layout 1..3600000000, 2 digits"},
		{edit(f.Histogram, f.Histogram[:len(f.Histogram)/2]), "damaged histogram"},
		{edit(f.Shared.Values, "AAAA"+f.Shared.Values), "damaged counter bitmap"},
		{edit(f.Shared.Values, base64.StdEncoding.EncodeToString([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})), "damaged counter bitmap: not a roaring64 bitmap"},
		{edit(fmt.Sprintf(`"values_count":%d`, f.Shared.ValuesCount), `"values_count":7`), "values_count says 7"},
		{edit(`"segment":{"from":0,"to":1,"den":1}`, `"segment":{"from":2,"to":1,"den":3}`), "segment 2:1/3"},
		{edit(`"test_id":"`+f.TestID+`"`, `"test_id":""`), `no "test_id"`},
	} {
		path := filepath.Join(dir, fmt.Sprintf("bad%d.json", i))
		os.WriteFile(path, test.data, 0o600)
		_, err := ReadResultFile(path)
		if err == nil || !strings.Contains(err.Error(), test.want) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("case %d: %v, want %q after the path", i, err, test.want)
		}
	}
	path := filepath.Join(dir, "good.json")
	os.WriteFile(path, good, 0o600)
	if _, err := ReadResultFile(path); err != nil {
		t.Fatalf("the good file: %v", err)
	}
}

// TestHistogramMergeProperty: latencies split at random among k
// histograms, each encoded, decoded and merged, give the histogram of all
// of them: every bucket's count, the percentiles, min, max and total.
func TestHistogramMergeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		k := 1 + rng.IntN(6)
		all := newHistogram()
		parts := make([]*hdrhistogram.Histogram, k)
		for i := range parts {
			parts[i] = newHistogram()
		}
		n := rng.IntN(3000)
		for range n {
			// Log-uniform from 1 µs to past an hour (dropped by both).
			v := int64(1 + rng.ExpFloat64()*float64([]int64{50, 2000, 1e6, 3e9}[rng.IntN(4)]))
			all.RecordValue(v)
			parts[rng.IntN(k)].RecordValue(v)
		}
		merged := newHistogram()
		for _, p := range parts {
			enc, err := p.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				t.Fatal(err)
			}
			back, err := decodeHistogram(string(enc))
			if err != nil {
				t.Fatal(err)
			}
			if dropped := merged.Merge(back); dropped != 0 {
				t.Fatalf("trial %d: %d dropped", trial, dropped)
			}
		}
		if !merged.Equals(all) || merged.TotalCount() != all.TotalCount() || merged.Min() != all.Min() || merged.Max() != all.Max() {
			t.Fatalf("trial %d (%d values, %d parts): merged %d values min %d max %d, all %d min %d max %d", trial, n, k,
				merged.TotalCount(), merged.Min(), merged.Max(), all.TotalCount(), all.Min(), all.Max())
		}
		mc, ac := merged.Export().Counts, all.Export().Counts
		for i := range ac {
			if mc[i] != ac[i] {
				t.Fatalf("trial %d: bucket %d: %d, want %d", trial, i, mc[i], ac[i])
			}
		}
		for _, q := range []float64{0, 50, 90, 99, 99.9, 100} {
			if merged.ValueAtQuantile(q) != all.ValueAtQuantile(q) {
				t.Fatalf("trial %d: p%g %d, want %d", trial, q, merged.ValueAtQuantile(q), all.ValueAtQuantile(q))
			}
		}
		if latencyOf(merged) != latencyOf(all) {
			t.Fatalf("trial %d: latency %+v, want %+v", trial, latencyOf(merged), latencyOf(all))
		}
	}
}

// TestBitmapAbsoluteValues: the values seen, relative to the initial
// counter in the bitset, come out of the file absolute, past 32 bits too.
func TestBitmapAbsoluteValues(t *testing.T) {
	for _, initial := range []int64{0, 41, 1<<32 - 3, 1 << 50} {
		sc := &sharedCheck{initial: initial}
		rel := []int64{1, 2, 3, 63, 64, 65535, 65536, 1 << 20, 1<<31 - 1}
		for _, i := range rel {
			sc.seen.set(i)
		}
		bm := sc.absolute()
		b, err := bm.ToBytes()
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeBitmap(base64.StdEncoding.EncodeToString(b))
		if err != nil {
			t.Fatal(err)
		}
		if back.GetCardinality() != uint64(len(rel)) {
			t.Fatalf("initial %d: %d values, want %d", initial, back.GetCardinality(), len(rel))
		}
		for _, i := range rel {
			if !back.Contains(uint64(initial + i)) {
				t.Fatalf("initial %d: %d missing; has %v", initial, initial+i, back.ToArray())
			}
		}
	}
}

// TestRunSharedProbesBeforeStartAt: in shared mode the first probe comes
// before the wait for StartAt, and an interrupt during the wait still
// ends it.
func TestRunSharedProbesBeforeStartAt(t *testing.T) {
	h := demo.NewHandler(demo.Options{})
	var seen atomic.Int64
	probed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if seen.Add(1) == 1 {
			close(probed)
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		<-probed
		cancel()
	}()
	_, err := Run(ctx, Config{URLs: []string{srv.URL + "/"}, Concurrency: 1, Requests: 5, Shared: true,
		CounterPath: DefaultCounterPath, StartAt: time.Now().Add(time.Hour)})
	// The cancel may cut the probe's answer short; either way the probe
	// was sent before the wait, and nothing after it.
	if err == nil || seen.Load() != 1 || !strings.Contains(err.Error(), "interrupted while waiting") && !strings.Contains(err.Error(), "create the shared session") {
		t.Fatalf("Run: %v after %d requests, want an interrupt after the one probe", err, seen.Load())
	}
}

// TestSeriesMergeProperty: each second's latencies split at random among
// k agents that started within a few milliseconds of each other, each
// second's histogram encoded and decoded, merge into the histogram of all
// of that second's latencies, and the rates add up.
func TestSeriesMergeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	for trial := range 50 {
		k, seconds := 1+rng.IntN(4), 1+rng.IntN(5)
		files := make([]*ResultFile, k)
		for i := range files {
			start := t0.Add(time.Duration(rng.IntN(20)) * time.Millisecond)
			files[i] = &ResultFile{Agent: Agent{Start: start}}
		}
		want := make([]*hdrhistogram.Histogram, seconds)
		wantRate := make([]float64, seconds)
		for sec := range seconds {
			want[sec] = newHistogram()
			parts := make([]*hdrhistogram.Histogram, k)
			for i := range parts {
				parts[i] = newHistogram()
			}
			counts := make([]int64, k)
			for range rng.IntN(500) {
				v := int64(1 + rng.ExpFloat64()*3000)
				i := rng.IntN(k)
				want[sec].RecordValue(v)
				parts[i].RecordValue(v)
				counts[i]++
			}
			for i, f := range files {
				d := 1 + float64(rng.IntN(100))/1000 // a tick a little late
				s := FileSecond{TS: float64(sec) + d, IntervalS: d, Requests: counts[i], Successes: counts[i]}
				if parts[i].TotalCount() > 0 {
					enc, _ := parts[i].Encode(hdrhistogram.V2CompressedEncodingCookieBase)
					h, err := decodeHistogram(string(enc))
					if err != nil {
						t.Fatal(err)
					}
					s.Histogram, s.hist = string(enc), h
				}
				wantRate[sec] += float64(counts[i]) / d
				f.Seconds = append(f.Seconds, s)
			}
		}
		got := mergeSeries(files, t0)
		if len(got) != seconds {
			t.Fatalf("trial %d: %d points, want %d", trial, len(got), seconds)
		}
		for sec, p := range got {
			if math.Abs(p.RequestsPerS-wantRate[sec]) > 1e-9*max(1, wantRate[sec]) {
				t.Fatalf("trial %d second %d: %g requests/s, want %g", trial, sec, p.RequestsPerS, wantRate[sec])
			}
			if want[sec].TotalCount() == 0 {
				if p.Histogram() != nil || p.Latency != nil {
					t.Fatalf("trial %d second %d: latencies of nothing", trial, sec)
				}
				continue
			}
			h := p.Histogram()
			if h == nil || !h.Equals(want[sec]) || p.Latency.P99 != float64(want[sec].ValueAtQuantile(99))/1000 ||
				p.Latency.Max != float64(want[sec].Max())/1000 {
				t.Fatalf("trial %d second %d: merged %d values p99 %g, want %d p99 %d", trial, sec,
					h.TotalCount(), p.Latency.P99, want[sec].TotalCount(), want[sec].ValueAtQuantile(99))
			}
		}
	}
}

// FuzzParseResultFile: whatever the bytes, a result file is read or
// refused, never a panic.
func FuzzParseResultFile(f *testing.F) {
	h := newHistogram()
	for v := range int64(2000) {
		h.RecordValue(v * v)
	}
	enc, _ := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	bm, _ := roaring64.BitmapOf(2, 3, 1<<40).ToBytes()
	good := fmt.Sprintf(`{"format":"sessctl-bench-result","version":1,"test_id":"t","segment":{"from":0,"to":1,"den":3},
"thresholds":{"max_errors":"0","max_p99":"0s","max_p50":"0s"},"histogram":%q,
"seconds":[{"t_s":1,"interval_s":1,"requests":2000,"histogram":%q}],
"result":{"answered":2000,"consistency":{"mode":"shared"}},
"shared":{"values":%q,"values_count":3}}`, enc, enc, base64.StdEncoding.EncodeToString(bm))
	if _, err := parseResultFile([]byte(good)); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(good))
	f.Add([]byte(`{"format":"sessctl-bench-result","version":1}`))
	f.Add([]byte(`{"format":"sessctl-bench-result","version":1,"test_id":"t","result":{},"histogram":"HISTFAAAACl4nJNpmSzMwMDAwQABzFCaEUzOmPbB3gEiwA4ANxUDOw=="}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseResultFile(data)
	})
}

// TestMergeThresholdsOnMergedHistogram: a merge checks --max-p99 on the
// merged histogram, not on any agent's: one agent's p99 over the limit
// (2 slow answers in its 100) is the whole test's p99 under it (2 in 300),
// and the slow answers of two agents (4 in 300) put it over again.
func TestMergeThresholdsOnMergedHistogram(t *testing.T) {
	agent := func(i, slow int64) *ResultFile {
		f := fakeShared(t, Segment{i, i + 1, 3}, 0, 1, 1)
		f.Thresholds.MaxP99 = "50ms"
		f.Result.Answered = 100
		for n := range int64(100) {
			us := int64(1000) // 1 ms
			if n < slow {
				us = 200_000 // 200 ms
			}
			if err := f.hist.RecordValue(us); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	p99 := func(m *Result) Threshold {
		for _, th := range m.Thresholds {
			if th.Name == "max_p99" {
				return th
			}
		}
		t.Fatalf("no max_p99 in %+v", m.Thresholds)
		return Threshold{}
	}
	m, err := Merge([]*ResultFile{agent(0, 2), agent(1, 0), agent(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if th := p99(m); !th.OK || m.Latency.P99 > 2 || m.LatencySpectrum.TotalCount != 300 {
		t.Fatalf("one slow agent: merged p99 %g ms, %+v: want the whole test's 1 ms, held", m.Latency.P99, th)
	}
	m, err = Merge([]*ResultFile{agent(0, 2), agent(1, 2), agent(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if th := p99(m); th.OK || m.Latency.P99 < 199 {
		t.Fatalf("two slow agents: merged p99 %g ms, %+v: want 200 ms, failed", m.Latency.P99, th)
	}
}

// TestMergeSharedUnknownResetsErrors: an agent whose final probe failed
// makes the merged final unknown (named, no lost updates made up); an
// agent's resets stay out of the on-session count and are extra sessions;
// errors by class, by URL and their samples are merged.
func TestMergeSharedUnknownResetsErrors(t *testing.T) {
	const u = "http://127.0.0.1:3000/"
	a := fakeShared(t, Segment{0, 1, 2}, 0, 2, 7, 4, 5, 6)
	a.Result.Consistency.Resets, a.Result.Consistency.Checked, a.Result.Consistency.SessionsCreated = 2, 5, 3
	a.Result.Errors = map[string]int64{"status_500": 2}
	a.Result.ErrorsByURL = map[string]map[string]int64{u: {"status_500": 2}}
	a.Result.ErrorSamples = map[string]string{"status_500": "GET " + u + ": status 500"}
	b := fakeShared(t, Segment{1, 2, 2}, 0, 3, 9, 7, 8)
	b.Result.Errors = map[string]int64{"status_500": 1, "timeout": 1}
	b.Result.ErrorsByURL = map[string]map[string]int64{u: {"status_500": 1, "timeout": 1}}
	b.Result.ErrorSamples = map[string]string{"status_500": "other", "timeout": "GET " + u + ": timeout"}
	m, err := Merge([]*ResultFile{a, b})
	if err != nil {
		t.Fatal(err)
	}
	// 3 + 2 on the session, the other agent's 2 probes: 2 + 5 + 2 = 9,
	// what b's final probe read (the resets' requests counted on other
	// sessions).
	c := m.Consistency
	if c.Resets != 2 || c.Checked != 7 || c.SessionsCreated != 3 || c.ExtraSessions != 2 || c.ExpectedFinal != 9 ||
		c.FinalCounter != 9 || c.LostUpdates != 0 || c.Duplicates != 0 || c.Verdict != VerdictInconsistent {
		t.Fatalf("resets: merged %+v", c)
	}
	if m.Errors["status_500"] != 3 || m.Errors["timeout"] != 1 || m.ErrorsByURL[u]["status_500"] != 3 || m.ErrorsByURL[u]["timeout"] != 1 ||
		m.ErrorSamples["status_500"] != "GET "+u+": status 500" || m.ErrorSamples["timeout"] != "GET "+u+": timeout" {
		t.Fatalf("errors %v, by URL %v, samples %v", m.Errors, m.ErrorsByURL, m.ErrorSamples)
	}
	b.Shared.FinalUnknown = "final probe: connection refused"
	m, err = Merge([]*ResultFile{a, b})
	if err != nil {
		t.Fatal(err)
	}
	c = m.Consistency
	if c.FinalUnknown != "agent1.json (segment 1/2:1): final probe: connection refused" || c.LostUpdates != 0 || c.FinalCounter != 0 {
		t.Fatalf("final unknown: merged %+v", c)
	}
}
