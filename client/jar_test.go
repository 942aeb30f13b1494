package client

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// tNow is the jar tests' fixed "now".
var tNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// jarTest: Set-Cookie lines received from fromURL, the jar's content after
// them (jarText), and the Cookie header the jar sends to each query URL.
type jarTest struct {
	description string
	fromURL     string
	setCookies  []string
	content     string // jarText: cookies separated by " | "
	queries     []query
	refused     []error // per Set-Cookie line; nil entries accepted
}

type query struct {
	toURL string
	want  string // Cookie header, "" for none
}

// jarText renders the jar compactly: name=value domain path flags expiry,
// where expiry is "session" or the lifetime left at tNow.
func jarText(j *Jar) string {
	var parts []string
	for _, c := range j.All() {
		s := fmt.Sprintf("%s=%s %s%s", c.Name, c.Value, c.Domain, c.Path)
		if c.HostOnly {
			s += " host"
		}
		if c.Secure {
			s += " secure"
		}
		if c.HttpOnly {
			s += " httponly"
		}
		if c.Session {
			s += " session"
		} else {
			s += " +" + c.Expires.Sub(j.now()).String()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func cookieHeader(cs []JarCookie) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// setLine offers one Set-Cookie line, received for u, to j.
func setLine(t testing.TB, j *Jar, u *url.URL, line string) error {
	t.Helper()
	c, err := cookie.ParseSetCookie(line)
	if err != nil {
		t.Fatalf("ParseSetCookie(%q): %v", line, err)
	}
	_, err = j.SetCookie(u, &c)
	return err
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (test jarTest) run(t *testing.T, j *Jar) {
	t.Helper()
	u := mustParseURL(t, test.fromURL)
	for i, line := range test.setCookies {
		err := setLine(t, j, u, line)
		var want error
		if i < len(test.refused) {
			want = test.refused[i]
		}
		if !errors.Is(err, want) {
			t.Errorf("SetCookie(%q) = %v, want %v", line, err, want)
		}
	}
	if got := jarText(j); got != test.content {
		t.Errorf("jar content:\n got %s\nwant %s", got, test.content)
	}
	for _, q := range test.queries {
		if got := cookieHeader(j.Cookies(mustParseURL(t, q.toURL))); got != q.want {
			t.Errorf("Cookies(%s) = %q, want %q", q.toURL, got, q.want)
		}
	}
}

func newTestJar() *Jar {
	j := NewJar()
	j.now = func() time.Time { return tNow }
	return j
}

var future = tNow.Add(48 * time.Hour).Format(http.TimeFormat)

var jarTests = []jarTest{
	{
		description: "host-only cookie",
		fromURL:     "http://www.host.test/",
		setCookies:  []string{"a=1"},
		content:     "a=1 www.host.test/ host session",
		queries: []query{
			{"http://www.host.test", "a=1"},
			{"http://www.host.test:8080/any/path", "a=1"},
			{"http://sub.www.host.test", ""},
			{"http://host.test", ""},
			{"ftp://www.host.test", ""},
		},
	},
	{
		description: "domain cookie goes to subdomains",
		fromURL:     "http://www.host.test/",
		setCookies:  []string{"a=1; Domain=host.test", "b=2; Domain=.WWW.host.test"},
		content:     "a=1 host.test/ session | b=2 www.host.test/ session",
		queries: []query{
			{"http://host.test", "a=1"},
			{"http://www.host.test", "a=1; b=2"},
			{"http://x.www.host.test", "a=1; b=2"},
			{"http://nothost.test", ""},
			{"http://other.test", ""},
		},
	},
	{
		description: "public suffix refused",
		fromURL:     "http://www.example.co.uk/",
		setCookies:  []string{"a=1; Domain=co.uk", "b=2; Domain=uk", "c=3; Domain=example.co.uk"},
		refused:     []error{ErrPublicSuffix, ErrPublicSuffix, nil},
		content:     "c=3 example.co.uk/ session",
		queries: []query{
			{"http://www.example.co.uk", "c=3"},
			{"http://other.co.uk", ""},
		},
	},
	{
		description: "public suffix of the host itself is host-only",
		fromURL:     "http://co.uk/",
		setCookies:  []string{"a=1; Domain=co.uk"},
		content:     "a=1 co.uk/ host session",
		queries:     []query{{"http://co.uk", "a=1"}, {"http://www.co.uk", ""}},
	},
	{
		description: "private section of the list: github.io",
		fromURL:     "https://me.github.io/",
		setCookies:  []string{"a=1; Domain=github.io", "b=2; Domain=me.github.io"},
		refused:     []error{ErrPublicSuffix},
		content:     "b=2 me.github.io/ session",
		queries:     []query{{"https://you.github.io", ""}},
	},
	{
		description: "domain not matching the host refused",
		fromURL:     "http://www.host.test/",
		setCookies:  []string{"a=1; Domain=other.test", "b=2; Domain=sub.www.host.test", "c=3; Domain=..host.test"},
		refused:     []error{ErrDomainMismatch, ErrDomainMismatch, ErrBadDomain},
		content:     "",
	},
	{
		description: "IP host: host-only, Domain only the IP itself",
		fromURL:     "http://127.0.0.1:3000/",
		setCookies:  []string{"a=1", "b=2; Domain=127.0.0.1", "c=3; Domain=0.0.1"},
		refused:     []error{nil, nil, ErrDomainMismatch},
		content:     "a=1 127.0.0.1/ host session | b=2 127.0.0.1/ host session",
		queries: []query{
			{"http://127.0.0.1:9999/", "a=1; b=2"},
			{"http://127.0.0.2/", ""},
		},
	},
	{
		description: "paths: default path, matching, longest first",
		fromURL:     "http://www.host.test/some/path/file",
		setCookies:  []string{"a=1", "b=2; Path=/", "c=3; Path=/some", "d=4; Path=no-slash"},
		content:     "a=1 www.host.test/some/path host session | d=4 www.host.test/some/path host session | c=3 www.host.test/some host session | b=2 www.host.test/ host session",
		queries: []query{
			{"http://www.host.test/some/path/x", "a=1; d=4; c=3; b=2"},
			{"http://www.host.test/some/path", "a=1; d=4; c=3; b=2"},
			{"http://www.host.test/some/pathology", "c=3; b=2"},
			{"http://www.host.test/some", "c=3; b=2"},
			{"http://www.host.test/somewhere", "b=2"},
			{"http://www.host.test", "b=2"},
		},
	},
	{
		description: "secure cookies: only to secure origins; refused from plain http",
		fromURL:     "https://www.host.test/",
		setCookies:  []string{"a=1; Secure", "b=2"},
		content:     "a=1 www.host.test/ host secure session | b=2 www.host.test/ host session",
		queries: []query{
			{"https://www.host.test", "a=1; b=2"},
			{"http://www.host.test", "b=2"},
		},
	},
	{
		description: "quoted values are kept and sent back quoted",
		fromURL:     "http://www.host.test/",
		setCookies:  []string{`q="a b"`, `r="x"`},
		content:     `q="a b" www.host.test/ host session | r="x" www.host.test/ host session`,
		queries:     []query{{"http://www.host.test/", `q="a b"; r="x"`}},
	},
	{
		description: "name and value above 4096 bytes refused",
		fromURL:     "http://www.host.test/",
		setCookies:  []string{"big=" + strings.Repeat("x", 4094), "max=" + strings.Repeat("x", 4093)},
		refused:     []error{ErrTooLarge, nil},
		content:     "max=" + strings.Repeat("x", 4093) + " www.host.test/ host session",
	},
	{
		description: "secure from plain http refused, except loopback",
		fromURL:     "http://www.example.co.uk/",
		setCookies:  []string{"s=1; Secure"},
		refused:     []error{ErrInsecureSecure},
		content:     "",
	},
	{
		description: "secure over http on loopback, as curl and browsers",
		fromURL:     "http://localhost:3000/",
		setCookies:  []string{"s=1; Secure; HttpOnly"},
		content:     "s=1 localhost/ host secure httponly session",
		queries:     []query{{"http://localhost:3000/", "s=1"}},
	},
	{
		description: "expiry: Max-Age, Expires, Max-Age wins, 400-day cap",
		fromURL:     "http://www.host.test/",
		setCookies: []string{
			"a=1; Max-Age=3600",
			"b=2; Expires=" + future,
			"c=3; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
			"d=4; Max-Age=999999999",
			"e=5; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
		},
		content: "a=1 www.host.test/ host +1h0m0s | b=2 www.host.test/ host +48h0m0s | c=3 www.host.test/ host +1m0s | d=4 www.host.test/ host +9600h0m0s",
		queries: []query{{"http://www.host.test", "a=1; b=2; c=3; d=4"}},
	},
	{
		description: "deletion by Max-Age<=0 and past Expires; replacement by name+domain+path",
		fromURL:     "http://www.host.test/",
		setCookies: []string{
			"a=1", "b=2", "c=3", "d=4", "d=4; Path=/x",
			"a=; Max-Age=0",
			"b=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
			"c=33",
			"d=; Max-Age=-1; Path=/x",
		},
		content: "c=33 www.host.test/ host session | d=4 www.host.test/ host session",
		queries: []query{{"http://www.host.test/x", "c=33; d=4"}},
	},
	{
		description: "cookie prefixes",
		fromURL:     "https://www.host.test/",
		setCookies: []string{
			"__Secure-a=1",
			"__Secure-b=2; Secure",
			"__Host-c=3; Secure; Path=/",
			"__Host-d=4; Secure; Path=/; Domain=host.test",
			"__Host-e=5; Secure; Path=/x",
		},
		refused: []error{ErrCookiePrefix, nil, nil, ErrCookiePrefix, ErrCookiePrefix},
		content: "__Host-c=3 www.host.test/ host secure session | __Secure-b=2 www.host.test/ host secure session",
	},
}

func TestJar(t *testing.T) {
	for _, test := range jarTests {
		t.Run(test.description, func(t *testing.T) {
			test.run(t, newTestJar())
		})
	}
}

func TestJarLeavesSecureCookiesAlone(t *testing.T) {
	j := newTestJar()
	set := func(from, line string) error {
		return setLine(t, j, mustParseURL(t, from), line)
	}
	if err := set("https://www.host.test/", "id=secret; Secure; Domain=host.test"); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"id=evil", "id=evil; Domain=host.test", "id=evil; Path=/deeper", "id=; Max-Age=0; Domain=host.test"} {
		if err := set("http://www.host.test/", line); !errors.Is(err, ErrShadowsSecure) {
			t.Errorf("%q from http: %v, want ErrShadowsSecure", line, err)
		}
	}
	if err := set("http://www.host.test/", "other=1"); err != nil {
		t.Errorf("another name from http: %v", err)
	}
	if err := set("https://www.host.test/", "id=new; Secure; Domain=host.test"); err != nil {
		t.Errorf("replacement from https: %v", err)
	}
	if got := cookieHeader(j.Cookies(mustParseURL(t, "https://www.host.test/"))); got != "id=new; other=1" {
		t.Errorf("Cookies = %q", got)
	}
}

func TestJarExpiresWithTime(t *testing.T) {
	j := newTestJar()
	now := tNow
	j.now = func() time.Time { return now }
	u := mustParseURL(t, "http://www.host.test/")
	setLine(t, j, u, "short=1; Max-Age=60")
	setLine(t, j, u, "sess=2")
	now = now.Add(59 * time.Second)
	if got := cookieHeader(j.Cookies(u)); got != "short=1; sess=2" {
		t.Fatalf("after 59s: %q", got)
	}
	now = now.Add(time.Second)
	if got := cookieHeader(j.Cookies(u)); got != "sess=2" {
		t.Fatalf("after 60s: %q", got)
	}
	if n := len(j.All()); n != 1 {
		t.Fatalf("All has %d cookies, want 1", n)
	}
}

func TestJarReplacementKeepsCreation(t *testing.T) {
	j := newTestJar()
	now := tNow
	j.now = func() time.Time { return now }
	u := mustParseURL(t, "http://www.host.test/")
	setLine(t, j, u, "a=1")
	now = now.Add(time.Minute)
	setLine(t, j, u, "b=2")
	setLine(t, j, u, "a=3")
	// a keeps its creation time, so it still comes first (RFC 6265 §5.4).
	if got := cookieHeader(j.Cookies(u)); got != "a=3; b=2" {
		t.Fatalf("Cookies = %q, want a=3; b=2", got)
	}
	if c := j.All()[0]; !c.Created.Equal(tNow) {
		t.Fatalf("a created %v, want %v", c.Created, tNow)
	}
}

// The file as curl 7.88.1 wrote it for the demo server, plus a domain cookie,
// a secure cookie with an expiry and one that has expired.
const curlJarFile = `# Netscape HTTP Cookie File
# https://curl.se/docs/http-cookies.html
# This file was generated by libcurl! Edit at your own risk.

#HttpOnly_127.0.0.1	FALSE	/	FALSE	0	connect.sid	s%3Aabc.def%2Bghi
.example.co.uk	TRUE	/	FALSE	0	sub	1
www.host.test	FALSE	/app	TRUE	1900000000	tok	x y
www.host.test	FALSE	/	FALSE	1000000000	old	gone
`

func TestJarFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "sessctl", "cookies.txt")
	j, err := openJar(path, JarOptions{}, func() time.Time { return tNow })
	if err != nil {
		t.Fatalf("OpenJar of a missing file: %v", err)
	}
	if len(j.All()) != 0 {
		t.Fatal("missing file gave a non-empty jar")
	}
	for _, test := range jarTests {
		u := mustParseURL(t, test.fromURL)
		for _, line := range test.setCookies {
			if c, err := cookie.ParseSetCookie(line); err == nil {
				j.SetCookie(u, &c)
			}
		}
	}
	setLine(t, j, mustParseURL(t, "http://www.host.test/"), "exp=1; Max-Age=3600")
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("jar mode %v, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 2 || entries[1].Name() != "cookies.txt.lock" {
		t.Errorf("jar directory holds %v, want the jar and its lock file (no temp file left)", entries)
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	for _, want := range []string{
		cookiesTxtHeader,
		"\n#HttpOnly_localhost\tFALSE\t/\tTRUE\t0\ts\t1\n",
		"\n.example.co.uk\tTRUE\t/\tFALSE\t0\tc\t3\n",
		fmt.Sprintf("\nwww.host.test\tFALSE\t/\tFALSE\t%d\texp\t1\n", tNow.Add(time.Hour).Unix()),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("saved jar lacks %q:\n%s", want, text)
		}
	}
	j2, err := openJar(path, JarOptions{}, func() time.Time { return tNow })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := j2.All(), j.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestJarReadsCurlFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curl.txt")
	os.WriteFile(path, []byte(curlJarFile), 0o600)
	j, err := openJar(path, JarOptions{}, func() time.Time { return tNow })
	if err != nil {
		t.Fatal(err)
	}
	want := "connect.sid=s%3Aabc.def%2Bghi 127.0.0.1/ host httponly session | sub=1 example.co.uk/ session | tok=x y www.host.test/app host secure +" +
		time.Unix(1900000000, 0).Sub(tNow).String()
	if got := jarText(j); got != want {
		t.Errorf("jar:\n got %s\nwant %s", got, want)
	}
	for _, q := range []query{
		{"http://127.0.0.1:3000/", "connect.sid=s%3Aabc.def%2Bghi"},
		{"http://a.example.co.uk/", "sub=1"},
		{"https://www.host.test/app/x", "tok=x y"},
		{"http://www.host.test/app/x", ""},
	} {
		if got := cookieHeader(j.Cookies(mustParseURL(t, q.toURL))); got != q.want {
			t.Errorf("Cookies(%s) = %q, want %q", q.toURL, got, q.want)
		}
	}
}

func TestJarCorruptFile(t *testing.T) {
	for _, test := range []struct{ text, line, msg string }{
		{"# c\n\nexample.com\tTRUE\t/\n", "line 3", "want 7 TAB-separated fields, found 3"},
		{"example.com\tTRUE\t/\tFALSE\tsoon\ta\t1\n", "line 1", "expiry"},
		{"example.com\tTRUE\t/\tFALSE\t-1\ta\t1\n", "line 1", "expiry"},
		{"example.com\tTRUE\t/\tFALSE\t0\t\t1\n", "line 1", "name"},
		{"\n\n\n\nexample.com\tTRUE\t/\tFALSE\t0\ta=b\t1\n", "line 5", "name"},
		{"{\"cookies\": []}\n", "line 1", "not a cookies.txt"},
		{strings.Repeat("x", 6000) + "\n", "line 1", "longer than 5000 bytes"},
	} {
		path := filepath.Join(t.TempDir(), "bad.txt")
		os.WriteFile(path, []byte(test.text), 0o644)
		_, err := OpenJar(path, JarOptions{})
		if err == nil {
			t.Errorf("OpenJar(%q) = nil error", test.text)
			continue
		}
		for _, want := range []string{path, test.line + ":", test.msg} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("OpenJar(%q) = %v, want it to name %q", test.text, err, want)
			}
		}
		if data, _ := os.ReadFile(path); string(data) != test.text {
			t.Errorf("corrupt jar was changed")
		}
	}
}

func TestJarWgetFile(t *testing.T) {
	const wget = "# HTTP Cookie File\n# Generated by Wget on 2026-03-14 15:09:26.\n# Edit at your own risk.\n\n" +
		"127.0.0.1:3000\tFALSE\t/\tFALSE\t0\tconnect.sid\tv\n"
	j := newTestJar()
	cs, _, err := parseCookiesTxt(strings.NewReader(wget), tNow)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		j.put(&cs[i])
	}
	if got := cookieHeader(j.Cookies(mustParseURL(t, "http://127.0.0.1:3000/"))); got != "connect.sid=v" {
		t.Errorf("wget jar sends %q", got)
	}
}

func FuzzParseJar(f *testing.F) {
	f.Add(curlJarFile)
	f.Add("#HttpOnly_.a.b\tTRUE\t/\tTRUE\t0\tn\tv\r\n")
	f.Add("h:80\tfalse\t/p\tfalse\t1\tn\n")
	f.Add("x\tTRUE\t/\tFALSE\t99999999999999\tn\tv\n")
	f.Fuzz(func(t *testing.T, text string) {
		cs, _, err := parseCookiesTxt(strings.NewReader(text), tNow)
		if err != nil {
			return
		}
		var b strings.Builder
		writeCookiesTxt(&b, cs)
		cs2, _, err := parseCookiesTxt(strings.NewReader(b.String()), tNow)
		if err != nil {
			if strings.Contains(err.Error(), "longer than") {
				return
			}
			t.Fatalf("reparse of\n%s\nfailed: %v", b.String(), err)
		}
		if !reflect.DeepEqual(cs, cs2) {
			t.Fatalf("round trip changed the cookies:\n%+v\n%+v\nwritten:\n%s", cs, cs2, b.String())
		}
	})
}

// benchJar holds 1000 cookies over 100 hosts of one site, 10 paths each.
func benchJar(b *testing.B) *Jar {
	j := newTestJar()
	for h := 0; h < 100; h++ {
		u, _ := url.Parse(fmt.Sprintf("https://h%d.site.test/", h))
		for p := 0; p < 10; p++ {
			setLine(b, j, u, fmt.Sprintf("c%d=v; Path=/p%d; Max-Age=3600", p, p))
		}
	}
	return j
}

func BenchmarkJarCookies(b *testing.B) {
	j := benchJar(b)
	u, _ := url.Parse("https://h42.site.test/p3/x")
	b.ReportAllocs()
	for b.Loop() {
		if len(j.Cookies(u)) != 1 {
			b.Fatal("want 1 cookie")
		}
	}
}

func BenchmarkParseCookiesTxt(b *testing.B) {
	var buf strings.Builder
	writeCookiesTxt(&buf, benchJar(b).All())
	text := buf.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if cs, _, err := parseCookiesTxt(strings.NewReader(text), tNow); err != nil || len(cs) != 1000 {
			b.Fatal(len(cs), err)
		}
	}
}

// TestJarValuesByteForByte: values curl stores as they are (UTF-8, spaces,
// quotes) are stored, saved, read back and sent unchanged, with nothing
// from the Go log package on the way.
func TestJarValuesByteForByte(t *testing.T) {
	var logged strings.Builder
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	var gotCookie string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotCookie = r.Header.Get("Cookie")
		w.Header().Add("Set-Cookie", "utf=café; Path=/")
		w.Header().Add("Set-Cookie", "sp=a b c; Path=/")
		w.Header().Add("Set-Cookie", `q="x y"; Path=/`)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "cookies.txt")
	j, err := OpenJar(path, JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	steps, err := Visit(context.Background(), VisitConfig{URL: srv.URL, Jar: j, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range steps[0].SetCookies {
		if sc.Outcome != OutcomeStored {
			t.Errorf("%s: %s %s", sc.Raw, sc.Outcome, sc.Refused)
		}
	}
	want := `utf=café; sp=a b c; q="x y"`
	if gotCookie != want {
		t.Errorf("second visit sent Cookie %q, want %q", gotCookie, want)
	}
	if err := j.Save(); err != nil {
		t.Fatal(err)
	}
	j2, err := OpenJar(path, JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cookieHeader(j2.Cookies(mustParseURL(t, srv.URL))); !sameCookies(got, want) {
		t.Errorf("after a save and a read the jar sends %q, want %q", got, want)
	}
	if logged.Len() > 0 {
		t.Errorf("log output: %s", logged.String())
	}
}
