package cmd

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/demo"
)

// benchAgents runs bench as the agents of one test, each with
// --segment i/len(segs) and --result dir/aI.json, and returns the files.
func benchAgents(t *testing.T, dir, url string, n int, extra ...string) []string {
	t.Helper()
	var files []string
	for i := range 3 {
		f := filepath.Join(dir, fmt.Sprintf("a%d.json", i))
		args := append([]string{"bench", url, "-n", fmt.Sprint(n), "-c", "3", "--segment", fmt.Sprintf("%d/3", i), "--result", f}, extra...)
		code, out, errOut := runSessctl(t, args...)
		if code != ExitOK && code != ExitCheckFailed {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
		files = append(files, f)
	}
	return files
}

func TestBenchMerge(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	a := benchAgents(t, dir, srv.URL+"/", 300)

	code, out, errOut := runSessctl(t, "bench", "merge", a[0], a[1], a[2])
	if code != ExitOK || errOut != "" || !strings.Contains(out, "requests      300 ") || !strings.Contains(out, "CONSISTENT") ||
		!strings.Contains(out, "3 connections") {
		t.Fatalf("merge: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runSessctl(t, "bench", "merge", "-o", "json", a[2], a[1], a[0])
	var doc struct {
		Requests    int64 `json:"requests"`
		Connections int   `json:"connections"`
		Consistency struct {
			Checked  int64 `json:"checked"`
			Sessions int   `json:"sessions"`
		} `json:"consistency"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != ExitOK || err != nil || doc.Requests != 300 || doc.Connections != 3 ||
		doc.Consistency.Checked != 300 || doc.Consistency.Sessions != 3 {
		t.Fatalf("merge -o json: exit %d %v %+v\n%s", code, err, doc, out)
	}

	// The HTML report of the whole test, on stdout or in a file.
	html := filepath.Join(dir, "whole.html")
	code, out, errOut = runSessctl(t, "bench", "merge", "-o", "html", "--html", html, a[0], a[1], a[2])
	page, _ := os.ReadFile(html)
	if code != ExitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || string(page) != out || !strings.Contains(out, "CONSISTENT") {
		t.Fatalf("merge -o html --html: exit %d, %d bytes on stdout, %d in the file, stderr %q", code, len(out), len(page), errOut)
	}

	// An interrupted agent's share is short: trouble.
	cut := filepath.Join(dir, "cut.json")
	data, _ := os.ReadFile(a[1])
	os.WriteFile(cut, []byte(strings.Replace(string(data), `"segment": "1/3:2/3",`, `"segment": "1/3:2/3", "interrupted": true,`, 1)), 0o600)
	code, _, errOut = runSessctl(t, "bench", "merge", a[0], cut, a[2])
	if code != ExitTrouble || !strings.Contains(errOut, cut+": that agent was interrupted") {
		t.Errorf("merge with an interrupted agent: exit %d %q", code, errOut)
	}

	// Another test: -n 600.
	other := benchAgents(t, t.TempDir(), srv.URL+"/", 600)
	notResult := filepath.Join(dir, "not.json")
	os.WriteFile(notResult, []byte(`{"urls": []}`), 0o600)
	for _, test := range []struct {
		files []string
		want  string
	}{
		{[]string{a[0], a[2]}, "sessctl: bench merge: segment 1/3:2/3 is missing: no file ran it (run it with --segment 1/3:2/3)\n"},
		{[]string{a[0], a[1], a[1], a[2]}, fmt.Sprintf("sessctl: bench merge: %s and %[1]s are one agent's result (host ", a[1])},
		{[]string{a[0], a[1], other[2]}, fmt.Sprintf("sessctl: bench merge: %s and %s are results of different tests (test ids ", a[0], other[2])},
		{[]string{a[0], notResult}, "sessctl: bench merge: " + notResult + ": not a sessctl bench result file"},
		{[]string{filepath.Join(dir, "missing.json")}, "no such file"},
	} {
		code, out, errOut := runSessctl(t, append([]string{"bench", "merge"}, test.files...)...)
		if code != ExitTrouble || out != "" || !strings.Contains(errOut, test.want) {
			t.Errorf("merge %v: exit %d, stdout %q, stderr %q; want 2 and %q", test.files, code, out, errOut, test.want)
		}
	}
	if code, _, errOut := runSessctl(t, "bench", "merge"); code != ExitTrouble || !strings.Contains(errOut, "requires at least 1 arg") {
		t.Errorf("merge without files: exit %d %q", code, errOut)
	}
	if code, _, errOut := runSessctl(t, "bench", "merge", "-o", "yaml", a[0]); code != ExitTrouble || !strings.Contains(errOut, "table, json or html") {
		t.Errorf("merge -o yaml: exit %d %q", code, errOut)
	}
}

// TestBenchResultUnwritable: --result in a folder that is not there is
// refused before the run.
func TestBenchResultUnwritable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "a.json")
	code, out, errOut := runSessctl(t, "bench", "http://127.0.0.1:1/", "-n", "5", "--result", missing)
	if code != ExitTrouble || out != "" || !strings.Contains(errOut, "--result "+missing+": folder ") || strings.Contains(errOut, "connect") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// TestBenchMergeThresholds: the agents' thresholds are checked again on
// the merged result: a failed one exits 1.
func TestBenchMergeThresholds(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	a := benchAgents(t, t.TempDir(), srv.URL+"/", 30, "--max-p99", "1ns")
	code, out, errOut := runSessctl(t, "bench", "merge", a[0], a[1], a[2])
	if code != ExitCheckFailed || !strings.Contains(out, "max_p99 1ns") || !strings.Contains(errOut, "threshold max_p99 1ns failed") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
