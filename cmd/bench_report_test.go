package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBenchHTML(t *testing.T) {
	code, out, errOut := runSessctl(t, "bench", "-n", "400", "-c", "4", "-o", "html")
	if code != ExitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, ">CONSISTENT<") || errOut != "" {
		t.Fatalf("-o html: exit %d, stderr %q\n%.300s", code, errOut, out)
	}
	// --html FILE beside -o's output, through a symlink to its target.
	dir := t.TempDir()
	target := filepath.Join(dir, "report.html")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.html")
	if err := os.Symlink("report.html", link); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runSessctl(t, "bench", "-n", "400", "-c", "4", "--html", link)
	if code != ExitOK || !strings.Contains(out, "verdict") || strings.Contains(out, "<html") {
		t.Fatalf("--html: exit %d, stderr %q\n%s", code, errOut, out)
	}
	b, err := os.ReadFile(target)
	if err != nil || !strings.Contains(string(b), `id="latency-spectrum"`) {
		t.Fatalf("the link's target: %v %.100q", err, b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v", err)
	}
	// A file that cannot be written is refused before the run.
	code, out, errOut = runSessctl(t, "bench", "-n", "100", "-c", "2", "--html", filepath.Join(dir, "no", "r.html"))
	if code != ExitTrouble || !strings.Contains(errOut, "--html "+filepath.Join(dir, "no", "r.html")+": folder") || out != "" {
		t.Errorf("an unwritable --html: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestBenchReport(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]string{
		"per-session.json": {"bench", "-n", "400", "-c", "4", "-o", "json"},
		"shared.json":      {"bench", "-n", "400", "-c", "4", "--shared", "-o", "json"},
	}
	for name, args := range files {
		code, out, errOut := runSessctl(t, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d, %s", args, code, errOut)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "per-session.json"), filepath.Join(dir, "shared.json")

	code, out, errOut := runSessctl(t, "bench", "report", a, b)
	if code != ExitOK || errOut != "" || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Fatalf("exit %d, stderr %q\n%.200s", code, errOut, out)
	}
	for _, want := range []string{"2 runs side by side", ">" + a + "</th>", ">" + b + "</th>", `id="latency-series-2"`, "shared: one session", "per session"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the report", want)
		}
	}

	code, out, _ = runSessctl(t, "bench", "report", "--label", "one", "--label", "two", a, b, "-o", "text")
	if code != ExitOK || !strings.Contains(out, "== one") || !strings.Contains(out, "== two") || strings.Count(out, "verdict") != 2 {
		t.Errorf("-o text: exit %d\n%s", code, out)
	}
	code, out, _ = runSessctl(t, "bench", "report", a, b, "-o", "json")
	var runs []struct {
		Label  string         `json:"label"`
		Result map[string]any `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &runs); code != ExitOK || err != nil || len(runs) != 2 || runs[1].Label != b || runs[1].Result["consistency"] == nil {
		t.Errorf("-o json: exit %d, %v\n%.300s", code, err, out)
	}

	// --html alone: the file, nothing on stdout.
	html := filepath.Join(dir, "r.html")
	code, out, _ = runSessctl(t, "bench", "report", a, "--html", html)
	if fi, err := os.Stat(html); code != ExitOK || out != "" || err != nil || fi.Size() < 1000 {
		t.Errorf("--html: exit %d, stdout %q, %v", code, out, err)
	}
	// A result file of bench --result: its result.
	agent := filepath.Join(dir, "agent.json")
	if code, _, errOut := runSessctl(t, "bench", "-n", "300", "-c", "3", "--result", agent); code != ExitOK {
		t.Fatalf("bench --result: exit %d, %s", code, errOut)
	}
	code, out, _ = runSessctl(t, "bench", "report", agent, "-o", "json")
	if err := json.Unmarshal([]byte(out), &runs); code != ExitOK || err != nil || len(runs) != 1 || runs[0].Result["requests"] != 300.0 {
		t.Errorf("a result file: exit %d, %v\n%.300s", code, err, out)
	}
	// From stdin.
	doc, _ := os.ReadFile(a)
	code, out, _ = runSessctlIn(t, string(doc), "bench", "report", "-", "-o", "text")
	if code != ExitOK || !strings.Contains(out, "== -") {
		t.Errorf("stdin: exit %d\n%s", code, out)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"hello": 1}`), 0o644)
	for _, test := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "report"}, "requires at least 1 arg"},
		{[]string{"bench", "report", a, filepath.Join(dir, "missing.json")}, "missing.json: no such file or directory"},
		{[]string{"bench", "report", bad}, `bad.json: not a bench result (no "urls")`},
		{[]string{"bench", "report", a, "-o", "yaml"}, "must be html, text or json"},
		{[]string{"bench", "report", a, b, "--label", "x"}, "1 --label for 2 files"},
	} {
		code, out, errOut := runSessctl(t, test.args...)
		if code != ExitTrouble || out != "" || !strings.Contains(errOut, test.want) {
			t.Errorf("%v: exit %d, stdout %.50q, stderr %q, want %q", test.args, code, out, errOut, test.want)
		}
	}
}
