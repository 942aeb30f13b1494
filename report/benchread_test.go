package report

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadBenchFile(t *testing.T) {
	dir := t.TempDir()
	s, _, out, _ := Test()
	if err := BenchJSON(s, sampleResult()); err != nil {
		t.Fatal(err)
	}
	doc := out.String()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// What bench -o json prints reads back as it was.
	res, err := ReadBenchFile(write("a.json", doc), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleResult()
	neverNull(want)
	if !reflect.DeepEqual(res, want) {
		t.Errorf("read back:\n%+v\nwant\n%+v", res, want)
	}
	// A result file of bench --result: its result.
	file := `{"format": "sessctl-bench-result", "version": 1, "test_id": "x", "result": ` + doc + `, "histogram": ""}`
	if res, err := ReadBenchFile(write("agent.json", file), nil); err != nil || res.Consistency.LostUpdates != 1939 {
		t.Errorf("result file: %v, %+v", err, res)
	}
	if res, err := ReadBenchFile("-", strings.NewReader(doc)); err != nil || res.Requests != 4000 {
		t.Errorf("stdin: %v, %+v", err, res)
	}

	for _, test := range []struct {
		name, text, want string
	}{
		{"text.json", "hello", "text.json: not a bench result: line 1: invalid character 'h'"},
		{"array.json", "[1, 2]", "array.json: not a bench result: line 1: json: cannot unmarshal array"},
		{"other.json", `{"name": "x", "version": "1.0"}`, `other.json: not a bench result (no "urls"): want what sessctl bench -o json prints`},
		{"format.json", `{"format": "k6-summary", "result": {}}`, `format.json: not a bench result: its format is "k6-summary", not "sessctl-bench-result"`},
		{"noresult.json", `{"format": "sessctl-bench-result"}`, `noresult.json: a bench result file without its "result"`},
		{"types.json", strings.Replace(doc, `"requests": 4000`, `"requests": "many"`, 1), "types.json: not a bench result: line 10: json: cannot unmarshal string"},
		{"truncated.json", doc[:len(doc)/2], "truncated.json: not a bench result: "},
	} {
		_, err := ReadBenchFile(write(test.name, test.text), nil)
		if err == nil || !strings.Contains(err.Error(), test.want) || !strings.HasPrefix(err.Error(), dir) {
			t.Errorf("%s: %v, want %q", test.name, err, test.want)
		}
	}
	if _, err := ReadBenchFile(filepath.Join(dir, "missing.json"), nil); err == nil || err.Error() != filepath.Join(dir, "missing.json")+": no such file or directory" {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := ReadBenchFile(dir, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := readBenchData("-", bytes.NewReader(make([]byte, 3<<20)), 2<<20); err == nil || err.Error() != "larger than 2 MiB, not a bench result" {
		t.Errorf("a huge input: %v", err)
	}
}
