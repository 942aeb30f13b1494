package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "report.html")
	if err := WriteFileAtomic(target, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file: %v, mode %v, want 0644", err, fi.Mode().Perm())
	}
	// An existing file keeps its mode; a symlink stays a link and its
	// target is what is replaced.
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.html")
	if err := os.Symlink("report.html", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "two" {
		t.Errorf("target holds %q, want two", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want the old 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d entries, want the file and the link (no temporary file left)", len(entries))
	}
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "f.html"), nil, 0o644); err == nil {
		t.Error("a missing folder: no error")
	}
	if err := WriteFileAtomic(dir, nil, 0o644); err == nil {
		t.Error("a directory: no error")
	}
}

func TestCheckWriteFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o600)
	os.Symlink(filepath.Join(dir, "gone", "x.json"), filepath.Join(dir, "dangling"))
	for _, ok := range []string{filepath.Join(dir, "new.json"), filepath.Join(dir, "file"), "/dev/null"} {
		if err := CheckWriteFile(ok); err != nil {
			t.Errorf("CheckWriteFile(%s): %v", ok, err)
		}
	}
	for path, want := range map[string]string{
		dir:                                     "is a directory",
		filepath.Join(dir, "missing", "x.json"): "no such file or directory",
		filepath.Join(dir, "file", "x.json"):    "not a directory",
		filepath.Join(dir, "dangling"):          "gone: no such file",
	} {
		if err := CheckWriteFile(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckWriteFile(%s): %v, want %q", path, err, want)
		}
	}
}
