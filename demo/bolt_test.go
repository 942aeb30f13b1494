package demo

import (
	"encoding/binary"
	"errors"
	"net/http/httptest"
	"os"
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

// damagedFile writes a file store with sessions at path and overwrites the
// pages damage names (page numbers of 4096 bytes), closed.
func damagedFile(t *testing.T, path string, damage func(b []byte) []int) {
	t.Helper()
	s, err := OpenFileStore(path, FileStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 500 { // concurrent, so that bbolt batches the commits
		wg.Go(func() { s.Create(t.Context(), newSessionID(), Session{SID: int32(i), VisitCount: 1}) })
	}
	wg.Wait()
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range damage(b) {
		for i := p * 4096; i < (p+1)*4096 && i < len(b); i++ {
			b[i] = 0x5a
		}
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// freelistPages returns the freelist page each meta page names (a meta
// page: 16-byte page header, then magic, version, page size, flags, root
// bucket (16 bytes), freelist pgid).
func freelistPages(b []byte) []int {
	return []int{int(binary.LittleEndian.Uint64(b[48:])), int(binary.LittleEndian.Uint64(b[4096+48:]))}
}

// rootPages returns the page of the root bucket each meta page names (at
// offset 32, before the freelist's): the pages that hold the buckets are in
// use whatever layout the batched commits left, as fixed page numbers are
// not (pages 3-4 were free in some files).
func rootPages(b []byte) []int {
	return []int{int(binary.LittleEndian.Uint64(b[32:])), int(binary.LittleEndian.Uint64(b[4096+32:]))}
}

// TestFileStoreDamaged: a damaged file is an error that names the file and
// says what to do, never a panic (bbolt.Open panics with "invalid freelist
// page" on the first case).
func TestFileStoreDamaged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func([]byte) []int
	}{
		{"freelist pages", freelistPages},
		{"root pages", rootPages},
		{"both meta pages", func([]byte) []int { return []int{0, 1} }},
		{"every page after the metas", func(b []byte) []int {
			var p []int
			for i := 2; i*4096 < len(b); i++ {
				p = append(p, i)
			}
			return p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sessions.db")
			damagedFile(t, path, tc.damage)
			s, err := OpenFileStore(path, FileStoreOptions{})
			var de *DamagedFileError
			if !errors.As(err, &de) || de.Path != path || !strings.Contains(err.Error(), path) ||
				!strings.Contains(err.Error(), "move it away (mv "+path+" "+path+".damaged)") {
				if s != nil {
					s.Close()
				}
				t.Fatalf("open: %v, want a DamagedFileError naming %s and what to do", err, path)
			}
			t.Logf("%v", err)
		})
	}
	// not a bbolt file at all
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte(strings.Repeat("not a database\n", 1000)), 0o600)
	var de *DamagedFileError
	if _, err := OpenFileStore(path, FileStoreOptions{}); !errors.As(err, &de) {
		t.Fatalf("a text file: %v", err)
	}
}
