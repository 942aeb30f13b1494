package cookie

import (
	"errors"
	"testing"
	"time"
)

func date(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.UTC)
}

// setCookieTests: lines from RFC 6265 (§3.1, §5.2) and from curl's cookie
// tests (tests/data/test8, test31, test1105...), and what each parses to.
var setCookieTests = []struct {
	line string
	want SetCookie
	err  error
}{
	// RFC 6265 §3.1's examples.
	{line: "SID=31d4d96e407aad42", want: SetCookie{Name: "SID", Value: "31d4d96e407aad42"}},
	{line: "SID=31d4d96e407aad42; Path=/; Domain=example.com",
		want: SetCookie{Name: "SID", Value: "31d4d96e407aad42", Path: "/", Domain: "example.com"}},
	{line: "SID=31d4d96e407aad42; Path=/; Secure; HttpOnly",
		want: SetCookie{Name: "SID", Value: "31d4d96e407aad42", Path: "/", Secure: true, HttpOnly: true}},
	{line: "lang=en-US; Expires=Wed, 09 Jun 2021 10:18:14 GMT",
		want: SetCookie{Name: "lang", Value: "en-US", Expires: date(2021, 6, 9, 10, 18, 14), ExpiresRaw: "Wed, 09 Jun 2021 10:18:14 GMT"}},
	{line: "lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT",
		want: SetCookie{Name: "lang", Value: "", Expires: date(1994, 11, 6, 8, 49, 37), ExpiresRaw: "Sun, 06 Nov 1994 08:49:37 GMT"}},
	// Values byte for byte, as curl stores them: spaces inside, UTF-8,
	// quotes, '=' inside; blanks around name and value trimmed.
	{line: "sp=a b c", want: SetCookie{Name: "sp", Value: "a b c"}},
	{line: "utf=café", want: SetCookie{Name: "utf", Value: "café"}},
	{line: `q="quoted value"; Path=/`, want: SetCookie{Name: "q", Value: `"quoted value"`, Path: "/"}},
	{line: "b64=YQ==; path=/", want: SetCookie{Name: "b64", Value: "YQ==", Path: "/"}},
	{line: "  spaced  =  v 1  ;  Path = /p  ", want: SetCookie{Name: "spaced", Value: "v 1", Path: "/p"}},
	{line: "empty=", want: SetCookie{Name: "empty"}},
	{line: "a b=1", want: SetCookie{Name: "a b", Value: "1"}}, // curl keeps a name net/http refuses
	{line: "ünï=1", want: SetCookie{Name: "ünï", Value: "1"}},
	// Refusals (curl drops these too).
	{line: "novalue", err: ErrSetCookieNoEquals},
	{line: "novalue; a=b", err: ErrSetCookieNoEquals},
	{line: "", err: ErrSetCookieNoEquals},
	{line: "=value", err: ErrSetCookieNoName},
	{line: " \t=value", err: ErrSetCookieNoName},
	{line: "tab=a\tb", err: ErrSetCookieCTL},
	{line: "ctl=a\x01b", err: ErrSetCookieCTL},
	{line: "del=a\x7fb", err: ErrSetCookieCTL},
	{line: "n\x00=1", err: ErrSetCookieCTL},
	// Attributes: case-insensitive, the last wins, unknown ignored.
	{line: "a=1; pAtH=/x; PATH=/y", want: SetCookie{Name: "a", Value: "1", Path: "/y"}},
	{line: "a=1; Path=/x; Path=rel", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1; Path=", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1; Domain=.Example.COM", want: SetCookie{Name: "a", Value: "1", Domain: ".Example.COM"}},
	{line: "a=1; Domain=", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1; secure=yes; HTTPONLY", want: SetCookie{Name: "a", Value: "1", Secure: true, HttpOnly: true}},
	{line: "a=1; Partitioned; Secure", want: SetCookie{Name: "a", Value: "1", Partitioned: true, Secure: true}},
	{line: "a=1; SameSite=lax", want: SetCookie{Name: "a", Value: "1", SameSite: "Lax"}},
	{line: "a=1; samesite=STRICT", want: SetCookie{Name: "a", Value: "1", SameSite: "Strict"}},
	{line: "a=1; SameSite=None; Secure", want: SetCookie{Name: "a", Value: "1", SameSite: "None", Secure: true}},
	{line: "a=1; SameSite=Lax; SameSite=bogus", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1; Version=1; Comment=x; Priority=High; foo", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1;;; ;Secure", want: SetCookie{Name: "a", Value: "1", Secure: true}},
	// Max-Age: raw and parsed; RFC 6265 §5.2.2 ignores a non-number.
	{line: "a=1; Max-Age=60", want: SetCookie{Name: "a", Value: "1", MaxAge: 60, HasMaxAge: true, MaxAgeRaw: "60"}},
	{line: "a=1; max-age=0", want: SetCookie{Name: "a", Value: "1", HasMaxAge: true, MaxAgeRaw: "0"}},
	{line: "a=1; Max-Age=-5", want: SetCookie{Name: "a", Value: "1", MaxAge: -5, HasMaxAge: true, MaxAgeRaw: "-5"}},
	{line: "a=1; Max-Age=007", want: SetCookie{Name: "a", Value: "1", MaxAge: 7, HasMaxAge: true, MaxAgeRaw: "007"}},
	{line: "a=1; Max-Age=1e3", want: SetCookie{Name: "a", Value: "1", MaxAgeRaw: "1e3"}},
	{line: "a=1; Max-Age=+5", want: SetCookie{Name: "a", Value: "1", MaxAgeRaw: "+5"}},
	{line: "a=1; Max-Age=-", want: SetCookie{Name: "a", Value: "1", MaxAgeRaw: "-"}},
	{line: "a=1; Max-Age=", want: SetCookie{Name: "a", Value: "1"}},
	{line: "a=1; Max-Age=99999999999999999999999", want: SetCookie{Name: "a", Value: "1", MaxAge: 1<<63 - 1, HasMaxAge: true, MaxAgeRaw: "99999999999999999999999"}},
	{line: "a=1; Max-Age=99999999999999999999999x", want: SetCookie{Name: "a", Value: "1", MaxAgeRaw: "99999999999999999999999x"}},
	// Expires in the formats servers send (curl's test data has them all).
	{line: "a=1; expires=Thursday, 21-Oct-2032 07:28:00 GMT",
		want: SetCookie{Name: "a", Value: "1", Expires: date(2032, 10, 21, 7, 28, 0), ExpiresRaw: "Thursday, 21-Oct-2032 07:28:00 GMT"}},
	{line: "a=1; expires=Thu, 21-Oct-32 07:28:00 GMT",
		want: SetCookie{Name: "a", Value: "1", Expires: date(2032, 10, 21, 7, 28, 0), ExpiresRaw: "Thu, 21-Oct-32 07:28:00 GMT"}},
	{line: "a=1; expires=Sun Nov  6 08:49:37 1994",
		want: SetCookie{Name: "a", Value: "1", Expires: date(1994, 11, 6, 8, 49, 37), ExpiresRaw: "Sun Nov  6 08:49:37 1994"}},
	{line: "a=1; expires=not a date", want: SetCookie{Name: "a", Value: "1", ExpiresRaw: "not a date"}},
}

func TestParseSetCookie(t *testing.T) {
	for _, test := range setCookieTests {
		got, err := ParseSetCookie(test.line)
		if !errors.Is(err, test.err) {
			t.Errorf("ParseSetCookie(%q) error %v, want %v", test.line, err, test.err)
			continue
		}
		if err == nil && got != test.want {
			t.Errorf("ParseSetCookie(%q)\n got %+v\nwant %+v", test.line, got, test.want)
		}
	}
}

func TestParseCookieDate(t *testing.T) {
	for _, test := range []struct {
		in   string
		want time.Time // zero: not a date
	}{
		{"Wed, 21 Oct 2015 07:28:00 GMT", date(2015, 10, 21, 7, 28, 0)},
		{"Wednesday, 21-Oct-15 07:28:00 GMT", date(2015, 10, 21, 7, 28, 0)},
		{"Wed Oct 21 07:28:00 2015", date(2015, 10, 21, 7, 28, 0)},
		{"21 October 2015 7:8:9", date(2015, 10, 21, 7, 8, 9)},
		{"Thu, 01 Jan 1970 00:00:00 GMT", date(1970, 1, 1, 0, 0, 0)},
		{"Tue, 01-Jan-69 00:00:01 GMT", date(2069, 1, 1, 0, 0, 1)},
		{"Fri, 01-Jan-70 00:00:01 GMT", date(1970, 1, 1, 0, 0, 1)},
		{"Sat, 31 Dec 9999 23:59:59 GMT", date(9999, 12, 31, 23, 59, 59)},
		{"", time.Time{}},
		{"Wed, 21 Oct 2015", time.Time{}},          // no time
		{"Wed, 21 2015 07:28:00 GMT", time.Time{}}, // no month
		{"Wed, 31 Apr 2015 07:28:00 GMT", time.Time{}},
		{"Wed, 32 Oct 2015 07:28:00 GMT", time.Time{}},
		{"Wed, 21 Oct 2015 24:00:00 GMT", time.Time{}},
		{"Wed, 21 Oct 1600 07:28:00 GMT", time.Time{}},
		{"Wed, 21 Oct 20155 07:28:00 GMT", time.Time{}},
		{"Wed, 21 Oct 2015 07:28:000 GMT", time.Time{}},
	} {
		got, ok := ParseCookieDate(test.in)
		if ok != !test.want.IsZero() || !got.Equal(test.want) {
			t.Errorf("ParseCookieDate(%q) = %v, %v; want %v", test.in, got, ok, test.want)
		}
	}
}

func TestSetCookieExpiresAt(t *testing.T) {
	now := date(2026, 3, 14, 15, 9, 26)
	for _, test := range []struct {
		line       string
		want       time.Time
		persistent bool
	}{
		{"a=1", time.Time{}, false},
		{"a=1; Max-Age=60", now.Add(time.Minute), true},
		{"a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT", now.Add(time.Minute), true}, // Max-Age wins
		{"a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60", now.Add(time.Minute), true},
		{"a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT", date(1994, 11, 6, 8, 49, 37), true},
		{"a=1; Max-Age=x; Expires=Sun, 06 Nov 1994 08:49:37 GMT", date(1994, 11, 6, 8, 49, 37), true},
		{"a=1; Expires=junk", time.Time{}, false},
	} {
		c, err := ParseSetCookie(test.line)
		if err != nil {
			t.Fatal(err)
		}
		got, p := c.ExpiresAt(now)
		if p != test.persistent || !got.Equal(test.want) {
			t.Errorf("%q: ExpiresAt = %v, %v; want %v, %v", test.line, got, p, test.want, test.persistent)
		}
	}
	for _, line := range []string{"a=1; Max-Age=0", "a=1; Max-Age=-1", "a=1; Max-Age=0; Expires=Sat, 31 Dec 9999 23:59:59 GMT"} {
		c, _ := ParseSetCookie(line)
		if at, p := c.ExpiresAt(now); !p || at.After(now) {
			t.Errorf("%q: ExpiresAt = %v, %v; want a time before now", line, at, p)
		}
	}
	c, _ := ParseSetCookie("a=1; Max-Age=99999999999999999999")
	if at, p := c.ExpiresAt(now); !p || !at.After(now.Add(100*365*24*time.Hour)) {
		t.Errorf("huge Max-Age: ExpiresAt = %v, %v", at, p)
	}
}

// TestParseSetCookieAllocs: the bench engine's hot loop parses every
// Set-Cookie, so the parser allocates nothing.
func TestParseSetCookieAllocs(t *testing.T) {
	line := "connect.sid=s%3Aabc.def; Path=/; Expires=Wed, 21 Oct 2032 07:28:00 GMT; Max-Age=3600; HttpOnly; Secure; SameSite=Lax; Domain=example.com"
	var sink SetCookie
	if n := testing.AllocsPerRun(100, func() { sink, _ = ParseSetCookie(line) }); n != 0 {
		t.Errorf("ParseSetCookie allocates %v times per call", n)
	}
	if _, err := ParseSetCookie("x"); err == nil {
		t.Fatal("no error")
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseSetCookie("x") }); n != 0 {
		t.Errorf("ParseSetCookie of a bad line allocates %v times per call", n)
	}
	_ = sink
}

func FuzzParseSetCookie(f *testing.F) {
	for _, test := range setCookieTests {
		f.Add(test.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := ParseSetCookie(line)
		if err != nil {
			return
		}
		if c.Name == "" || hasCTL(c.Name) || hasCTL(c.Value) {
			t.Fatalf("ParseSetCookie(%q) = %+v", line, c)
		}
		if c.Path != "" && c.Path[0] != '/' {
			t.Fatalf("path %q", c.Path)
		}
		c.ExpiresAt(time.Now())
	})
}
