package demo

import (
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFileStoreRestartKeepsSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	open := func() (*FileStore, *httptest.Server) {
		s, err := OpenFileStore(path, FileStoreOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s, httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("k")}, Store: s}))
	}
	s, srv := open()
	resp, _ := request(t, srv.Client(), "GET", srv.URL+"/", "")
	ck := cookiePairs(resp)
	request(t, srv.Client(), "GET", srv.URL+"/", ck)
	srv.Close()
	s.Close()

	s, srv = open()
	defer s.Close()
	defer srv.Close()
	resp, body := request(t, srv.Client(), "GET", srv.URL+"/", ck)
	if resp.StatusCode != 200 || !strings.HasSuffix(body, `"visitCount":3}`) {
		t.Fatalf("after restart: %d %s", resp.StatusCode, body)
	}
}

func TestFileStoreLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := OpenFileStore(path, FileStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := OpenFileStore(path, FileStoreOptions{}); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second open: %v, want locked", err)
	}
	if _, err := OpenFileStore(filepath.Join(t.TempDir(), "no", "such", "dir.db"), FileStoreOptions{}); err == nil {
		t.Fatal("open in a missing directory succeeded")
	}
}

func TestFileStoreOps(t *testing.T) {
	ctx := t.Context()
	clk := newFakeClock()
	s, err := OpenFileStore(filepath.Join(t.TempDir(), "s.db"), FileStoreOptions{TTL: time.Hour, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Create(ctx, "a", Session{SID: 5, VisitCount: 1})
	s.Create(ctx, "b", Session{SID: 6, VisitCount: 1})
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { s.Visit(ctx, "a") })
	}
	wg.Wait()
	if got, err := s.Load(ctx, "a"); err != nil || got.VisitCount != 101 || got.SID != 5 {
		t.Fatalf("after 100 concurrent visits: %+v %v", got, err)
	}
	if got, err := s.Rename(ctx, "a", "c"); err != nil || got.VisitCount != 101 {
		t.Fatalf("rename: %+v %v", got, err)
	}
	if _, err := s.Visit(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old id: %v", err)
	}
	clk.Advance(59 * time.Minute)
	s.Visit(ctx, "c")
	clk.Advance(2 * time.Minute) // b expired, c visited 2 minutes ago
	if _, err := s.Visit(ctx, "b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expired b: %v", err)
	}
	if n, err := s.Sweep(ctx); n != 1 || err != nil || s.Len() != 1 {
		t.Fatalf("sweep: %d %v, %d left", n, err, s.Len())
	}
	s.Destroy(ctx, "c")
	if s.Len() != 0 {
		t.Fatalf("Len %d after destroy", s.Len())
	}
}
