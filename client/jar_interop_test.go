package client

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sessctl/sessctl/internal/testenv"
)

// countingServer keeps a visit count per session, the session carried by
// a session cookie (sid, as most frameworks; not HttpOnly, which wget
// cannot keep) and a persistent one (pref); it answers "visit N".
func countingServer(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		sid := ""
		if c, err := r.Cookie("sid"); err == nil && counts[c.Value] > 0 {
			sid = c.Value
		} else {
			sid = rand.Text()
			w.Header().Add("Set-Cookie", "sid="+sid+"; Path=/")
			w.Header().Add("Set-Cookie", "pref=dark mode; Path=/; Max-Age=3600")
		}
		if c, err := r.Cookie("pref"); sid != "" && counts[sid] > 0 && (err != nil || c.Value != "dark mode") {
			http.Error(w, "pref cookie lost", http.StatusBadRequest)
			return
		}
		counts[sid]++
		fmt.Fprintf(w, "visit %d", counts[sid])
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestJarInterop: curl, wget and Python's http.cookiejar.MozillaCookieJar
// continue a session from the jar sessctl wrote, and sessctl continues it
// from the jar each of them wrote: the server's visit count goes up by one
// at every step, the session cookie never lost.
func TestJarInterop(t *testing.T) {
	curl := testenv.Command(t, "curl")
	wget := testenv.Command(t, "wget")
	python := testenv.Command(t, "/usr/bin/python3")
	srv := countingServer(t)
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	visit := 0
	next := func(who, body string) {
		t.Helper()
		visit++
		if want := fmt.Sprintf("visit %d", visit); body != want {
			t.Fatalf("%s: server answered %q, want %q (the session was lost)\njar:\n%s", who, body, want, readFile(t, jar))
		}
	}
	sessctl := func() {
		t.Helper()
		j, err := OpenJar(jar, JarOptions{})
		if err != nil {
			t.Fatalf("sessctl reads the jar: %v\n%s", err, readFile(t, jar))
		}
		if w := j.Warnings(); len(w) > 0 {
			t.Errorf("sessctl warns: %v", w)
		}
		steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Jar: j})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Save(); err != nil {
			t.Fatal(err)
		}
		var body string
		if err := json.Unmarshal(steps[0].Body, &body); err != nil {
			t.Fatalf("body %s: %v", steps[0].Body, err)
		}
		next("sessctl", body)
	}
	run := func(who string, name string, args ...string) {
		t.Helper()
		c := exec.Command(name, args...)
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", who, err, stderr.String())
		}
		next(who, string(out))
	}

	sessctl()
	run("curl", curl, "-s", "-b", jar, "-c", jar, srv.URL)
	sessctl()
	run("wget", wget, "-q", "-O", "-", "--load-cookies", jar, "--save-cookies", jar, "--keep-session-cookies", srv.URL)
	sessctl()
	// Python reads a session cookie's expiry 0 (curl's, wget's and
	// sessctl's) as "expired in 1970": load with ignore_expires and turn
	// those into session cookies, as the README says.
	run("python", python, "-c", `
import sys, urllib.request
from http.cookiejar import MozillaCookieJar
jar = MozillaCookieJar(sys.argv[1])
jar.load(ignore_discard=True, ignore_expires=True)
for c in jar:
    if c.expires == 0:
        c.expires, c.discard = None, True
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
sys.stdout.write(opener.open(sys.argv[2]).read().decode())
jar.save(ignore_discard=True, ignore_expires=True)
`, jar, srv.URL)
	if text := readFile(t, jar); !strings.Contains(text, "\tFALSE\t\tsid\t") {
		t.Fatalf("Python wrote no empty expiry for the session cookie:\n%s", text)
	}
	sessctl()
	run("curl again", curl, "-s", "-b", jar, "-c", jar, srv.URL)
	sessctl()
}
