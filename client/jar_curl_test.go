package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/testenv"
)

// TestJarCurlDomainCookies checks that the jar and the real curl (with its
// libpsl) take the same decisions on domain cookies, public suffixes and
// insecure Secure cookies, and read each other's files. Names under
// example.co.uk resolve to the test server: curl through --resolve, the jar
// through a dialer.
func TestJarCurlDomainCookies(t *testing.T) {
	curl := testenv.Command(t, "curl")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			for _, c := range []string{
				"sub=1; Domain=example.co.uk; Path=/",
				"host=2; Path=/",
				"bad=3; Domain=co.uk; Path=/",
				"sec=4; Secure; Path=/",
				"http=5; HttpOnly; Path=/; Max-Age=3600",
			} {
				w.Header().Add("Set-Cookie", c)
			}
		}
		io.WriteString(w, r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	hosts := []string{"www.example.co.uk", "a.example.co.uk", "other.co.uk"}
	var resolve []string
	for _, h := range hosts {
		resolve = append(resolve, "--resolve", h+":"+port+":127.0.0.1")
	}
	curlGet := func(url string, args ...string) string {
		t.Helper()
		c := exec.Command(curl, append(append([]string{"-s"}, resolve...), append(args, url)...)...)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%v: %v", c.Args, err)
		}
		return string(out)
	}
	u := func(host, path string) string { return fmt.Sprintf("http://%s:%s%s", host, port, path) }

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	defer tr.CloseIdleConnections()

	dir := t.TempDir()
	ours := filepath.Join(dir, "sessctl.txt")
	jar, _ := OpenJar(ours, JarOptions{})
	steps, err := Visit(context.Background(), VisitConfig{URL: u("www.example.co.uk", "/set"), Jar: jar, Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, sc := range steps[0].SetCookies {
		outcomes = append(outcomes, sc.Name+":"+sc.Outcome)
	}
	if got := strings.Join(outcomes, " "); got != "sub:stored host:stored bad:refused sec:refused http:stored" {
		t.Errorf("outcomes: %s", got)
	}
	if err := jar.Save(); err != nil {
		t.Fatal(err)
	}

	// curl reads the jar sessctl wrote.
	for _, q := range []struct{ url, want string }{
		{u("a.example.co.uk", "/"), "sub=1"},
		{u("other.co.uk", "/"), ""},
	} {
		if got := curlGet(q.url, "-b", ours); got != q.want {
			t.Errorf("curl -b sessctl-jar %s sent %q, want %q", q.url, got, q.want)
		}
	}
	if got := curlGet(u("www.example.co.uk", "/"), "-b", ours); !sameCookies(got, "sub=1; host=2; http=5") {
		t.Errorf("curl -b sessctl-jar to www sent %q", got)
	}

	// sessctl reads the jar curl wrote from scratch, with the same content.
	theirs := filepath.Join(dir, "curl.txt")
	curlGet(u("www.example.co.uk", "/set"), "-c", theirs)
	cj, err := OpenJar(theirs, JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jarSummary(cj), jarSummary(jar); got != want {
		t.Errorf("jar curl wrote:\n%s\njar sessctl wrote:\n%s", got, want)
	}
	for _, q := range []struct{ url, want string }{
		{"http://a.example.co.uk/", "sub=1"},
		{"http://other.co.uk/", ""},
		{"http://www.example.co.uk/", "host=2; http=5; sub=1"},
	} {
		if got := cookieHeader(cj.Cookies(mustParseURL(t, q.url))); !sameCookies(got, q.want) {
			t.Errorf("curl's jar sends %q to %s, want %q", got, q.url, q.want)
		}
	}
}

// jarSummary lists a jar's cookies without their times.
func jarSummary(j *Jar) string {
	var b strings.Builder
	for _, c := range j.All() {
		fmt.Fprintf(&b, "%s=%s domain=%s hostonly=%v path=%s secure=%v httponly=%v session=%v\n",
			c.Name, c.Value, c.Domain, c.HostOnly, c.Path, c.Secure, c.HttpOnly, c.Session)
	}
	return b.String()
}

func sameCookies(a, b string) bool {
	split := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, p := range strings.Split(s, "; ") {
			m[p] = true
		}
		return m
	}
	x, y := split(a), split(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}
