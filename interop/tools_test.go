package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// binDir holds the binaries built once for the whole run (sessctl and the Go
// apps); TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sessctl-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildMu sync.Mutex
	built   = map[string]error{}
)

// goBuild builds pkg (in module dir moduleDir) into binDir/name once per run.
func goBuild(t *testing.T, name, moduleDir, pkg string) string {
	t.Helper()
	goBin := testenv.Command(t, "go")
	buildMu.Lock()
	defer buildMu.Unlock()
	out := filepath.Join(binDir, name)
	err, done := built[name]
	if !done {
		c := exec.Command(goBin, "build", "-o", out, pkg)
		c.Dir = moduleDir
		if b, e := c.CombinedOutput(); e != nil {
			err = fmt.Errorf("go build %s in %s: %v\n%s", pkg, moduleDir, e, b)
		}
		built[name] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sessctl returns the sessctl binary built from this checkout.
func sessctl(t *testing.T) string {
	return goBuild(t, "sessctl", testenv.RepoRoot(), ".")
}

// goApp returns one of the Go apps of the apps/go module, built.
func goApp(t *testing.T, name string) string {
	return goBuild(t, name, filepath.Join(appsDir(), "go"), "./"+name)
}

func appsDir() string { return filepath.Join(testenv.RepoRoot(), "interop", "apps") }

// python returns Debian's /usr/bin/python3 after checking that it imports
// module (the pyenv python3 on PATH does not have Debian's packages).
func python(t *testing.T, module, debPackage string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import "+module).Run(); err != nil {
		testenv.Missing(t, debPackage+" for "+py)
	}
	return py
}

// ruby returns ruby and rackup after checking that ActionDispatch loads.
func ruby(t *testing.T) (rubyBin, rackup string) {
	t.Helper()
	rubyBin = testenv.Command(t, "ruby")
	if err := exec.Command(rubyBin, "-e", `require "action_dispatch"; require "rack"`).Run(); err != nil {
		testenv.Missing(t, "ruby-actionpack and ruby-rack")
	}
	if err := exec.Command(rubyBin, "-e", `require "webrick"`).Run(); err != nil {
		testenv.Missing(t, "ruby-webrick")
	}
	return rubyBin, testenv.Command(t, "rackup")
}

// randHex returns n random bytes in hex: fresh secrets for every run.
func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// process is a server the test started; it is killed at cleanup.
type process struct {
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

// start runs argv in dir with env added, its output in a log file, and
// stops it when the test ends.
func start(t *testing.T, dir string, env []string, argv ...string) *process {
	t.Helper()
	logFile, err := os.CreateTemp(t.TempDir(), "server-*.log")
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(argv[0], argv[1:]...)
	c.Dir = dir
	c.Env = append(os.Environ(), env...)
	c.Stdout, c.Stderr = logFile, logFile
	if err := c.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	p := &process{cmd: c, log: logFile.Name(), exited: make(chan struct{})}
	go func() { c.Wait(); logFile.Close(); close(p.exited) }()
	t.Cleanup(func() {
		c.Process.Kill()
		<-p.exited
	})
	return p
}

// tail returns the end of the server's log, for failure messages.
func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// serve starts a server on a free port with start and returns its base URL
// once its /_truth answers with the pid of that very process, so that no
// other server on the port is ever mistaken for it.
func serve(t *testing.T, start func(addr string) *process) string {
	t.Helper()
	addr := testenv.FreeAddr(t)
	p := start(addr)
	url := "http://" + addr + "/"
	if !p.ready(t, url+"_truth") {
		t.Fatalf("%v exited before answering on %s:\n%s", p.cmd.Args, addr, p.tail())
	}
	return url
}

// ready polls url until it answers 200 with this process's pid (true), the
// process exits (false) or 60 s pass (the test fails).
func (p *process) ready(t *testing.T, url string) bool {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	for {
		resp, err := client.Get(url)
		if err == nil {
			var tr struct {
				PID int `json:"pid"`
			}
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && json.Unmarshal(b, &tr) == nil && tr.PID == p.cmd.Process.Pid {
				return true
			}
			last = fmt.Sprintf("%s: %.200s", resp.Status, b)
		} else {
			last = err.Error()
		}
		select {
		case <-p.exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no answer from %v after 60 s (last: %s):\n%s", url, p.cmd.Args, last, p.tail())
		}
	}
}

// result is one finished command: stdout, stderr and exit code.
type result struct {
	stdout, stderr []byte
	code           int
}

// runCmd runs argv with stdin, bounded by 2 minutes, and returns its
// result; a non-zero exit is a result, not an error.
func runCmd(dir string, stdin string, argv ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Dir = dir
	c.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return result{out.Bytes(), errOut.Bytes(), 0}, nil
	case errors.As(err, &ee) && ctx.Err() == nil:
		return result{out.Bytes(), errOut.Bytes(), ee.ExitCode()}, nil
	default:
		return result{}, fmt.Errorf("%v: %v\n%s", argv, err, errOut.Bytes())
	}
}

// run is runCmd for the test's own goroutine: trouble fails the test.
func run(t *testing.T, dir string, stdin string, argv ...string) result {
	t.Helper()
	r, err := runCmd(dir, stdin, argv...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// jsonLines runs a verify script over one input a line and returns its one
// JSON object a line.
func jsonLines(t *testing.T, dir string, inputs []string, argv ...string) []map[string]any {
	t.Helper()
	r := run(t, dir, strings.Join(inputs, "\n")+"\n", argv...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d\n%s", argv, r.code, r.stderr)
	}
	var outs []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(r.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%v: line %q: %v", argv, sc.Text(), err)
		}
		outs = append(outs, m)
	}
	if len(outs) != len(inputs) {
		t.Fatalf("%v: %d answers for %d inputs\n%s", argv, len(outs), len(inputs), r.stderr)
	}
	return outs
}

// oneJSON runs a command that prints one JSON object and returns it.
func oneJSON(t *testing.T, dir string, argv ...string) map[string]any {
	t.Helper()
	r := run(t, dir, "", argv...)
	var m map[string]any
	if r.code != 0 || json.Unmarshal(r.stdout, &m) != nil {
		t.Fatalf("%v: exit %d: %.300s\n%s", argv, r.code, r.stdout, r.stderr)
	}
	return m
}

// readJar returns the cookies of a cookies.txt jar as name to value.
func readJar(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cookies := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimPrefix(line, "#HttpOnly_")
		f := strings.Split(line, "\t")
		if strings.HasPrefix(line, "#") || len(f) != 7 {
			continue
		}
		cookies[f[5]] = f[6]
	}
	return cookies, nil
}

// getJSON GETs url and decodes its JSON body into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %.200s", url, err, b)
	}
}
