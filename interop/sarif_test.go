package interop

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// TestAuditSARIFSchema validates sessctl audit -o sarif against the official
// SARIF 2.1.0 JSON schema (validate-sarif.js, ajv): on the default embedded
// demo, and on a demo weak on purpose so that the log has results.
func TestAuditSARIFSchema(t *testing.T) {
	dir := testenv.Interop(t)
	bin := sessctl(t)
	flows := []string{"--samples", "0", "--no-load"}
	weak := func(t *testing.T) []string {
		url := serveDemo(t, bin, "--secret", randHex(16),
			"--no-regenerate", "--ids", "sequential", "--no-httponly", "--logout-keeps-session")
		return []string{url, "--samples", "200", "--no-load",
			"--login", "POST /login", "--login-data", "user=alice", "--logout", "POST /logout", "--authed", "GET /me"}
	}
	for _, tc := range []struct {
		name    string
		args    func(t *testing.T) []string
		results bool
	}{
		{"default demo", func(*testing.T) []string { return flows }, false},
		{"weak demo", weak, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"audit", "-o", "sarif"}, tc.args(t)...)
			out, err := exec.Command(bin, args...).Output()
			if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
				t.Fatalf("%v: %v\n%s", args, err, stderrOf(err))
			}
			if tc.results && err == nil {
				t.Fatalf("%v: exit 0, want findings (exit 1)\n%s", args, out)
			}
			file := filepath.Join(t.TempDir(), "audit.sarif")
			if err := os.WriteFile(file, out, 0o600); err != nil {
				t.Fatal(err)
			}
			c := exec.Command("node", "validate-sarif.js", file)
			c.Dir = dir
			if msg, err := c.CombinedOutput(); err != nil {
				t.Fatalf("the SARIF of %v does not validate against the 2.1.0 schema: %v\n%s", args, err, msg)
			}
		})
	}
}

// serveDemo starts sessctl serve-demo args... on a port the kernel picks
// (--addr 127.0.0.1:0) and returns the URL it prints once it listens: no
// other process can take the port between choosing and binding it.
func serveDemo(t *testing.T, bin string, args ...string) string {
	t.Helper()
	c := exec.Command(bin, append([]string{"serve-demo", "--addr", "127.0.0.1:0"}, args...)...)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatalf("start %v: %v", c.Args, err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	// A serve-demo that neither listens nor exits is killed, and its
	// closed stdout ends the read below.
	stuck := time.AfterFunc(time.Minute, func() { c.Process.Kill() })
	defer stuck.Stop()
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		c.Process.Kill()
		c.Wait()
		t.Fatalf("%v printed %q, not its URL: %v\n%s", c.Args, line, err, stderr.String())
	}
	go io.Copy(io.Discard, r) // the rest of stdout, should there be any
	return strings.TrimSpace(line)
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
