package cmd

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// roundBarrier holds each site's request of a round until the other
// site's has arrived too, so that the two runs save their jars at the same
// moment.
type roundBarrier struct {
	mu     sync.Mutex
	rounds map[string]chan struct{}
}

func (b *roundBarrier) meet(round string) {
	b.mu.Lock()
	ch, ok := b.rounds[round]
	if !ok {
		ch = make(chan struct{})
		b.rounds[round] = ch
		b.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(10 * time.Second): // the other run died: let this one go
		}
		return
	}
	delete(b.rounds, round)
	b.mu.Unlock()
	close(ch)
}

// TestJarConcurrentRuns: two sessctl processes visit two sites (127.0.0.1
// and localhost: two hosts, as cookies see them) on one jar at the same
// time, a hundred times; each visit stores a new cookie, and none is ever
// lost. Before Save locked and merged, the last writer's file won.
func TestJarConcurrentRuns(t *testing.T) {
	bin := sessctlBin(t)
	bar := &roundBarrier{rounds: map[string]chan struct{}{}}
	site := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			round := r.URL.Query().Get("round")
			bar.meet(round)
			w.Header().Add("Set-Cookie", fmt.Sprintf("%s%s=v; Path=/; Max-Age=3600", name, round))
		}))
	}
	a, b := site("a"), site("b")
	defer a.Close()
	defer b.Close()
	_, bPort, _ := net.SplitHostPort(b.Listener.Addr().String())
	urlA := a.URL + "/?round="
	urlB := "http://localhost:" + bPort + "/?round="
	jar := filepath.Join(t.TempDir(), "cookies.txt")

	const rounds = 100
	for i := range rounds {
		var runs [2]*exec.Cmd
		var outs [2]bytes.Buffer
		for k, u := range []string{urlA, urlB} {
			runs[k] = exec.Command(bin, "visit", fmt.Sprint(u, i), "--jar", jar)
			runs[k].Stdout, runs[k].Stderr = &outs[k], &outs[k]
			if err := runs[k].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for k, c := range runs {
			if err := c.Wait(); err != nil {
				t.Fatalf("round %d: %v: %v\n%s", i, c.Args, err, outs[k].String())
			}
		}
		data, err := os.ReadFile(jar)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for j := 0; j <= i; j++ {
			for _, want := range []string{fmt.Sprintf("127.0.0.1\tFALSE\t/\tFALSE\t"), fmt.Sprintf("\ta%d\tv\n", j), fmt.Sprintf("\tb%d\tv\n", j)} {
				if !strings.Contains(text, want) {
					t.Fatalf("after round %d the jar lacks %q:\n%s", i, want, text)
				}
			}
		}
	}
}

// TestJarThroughLinksAndDevices: --jar through a symlink writes the
// link's target and leaves the link; --jar to a FIFO and to a link to
// /proc/self/fd/1 (what /dev/stdout is: here the run's own stdout, a pipe
// of this test, never the machine's /dev/stdout) writes in place and leaves
// them; --jar - writes to stdout and makes no file named "-".
func TestJarThroughLinksAndDevices(t *testing.T) {
	bin := sessctlBin(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "sid=fresh; Path=/")
	}))
	defer srv.Close()
	dir := t.TempDir()
	run := func(jar string) (stdout string) {
		t.Helper()
		// A run that reads its FIFO or its own stdout would hang: bound it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := exec.CommandContext(ctx, bin, "visit", srv.URL, "--jar", jar)
		c.Dir = dir
		var out, errOut bytes.Buffer
		c.Stdout, c.Stderr = &out, &errOut
		if err := c.Run(); err != nil {
			t.Fatalf("--jar %s: %v\n%s", jar, err, errOut.String())
		}
		return out.String()
	}

	// A symlink to a jar file (the target has a cookie of another site).
	target := filepath.Join(dir, "real.txt")
	os.WriteFile(target, []byte("# Netscape HTTP Cookie File\nother.test\tFALSE\t/\tFALSE\t0\tkeep\t1\n"), 0o600)
	link := filepath.Join(dir, "link.txt")
	os.Symlink("real.txt", link)
	run(link)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	if got, _ := os.ReadFile(target); !bytes.Contains(got, []byte("\tsid\tfresh\n")) || !bytes.Contains(got, []byte("\tkeep\t1\n")) {
		t.Errorf("the link's target holds:\n%s", got)
	}

	// A link standing for /dev/stdout.
	stdoutLink := filepath.Join(dir, "stdout")
	os.Symlink("/proc/self/fd/1", stdoutLink)
	if _, err := os.Stat("/proc/self/fd/1"); err != nil {
		t.Skip("no /proc/self/fd here")
	}
	if out := run(stdoutLink); !strings.Contains(out, "# Netscape HTTP Cookie File\n") || !strings.Contains(out, "\tsid\tfresh\n") {
		t.Errorf("--jar to a link to /proc/self/fd/1: stdout holds no jar:\n%s", out)
	}
	if fi, err := os.Lstat(stdoutLink); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link to /proc/self/fd/1 was replaced")
	}

	// "-" is stdout.
	if out := run("-"); !strings.Contains(out, "\tsid\tfresh\n") {
		t.Errorf("--jar -: stdout holds no jar:\n%s", out)
	} else if strings.Index(out, "# Netscape HTTP Cookie File") < strings.Index(out, "1 visit: 200") {
		t.Errorf("--jar -: the jar comes before the report (curl -c - writes it after the body):\n%s", out)
	}
	if _, err := os.Lstat(filepath.Join(dir, "-")); err == nil {
		t.Error("--jar - made a file named -")
	}

	// A FIFO, read by another process.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	run(fifo)
	if b := <-got; !bytes.Contains(b, []byte("\tsid\tfresh\n")) {
		t.Errorf("the FIFO's reader got:\n%s", b)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced")
	}
}

// TestJarRefusedBeforeVisiting: a jar that cannot be saved stops the run
// before the server sees a request.
func TestJarRefusedBeforeVisiting(t *testing.T) {
	var hits int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	for _, jar := range []string{dir, filepath.Join(file, "cookies.txt")} {
		code, _, errOut := runSessctl(t, "visit", srv.URL, "--jar", jar)
		if code != ExitTrouble || !strings.Contains(errOut, "jar "+jar) {
			t.Errorf("--jar %s: exit %d, stderr %q", jar, code, errOut)
		}
	}
	if hits != 0 {
		t.Errorf("the server saw %d requests", hits)
	}
}

// TestJarFailedSaveNotClaimed: when the save fails, visit exits 2 and
// prints no "jar: FILE (1 cookie)" line claiming it was saved.
func TestJarFailedSaveNotClaimed(t *testing.T) {
	for _, output := range []string{"table", "json"} {
		dir := t.TempDir()
		jar := filepath.Join(dir, "sub", "cookies.txt")
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The folder the jar goes in becomes a file while the visit runs.
			os.WriteFile(filepath.Join(dir, "sub"), nil, 0o600)
			w.Header().Add("Set-Cookie", "sid=1; Path=/")
		}))
		code, out, errOut := runSessctl(t, "visit", srv.URL, "--jar", jar, "-o", output)
		srv.Close()
		if code != ExitTrouble || !strings.Contains(errOut, "save jar") {
			t.Errorf("-o %s: exit %d, stderr %q", output, code, errOut)
		}
		switch output {
		case "table":
			if strings.Contains(out, "(1 cookie)") || !strings.Contains(out, "not saved") {
				t.Errorf("the output claims a saved jar:\n%s", out)
			}
		case "json":
			if !strings.Contains(out, `"jar_state": "not_saved"`) {
				t.Errorf("JSON:\n%s", out)
			}
		}
	}
}
