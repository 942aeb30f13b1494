package client

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func openTestJar(t *testing.T, path string, opts JarOptions) *Jar {
	t.Helper()
	j, err := openJar(path, opts, func() time.Time { return tNow })
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestJarSaveMerges: two jars opened on one file, each storing, replacing
// and deleting cookies, then saved one after the other: the file holds
// both runs' changes, cookie by cookie.
func TestJarSaveMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(path, []byte(cookiesTxtHeader+
		"a.test\tFALSE\t/\tFALSE\t0\tkeep\t1\n"+
		"a.test\tFALSE\t/\tFALSE\t0\tgone\t1\n"+
		"b.test\tFALSE\t/\tFALSE\t0\tsid\told\n"), 0o600)
	a := openTestJar(t, path, JarOptions{})
	b := openTestJar(t, path, JarOptions{})
	setLine(t, a, mustParseURL(t, "http://a.test/"), "new=A")
	setLine(t, a, mustParseURL(t, "http://a.test/"), "gone=; Max-Age=0")
	setLine(t, b, mustParseURL(t, "http://b.test/"), "sid=B")
	setLine(t, b, mustParseURL(t, "http://b.test/"), "other=B")
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	want := "keep=1 a.test/ host session | new=A a.test/ host session | other=B b.test/ host session | sid=B b.test/ host session"
	if got := jarText(openTestJar(t, path, JarOptions{})); got != want {
		t.Errorf("after both saves the file holds\n%s\nwant\n%s", got, want)
	}
	// b's view now includes a's changes; saving again changes nothing.
	if got := jarText(b); got != want {
		t.Errorf("b after its save: %s", got)
	}
	before := readFile(t, path)
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	if after := readFile(t, path); after != before {
		t.Errorf("a second save changed the file:\n%s\n%s", before, after)
	}
}

// TestJarForget: --fresh forgets what would be sent to the URL and nothing
// else, and the deletion is merged like any other change.
func TestJarForget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(path, []byte(cookiesTxtHeader+
		"127.0.0.1\tFALSE\t/\tFALSE\t0\tconnect.sid\tapp\n"+
		"127.0.0.1\tFALSE\t/admin\tFALSE\t0\tadm\t1\n"+
		".site.test\tTRUE\t/\tFALSE\t0\tdom\t1\n"+
		"www.site.test\tFALSE\t/\tFALSE\t0\twww\t1\n"+
		"api.site.test\tFALSE\t/\tFALSE\t0\tapi\t1\n"+
		"localhost\tFALSE\t/\tFALSE\t0\tlh\t1\n"), 0o600)
	j := openTestJar(t, path, JarOptions{})
	if n := j.Forget(mustParseURL(t, "http://www.site.test/x")); n != 2 {
		t.Errorf("Forget forgot %d cookies, want 2 (dom, www)", n)
	}
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	want := "adm=1 127.0.0.1/admin host session | connect.sid=app 127.0.0.1/ host session | api=1 api.site.test/ host session | lh=1 localhost/ host session"
	if got := jarText(openTestJar(t, path, JarOptions{})); got != want {
		t.Errorf("after Forget:\n got %s\nwant %s", got, want)
	}
}

// TestJarSymlink: the jar is read from and written to a symlink's target
// (a relative link, through a second link), and the links stay links.
func TestJarSymlink(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o700)
	target := filepath.Join(dir, "real", "cookies.txt")
	os.WriteFile(target, []byte(cookiesTxtHeader+"a.test\tFALSE\t/\tFALSE\t0\told\t1\n"), 0o640)
	link1 := filepath.Join(dir, "link1")
	link2 := filepath.Join(dir, "link2")
	os.Symlink("real/cookies.txt", link1)
	os.Symlink(link1, link2)
	j := openTestJar(t, link2, JarOptions{})
	setLine(t, j, mustParseURL(t, "http://a.test/"), "new=2")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link1, link2} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symlink", l)
		}
	}
	if got := readFile(t, target); !strings.Contains(got, "\told\t1\n") || !strings.Contains(got, "\tnew\t2\n") {
		t.Errorf("target holds:\n%s", got)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode %v, want its 0640 kept", fi.Mode().Perm())
	}
	// A dangling link: the file is made where it points.
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("new/place.txt", dangling)
	j = openTestJar(t, dangling, JarOptions{})
	setLine(t, j, mustParseURL(t, "http://a.test/"), "x=1")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "new", "place.txt")); !strings.Contains(got, "\tx\t1\n") {
		t.Errorf("dangling link's target holds:\n%s", got)
	}
}

// TestJarDevice: a FIFO (standing for /dev/stdout, a pipe) is written in
// place, never read nor replaced; "-" goes to JarOptions.Stdout.
func TestJarDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	j := openTestJar(t, fifo, JarOptions{}) // would block if it read the FIFO
	setLine(t, j, mustParseURL(t, "http://a.test/"), "p=1")
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; !strings.Contains(s, "a.test\tFALSE\t/\tFALSE\t0\tp\t1\n") {
		t.Errorf("FIFO reader got:\n%s", s)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the FIFO alone (no lock, no temp file)", len(entries))
	}

	var out bytes.Buffer
	j = openTestJar(t, "-", JarOptions{Stdout: &out})
	setLine(t, j, mustParseURL(t, "http://a.test/"), "s=1")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), cookiesTxtHeader) || !strings.Contains(out.String(), "\ts\t1\n") {
		t.Errorf("stdout got:\n%s", out.String())
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file named - was made")
	}
}

// TestJarRefusedBeforeUse: what Save could not write is refused by
// OpenJar; read-only lets a jar be read where it could not be written.
func TestJarRefusedBeforeUse(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte(cookiesTxtHeader), 0o600)
	for _, test := range []struct{ path, want string }{
		{dir, "is a directory"},
		{filepath.Join(file, "cookies.txt"), "not a directory"},
		{filepath.Join(file, "sub", "cookies.txt"), "not a directory"},
		{"-", "no standard output"},
	} {
		_, err := OpenJar(test.path, JarOptions{})
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("OpenJar(%s) = %v, want an error saying %q", test.path, err, test.want)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		if _, err := OpenJar(filepath.Join(ro, "cookies.txt"), JarOptions{}); err == nil || !strings.Contains(err.Error(), "cannot write in") {
			t.Errorf("jar in a read-only folder: %v", err)
		}
		if _, err := OpenJar(filepath.Join(ro, "cookies.txt"), JarOptions{ReadOnly: true}); err != nil {
			t.Errorf("read-only jar in a read-only folder: %v", err)
		}
	}
}

// TestJarReadOnly: a read-only jar reads and sends, and Save writes nothing.
func TestJarReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	text := cookiesTxtHeader + "a.test\tFALSE\t/\tFALSE\t0\tsid\t1\n"
	os.WriteFile(path, []byte(text), 0o600)
	j := openTestJar(t, path, JarOptions{ReadOnly: true})
	u := mustParseURL(t, "http://a.test/")
	if got := cookieHeader(j.Cookies(u)); got != "sid=1" {
		t.Errorf("read-only jar sends %q", got)
	}
	setLine(t, j, u, "sid=2")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != text {
		t.Errorf("read-only jar was written:\n%s", got)
	}
	if j.State() != JarStateReadOnly {
		t.Errorf("State = %s", j.State())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want the jar alone", len(entries))
	}
}

// TestJarFailedSave: a save that fails says so, in its error and State.
func TestJarFailedSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "cookies.txt")
	j := openTestJar(t, path, JarOptions{})
	setLine(t, j, mustParseURL(t, "http://a.test/"), "a=1")
	os.WriteFile(filepath.Join(dir, "sub"), nil, 0o600) // a file where the folder goes
	if err := j.Save(); err == nil || !strings.Contains(err.Error(), "save jar "+path) {
		t.Errorf("Save = %v", err)
	}
	if j.State() != JarStateFailed {
		t.Errorf("State = %s, want %s", j.State(), JarStateFailed)
	}
}

// TestJarOtherClientsFiles: lines as Python's MozillaCookieJar, wget and
// curl write them are read as curl reads them; the lines curl skips are
// skipped with a warning naming the line.
func TestJarOtherClientsFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(path, []byte(
		"# Netscape HTTP Cookie File\n"+
			"# http://curl.haxx.se/rfc/cookie_spec.html\n"+
			"# This is a generated file!  Do not edit.\n\n"+
			"127.0.0.1\tFALSE\t/\tFALSE\t\tpy\tsession\n"+ // Python: a session cookie
			"127.0.0.1:8080\tFALSE\t/\tFALSE\t0\twget\t1\n"+ // wget: host:port
			"127.0.0.1\tFALSE\tFALSE\t0\tnopath\t1\n"+ // curl: no path field
			"127.0.0.1\tFALSE\t/\tFALSE\t0\tnovalue\n"+ // curl: no value field
			"127.0.0.1\tfalse\trel\ttrue\t0\tlax\t1\n"+ // curl: flags in any case, path made /
			"127.0.0.1\tFALSE\t/\tFALSE\tsoon\tbad\t1\n"+ // curl skips
			strings.Repeat("z", 5001)+"\n"+ // curl skips
			"127.0.0.1\tFALSE\t/\tFALSE\t0\tutf\tcafé\n"), 0o600)
	j := openTestJar(t, path, JarOptions{})
	if got, want := cookieHeader(j.Cookies(mustParseURL(t, "https://127.0.0.1/"))), "py=session; wget=1; nopath=1; novalue=; lax=1; utf=café"; !sameCookies(got, want) {
		t.Errorf("sends %q, want %q", got, want)
	}
	warnings := strings.Join(j.Warnings(), "\n")
	for _, want := range []string{"line 10: expiry \"soon\"", "line 11: longer than 5000 bytes"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
}

// TestJarLimits: a response's Set-Cookie headers past curl's 50 are
// ignored, a request carries at most 150 cookies, a site keeps 180 and the
// jar 3000, the oldest going first, with warnings.
func TestJarLimits(t *testing.T) {
	j := newTestJar()
	now := tNow
	j.now = func() time.Time { return now }
	u := mustParseURL(t, "http://big.test/")
	for i := range 200 {
		now = now.Add(time.Second)
		setLine(t, j, u, fmt.Sprintf("c%03d=v", i))
	}
	if n := j.Len(); n != MaxCookiesPerSite {
		t.Errorf("one site holds %d cookies, want %d", n, MaxCookiesPerSite)
	}
	if got := j.Cookies(u); len(got) != MaxCookiesPerRequest || got[0].Name != "c020" {
		t.Errorf("a request carries %d cookies, first %s; want %d from c020 (the oldest 20 dropped)", len(got), got[0].Name, MaxCookiesPerRequest)
	}
	warnings := strings.Join(j.Warnings(), "\n")
	for _, want := range []string{"dropped the 20 oldest cookies of big.test", "the first 150 were sent"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
	for s := range 20 {
		su := mustParseURL(t, fmt.Sprintf("http://s%d.test/", s))
		for i := range 170 {
			now = now.Add(time.Second)
			setLine(t, j, su, fmt.Sprintf("c%d=v", i))
		}
	}
	if n := j.Len(); n != MaxCookies {
		t.Errorf("the jar holds %d cookies, want %d", n, MaxCookies)
	}
	if len(j.Cookies(u)) != 0 {
		t.Error("big.test's cookies, the oldest, are still there")
	}
}

// TestJarLimitsOnRead: a file of 20 000 cookies for one host (a visit
// took 1.4 s with it, 126 s with 200 000) is read down to the site's
// limit, the first lines going, with a warning; saving writes the limit
// back.
func TestJarLimitsOnRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	var b strings.Builder
	b.WriteString(cookiesTxtHeader)
	for i := range 20000 {
		fmt.Fprintf(&b, "big.test\tFALSE\t/\tFALSE\t0\tc%06d\tv\n", i)
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
	j := openTestJar(t, path, JarOptions{})
	if n := j.Len(); n != MaxCookiesPerSite {
		t.Fatalf("jar holds %d cookies, want %d", n, MaxCookiesPerSite)
	}
	cs := j.Cookies(mustParseURL(t, "http://big.test/"))
	if len(cs) != MaxCookiesPerRequest || cs[0].Name != "c019820" {
		t.Errorf("sends %d cookies from %s, want %d from c019820", len(cs), cs[0].Name, MaxCookiesPerRequest)
	}
	if w := strings.Join(j.Warnings(), "\n"); !strings.Contains(w, "dropped the 19820 oldest cookies of big.test") {
		t.Errorf("warnings: %s", w)
	}
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(readFile(t, path), "\n") - strings.Count(cookiesTxtHeader, "\n"); n != MaxCookiesPerSite {
		t.Errorf("saved jar has %d lines, want %d", n, MaxCookiesPerSite)
	}
}

// TestJarLockFileOwner: root saving a jar in a user's folder (sudo) gives
// the lock file to that user, who could not lock the jar otherwise; the
// jar file keeps its owner.
func TestJarLockFileOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := filepath.Join(t.TempDir(), "user")
	os.Mkdir(dir, 0o700)
	const uid, gid = 65534, 65534
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Skip(err)
	}
	path := filepath.Join(dir, "cookies.txt")
	os.WriteFile(path, []byte(cookiesTxtHeader), 0o600)
	os.Chown(path, uid, gid)
	j := openTestJar(t, path, JarOptions{})
	setLine(t, j, mustParseURL(t, "http://a.test/"), "a=1")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != uid {
			t.Errorf("%s is owned by %d, want %d", p, st.Uid, uid)
		}
	}
}

// TestJarMachineDevices: /dev/null and /dev/stdout are found to be written
// in place, never replaced (this test only looks: it writes neither).
func TestJarMachineDevices(t *testing.T) {
	for _, p := range []string{"/dev/null", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"} {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		f, err := locateJarFile(p, JarOptions{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if f.kind != jarDirect {
			t.Errorf("%s would be replaced by a rename (target %s), not written in place", p, f.target)
		}
	}
}
