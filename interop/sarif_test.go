package interop

import (
	"os"
	"os/exec"
	"path/filepath"
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
		addr := testenv.FreeAddr(t)
		start(t, dir, nil, bin, "serve-demo", "--addr", addr, "--secret", randHex(16),
			"--no-regenerate", "--ids", "sequential", "--no-httponly", "--logout-keeps-session")
		testenv.WaitListening(t, addr, 30*time.Second)
		return []string{"http://" + addr + "/", "--samples", "200", "--no-load",
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

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
