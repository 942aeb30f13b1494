package demo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for TTL tests: no sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 28, 1, 2, 3, 456_000_000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryTTLSlides(t *testing.T) {
	ctx := t.Context()
	clk := newFakeClock()
	s := NewMemoryStoreWith(MemoryStoreOptions{TTL: time.Hour, Now: clk.Now})
	s.Create(ctx, "a", Session{SID: 1, VisitCount: 1})
	s.Create(ctx, "b", Session{SID: 2, VisitCount: 1})

	clk.Advance(59 * time.Minute)
	if got, err := s.Visit(ctx, "a"); err != nil || got.VisitCount != 2 || got.SID != 1 {
		t.Fatalf("visit a at 59m: %+v %v", got, err)
	}
	clk.Advance(2 * time.Minute) // b unvisited for 61m, a visited 2m ago
	if _, err := s.Visit(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("visit b after its TTL: err %v, want ErrNotFound", err)
	}
	if got, err := s.Visit(ctx, "a"); err != nil || got.VisitCount != 3 {
		t.Fatalf("a's TTL slid: %+v %v", got, err)
	}
	if _, err := s.Load(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load b: %v", err)
	}
}

func TestMemorySweep(t *testing.T) {
	ctx := t.Context()
	clk := newFakeClock()
	s := NewMemoryStoreWith(MemoryStoreOptions{TTL: time.Minute, Now: clk.Now})
	for i := range 100 {
		s.Create(ctx, fmt.Sprint("old", i), Session{VisitCount: 1})
	}
	clk.Advance(30 * time.Second)
	for i := range 10 {
		s.Create(ctx, fmt.Sprint("new", i), Session{VisitCount: 1})
	}
	s.Visit(ctx, "old7") // slides
	clk.Advance(45 * time.Second)
	n, err := s.Sweep(ctx)
	if err != nil || n != 99 || s.Len() != 11 {
		t.Fatalf("sweep removed %d (%v), %d left; want 99 removed, 11 left", n, err, s.Len())
	}
	if _, err := s.Visit(ctx, "old7"); err != nil {
		t.Fatalf("old7 was visited and must survive: %v", err)
	}
}

func TestMemoryNoTTL(t *testing.T) {
	clk := newFakeClock()
	s := NewMemoryStoreWith(MemoryStoreOptions{Now: clk.Now})
	s.Create(t.Context(), "x", Session{VisitCount: 1})
	clk.Advance(1000 * time.Hour)
	if _, err := s.Visit(t.Context(), "x"); err != nil {
		t.Fatalf("TTL 0 means forever: %v", err)
	}
}

func TestMemoryLRUEviction(t *testing.T) {
	ctx := t.Context()
	s := NewMemoryStoreWith(MemoryStoreOptions{MaxSessions: 3})
	for _, id := range []string{"a", "b", "c"} {
		s.Create(ctx, id, Session{VisitCount: 1})
	}
	s.Visit(ctx, "a")                          // order now a, c, b (b least recent)
	s.Create(ctx, "d", Session{VisitCount: 1}) // evicts b
	if _, err := s.Visit(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("b should have been evicted: %v", err)
	}
	s.Create(ctx, "e", Session{VisitCount: 1}) // evicts c
	for id, want := range map[string]bool{"a": true, "c": false, "d": true, "e": true} {
		_, err := s.Load(ctx, id)
		if got := err == nil; got != want {
			t.Errorf("%s present = %v, want %v", id, got, want)
		}
	}
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.Len())
	}
}

// TestMemoryFloodBounded: a flood of fresh sessions never holds more than
// the cap, over every shard layout.
func TestMemoryFloodBounded(t *testing.T) {
	for _, max := range []int{1, 100, 5000, 70_000} {
		s := NewMemoryStoreWith(MemoryStoreOptions{MaxSessions: max, TTL: time.Hour})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 3*max/4 + 1 {
					s.Create(context.Background(), newSessionID(), Session{SID: int32(w), VisitCount: int64(i)})
				}
			})
		}
		wg.Wait()
		if n := s.Len(); n > max || n < max*9/10 {
			t.Errorf("max %d: %d sessions after a flood of %d", max, n, 3*max)
		}
	}
}

func TestMemoryRenameAndDestroy(t *testing.T) {
	ctx := t.Context()
	s := NewMemoryStoreWith(MemoryStoreOptions{MaxSessions: 10})
	s.Create(ctx, "old", Session{SID: 9, VisitCount: 4})
	got, err := s.Rename(ctx, "old", "new")
	if err != nil || got.SID != 9 || got.VisitCount != 4 {
		t.Fatalf("rename: %+v %v", got, err)
	}
	if _, err := s.Load(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old id still there: %v", err)
	}
	if _, err := s.Rename(ctx, "old", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename of a missing id: %v", err)
	}
	s.Destroy(ctx, "new")
	s.Destroy(ctx, "never")
	if s.Len() != 0 {
		t.Fatalf("Len = %d after destroy", s.Len())
	}
	// freed slots are reused
	for i := range 20 {
		s.Create(ctx, fmt.Sprint(i), Session{VisitCount: 1})
	}
	if s.Len() != 10 || len(s.shards[0].slab) != 10 {
		t.Fatalf("Len %d, slab %d; want 10 and 10", s.Len(), len(s.shards[0].slab))
	}
}

func TestMemoryConcurrentVisitsExact(t *testing.T) {
	s := NewMemoryStoreWith(MemoryStoreOptions{MaxSessions: 1000, TTL: time.Hour})
	ctx := t.Context()
	s.Create(ctx, "one", Session{VisitCount: 0})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				s.Visit(ctx, "one")
				s.Create(ctx, newSessionID(), Session{}) // churn the LRU
			}
		})
	}
	wg.Wait()
	if got, _ := s.Load(ctx, "one"); got.VisitCount != 4000 {
		t.Fatalf("visitCount %d, want 4000", got.VisitCount)
	}
}

// BenchmarkMemoryPerSession reports the heap bytes per idle session with a
// million sessions in the store (32-character ids, TTL and LRU bookkeeping
// included), after GC. Run: go test -run '^$' -bench MemoryPerSession
// -benchtime 1x ./demo
func BenchmarkMemoryPerSession(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = newSessionID()
	}
	ctx := context.Background()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := NewMemoryStoreWith(MemoryStoreOptions{TTL: DefaultTTL, MaxSessions: 2 * n})
		for i, id := range ids {
			s.Create(ctx, id, Session{SID: int32(i % 10000), VisitCount: 1})
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if s.Len() != n {
			b.Fatalf("Len %d", s.Len())
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/session")
		runtime.KeepAlive(s)
	}
}

// BenchmarkMemoryVisit is the store's hot path under parallel load.
func BenchmarkMemoryVisit(b *testing.B) {
	s := NewMemoryStore()
	ctx := context.Background()
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = newSessionID()
		s.Create(ctx, ids[i], Session{VisitCount: 1})
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Visit(ctx, ids[i&1023])
			i++
		}
	})
}

func TestKeyOf(t *testing.T) {
	for range 100 {
		id := newSessionID()
		var want memKey
		base64.RawURLEncoding.Decode(want[:], []byte(id))
		if keyOf(id) != want {
			t.Fatalf("keyOf(%q) is not its base64url decoding", id)
		}
	}
	// other ids hash, and never collide with a close canonical one
	a, b := keyOf("short"), keyOf(strings.Repeat("A", 31)+"=")
	if a == b || a == keyOf("shorT") || b == keyOf(strings.Repeat("A", 32)) {
		t.Fatal("keys collide")
	}
}
