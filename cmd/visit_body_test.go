package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

// startFlask runs interop/flask-app.py with Debian's python3-flask on a
// free loopback port and returns its URL.
func startFlask(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import flask").Run() != nil {
		testenv.Missing(t, "python3-flask for /usr/bin/python3")
	}
	addr := testenv.FreeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	c := exec.Command(py, filepath.Join(testenv.RepoRoot(), "interop", "flask-app.py"), port)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	testenv.WaitListening(t, addr, 10*time.Second)
	return "http://" + addr
}

type flaskForm struct {
	Method        string            `json:"method"`
	Form          map[string]string `json:"form"`
	JSON          map[string]any    `json:"json"`
	ContentType   *string           `json:"content_type"`
	ContentLength *string           `json:"content_length"`
	Accept        *string           `json:"accept"`
}

func str(p *string) string {
	if p == nil {
		return "(none)"
	}
	return *p
}

// A login form reaches a real framework's form parser (Flask's), as
// curl -d sends it; --json reaches its JSON parser; an empty body is a
// POST with Content-Length 0.
func TestVisitBodyFlask(t *testing.T) {
	base := startFlask(t)
	dir := t.TempDir()
	empty, newline := filepath.Join(dir, "empty"), filepath.Join(dir, "newline")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(newline, []byte("\n"), 0o600)
	form := "application/x-www-form-urlencoded"
	for _, test := range []struct {
		stdin string
		args  []string
		check func(f flaskForm) bool
	}{
		{"", []string{"-X", "POST", "-d", "user=bob&pw=a%20b"}, func(f flaskForm) bool {
			return f.Method == "POST" && f.Form["user"] == "bob" && f.Form["pw"] == "a b" && str(f.ContentType) == form
		}},
		{"", []string{"-d", "user=bob", "-X", "put"}, func(f flaskForm) bool { return f.Method == "PUT" && f.Form["user"] == "bob" }},
		{"", []string{"--data-binary", "user=bob"}, func(f flaskForm) bool { return f.Method == "POST" && f.Form["user"] == "bob" }},
		{"", []string{"-d", "user=bob", "-H", "Content-Type: text/plain"}, func(f flaskForm) bool {
			return len(f.Form) == 0 && str(f.ContentType) == "text/plain"
		}},
		{"", []string{"--json", `{"user":"bob"}`}, func(f flaskForm) bool {
			return f.Method == "POST" && f.JSON["user"] == "bob" && str(f.ContentType) == "application/json" && str(f.Accept) == "application/json"
		}},
		{"", []string{"-d", "@" + empty}, func(f flaskForm) bool { return f.Method == "POST" && str(f.ContentLength) == "0" }},
		{"", []string{"-d", "@" + newline}, func(f flaskForm) bool { return f.Method == "POST" && str(f.ContentLength) == "0" }},
		{"\n", []string{"-d", "@-"}, func(f flaskForm) bool { return f.Method == "POST" && str(f.ContentLength) == "0" }},
		{"user=bob\n", []string{"-d", "@-"}, func(f flaskForm) bool { return f.Form["user"] == "bob" }},
	} {
		args := append([]string{"visit", base + "/form", "--jar", filepath.Join(dir, "jar.txt"), "-o", "json"}, test.args...)
		code, out, errOut := runSessctlIn(t, test.stdin, args...)
		var doc struct {
			Visits []struct {
				Body flaskForm `json:"body"`
			} `json:"visits"`
		}
		if code != ExitOK || json.Unmarshal([]byte(out), &doc) != nil || len(doc.Visits) != 1 {
			t.Errorf("%v: exit %d %s\n%s", test.args, code, errOut, out)
			continue
		}
		if f := doc.Visits[0].Body; !test.check(f) {
			t.Errorf("%v (stdin %q): Flask saw %+v, content type %s, length %s, accept %s", test.args, test.stdin, f, str(f.ContentType), str(f.ContentLength), str(f.Accept))
		}
	}
}

// Flask re-issues its session cookie on every visit: that is a changed
// cookie, not a new session id.
func TestVisitFlaskCookieChanged(t *testing.T) {
	base := startFlask(t)
	doc := visitJSON(t, base+"/count", "-n", "3", "--jar", filepath.Join(t.TempDir(), "jar.txt"))
	for _, v := range doc.Visits[1:] {
		var kinds []string
		for _, c := range v.Changes {
			kinds = append(kinds, c.Kind+" "+c.Name)
		}
		if got := strings.Join(kinds, ", "); got != "field visitCount, cookie_changed session" {
			t.Errorf("visit %d changes: %s", v.N, got)
		}
	}
}

// flushWriter tells first when something holding want is written.
type flushWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	want  string
	first chan struct{}
	once  sync.Once
}

func (w *flushWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.first) })
	}
	return len(p), nil
}

// Each visit is printed when it is done: the server answers the second
// visit only once the first is on stdout.
func TestVisitStreams(t *testing.T) {
	for _, test := range []struct{ format, want string }{
		{"table", "Visit 1  GET"},
		{"jsonl", `"n":1,`},
	} {
		w := &flushWriter{want: test.want, first: make(chan struct{})}
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 2 {
				select {
				case <-w.first:
				case <-time.After(10 * time.Second):
					http.Error(rw, "visit 1 was not printed before visit 2", http.StatusTeapot)
					return
				}
			}
			fmt.Fprintf(rw, "visit %d", n.Load())
		}))
		streams := &report.Streams{In: strings.NewReader(""), Out: w, ErrOut: io.Discard}
		root := NewRootCmd(streams)
		root.SetArgs([]string{"visit", srv.URL, "-n", "2", "-o", test.format, "--jar", filepath.Join(t.TempDir(), "j.txt")})
		ctx := context.Background()
		if code := ExitCode(root.ExecuteContext(ctx), ctx, streams); code != ExitOK {
			t.Fatalf("%s: exit %d", test.format, code)
		}
		srv.Close()
		out := w.buf.String()
		if strings.Contains(out, "not printed") {
			t.Errorf("%s: visit 1 was not printed before visit 2 was answered:\n%s", test.format, out)
		}
		if test.format == "jsonl" {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for i, line := range lines {
				var step struct {
					N       int               `json:"n"`
					Changes []json.RawMessage `json:"changes"`
				}
				if err := json.Unmarshal([]byte(line), &step); err != nil || step.N != i+1 || step.Changes == nil {
					t.Errorf("jsonl line %d: %v %s", i+1, err, line)
				}
			}
			if len(lines) != 2 {
				t.Errorf("jsonl: %d lines, want 2:\n%s", len(lines), out)
			}
		}
	}
}

// A closed stdin is no body at all: an error, where an empty one is a POST.
func TestVisitClosedStdin(t *testing.T) {
	sh := testenv.Command(t, "sh")
	self, _ := os.Executable()
	c := exec.Command(sh, "-c", `exec "$0" visit http://127.0.0.1:1/ -d @- <&-`, self)
	c.Env = append(os.Environ(), "SESSCTL_TEST_AS_MAIN=1", "SESSCTL_JAR="+filepath.Join(t.TempDir(), "j.txt"))
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitTrouble || !strings.Contains(string(out), "--data @-: stdin is closed") {
		t.Errorf("closed stdin: %v\n%s", err, out)
	}
	c = exec.Command(sh, "-c", `exec "$0" visit http://127.0.0.1:1/ -d @- </dev/null`, self)
	c.Env = append(os.Environ(), "SESSCTL_TEST_AS_MAIN=1", "SESSCTL_JAR="+filepath.Join(t.TempDir(), "j.txt"))
	out, _ = c.CombinedOutput()
	if !strings.Contains(string(out), "connection refused") {
		t.Errorf("</dev/null is an empty body, not a closed stdin:\n%s", out)
	}
}

// A body cut short and an interrupted body exit 2 and 130, after the
// visits done so far; a password in the URL is never shown.
func TestVisitBodyErrorsExit(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			io.WriteString(w, "first")
			return
		}
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, "short")
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // close the connection mid-body
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://bob:hunter2@", 1) + "/"
	for _, format := range []string{"table", "json"} {
		n.Store(0)
		code, out, errOut := runSessctl(t, "visit", u, "-n", "3", "-o", format, "--jar", filepath.Join(t.TempDir(), "j.txt"))
		if code != ExitTrouble || !strings.Contains(errOut, "visit 2 of 3") || !strings.Contains(errOut, "body cut short") || !strings.Contains(out, "first") {
			t.Errorf("%s: exit %d\nstdout %s\nstderr %s", format, code, out, errOut)
		}
		if strings.Contains(out+errOut, "hunter2") || !strings.Contains(out, "bob:xxxxx@") {
			t.Errorf("%s: the password shows:\n%s%s", format, out, errOut)
		}
	}

	// Ctrl-C while the body comes in.
	started := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, "part")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer slow.Close()
	streams, _, out, errOut := report.Test()
	root := NewRootCmd(streams)
	root.SetArgs([]string{"visit", slow.URL, "--jar", filepath.Join(t.TempDir(), "j.txt")})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	if code := ExitCode(root.ExecuteContext(ctx), ctx, streams); code != ExitInterrupted {
		t.Errorf("interrupted: exit %d\n%s%s", code, out, errOut)
	}
}
