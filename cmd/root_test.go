package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/cookie"
)

// TestRootUsage covers the wiring in root.go: --version, completion of an
// unknown shell, argument counts, and errors that name each context once.
func TestRootUsage(t *testing.T) {
	_, version, _ := runSessctl(t, "version")
	for _, test := range []struct {
		args         []string
		code         int
		stdout       string // regexp; "" wants nothing
		stderr       string // regexp; "" wants nothing
		stderrAbsent string // regexp that must not match stderr
	}{
		{args: []string{"--version"}, stdout: "^" + regexp.QuoteMeta(version) + "$"},
		{args: []string{"completion", "bash"}, stdout: "^# bash completion V2 for sessctl"},
		{args: []string{"completion", "tcsh"}, code: ExitTrouble,
			stderr: `^sessctl: completion: unknown shell "tcsh": want bash, fish, powershell, zsh \(see 'sessctl completion --help'\)\n$`},
		{args: []string{"visit", "a", "b"}, code: ExitTrouble,
			stderr: `^sessctl: visit: accepts at most 1 arg\(s\), received 2 \(see 'sessctl visit --help'\)\n$`},
		{args: []string{"serve-demo", "x"}, code: ExitTrouble,
			stderr: `^sessctl: serve-demo: unknown command "x" for "sessctl serve-demo" \(see 'sessctl serve-demo --help'\)\n$`},
		{args: []string{"version", "x"}, code: ExitTrouble, stderr: `^sessctl: version: .*\(see 'sessctl version --help'\)\n$`},
		{args: []string{"completion", "zsh", "x"}, code: ExitTrouble, stderr: `^sessctl: completion zsh: .*\(see 'sessctl completion zsh --help'\)\n$`},
		// One visit: the error is the request's, without "visit 1 of 1".
		{args: []string{"visit", "http://127.0.0.1:1/", "--fresh", "--jar", t.TempDir() + "/j.txt"}, code: ExitTrouble,
			stderr: `^sessctl: GET http://127\.0\.0\.1:1/: dial tcp 127\.0\.0\.1:1: connect: connection refused\n$`},
		{args: []string{"visit", "-n", "2", "http://127.0.0.1:1/", "--fresh", "--jar", t.TempDir() + "/j.txt"}, code: ExitTrouble,
			stderr: `^sessctl: visit 1 of 2: GET http://127\.0\.0\.1:1/: `},
		{args: []string{"decode", "--url", "http://127.0.0.1:1/"}, code: ExitTrouble,
			stderr: `^sessctl: --url: GET http://127\.0\.0\.1:1/: dial tcp`, stderrAbsent: `visit`},
	} {
		code, out, errOut := runSessctl(t, test.args...)
		name := strings.Join(test.args, " ")
		if code != test.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", name, code, test.code, errOut)
		}
		for _, s := range []struct{ stream, got, want string }{{"stdout", out, test.stdout}, {"stderr", errOut, test.stderr}} {
			if s.want == "" && s.got != "" || !regexp.MustCompile(s.want).MatchString(s.got) {
				t.Errorf("%s: %s %q, want %q", name, s.stream, s.got, s.want)
			}
		}
		if test.stderrAbsent != "" && regexp.MustCompile(test.stderrAbsent).MatchString(errOut) {
			t.Errorf("%s: stderr %q matches %q", name, errOut, test.stderrAbsent)
		}
	}
}

// TestFlagValueCompletion checks the shell is offered the values of the
// flags that take one of a few.
func TestFlagValueCompletion(t *testing.T) {
	for _, test := range []struct {
		args []string
		want string
	}{
		{[]string{"visit", "-o", ""}, "table json jsonl :4"},
		{[]string{"bench", "--output", ""}, "table json html :4"},
		{[]string{"decode", "-o", ""}, "table json jsonl :4"},
		{[]string{"decode", "--format", ""}, strings.Join(cookie.FormatNames(), " ") + " :4"},
		{[]string{"serve-demo", "--mode", ""}, "store cookie :4"},
		{[]string{"serve-demo", "--store", ""}, "memory redis:// rediss:// redis+cluster:// redis+sentinel:// file: :6"}, // 6: no file names, no space after a prefix
	} {
		_, out, _ := runSessctl(t, append([]string{"__complete"}, test.args...)...)
		if got := strings.Join(strings.Fields(out), " "); got != test.want {
			t.Errorf("%v: completions %q, want %q", test.args, got, test.want)
		}
	}
}
