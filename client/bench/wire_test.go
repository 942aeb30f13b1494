package bench

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		head       bool
		status     int
		body       string
		setCookies []string
		close      bool
		err        string
	}{
		{name: "content-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: x\r\n\r\nhello",
			status: 200, body: "hello"},
		{name: "set-cookie", raw: "HTTP/1.1 201 Created\r\nset-cookie: a=1; Path=/\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\n{}",
			status: 201, body: "{}", setCookies: []string{"a=1; Path=/", "b=2"}},
		{name: "chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: 1\r\n\r\n",
			status: 200, body: "abcde"},
		{name: "connection close", raw: "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			status: 503, close: true},
		{name: "http/1.0", raw: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", status: 200, body: "x", close: true},
		{name: "http/1.0 keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", status: 200, body: "x"},
		{name: "body to EOF", raw: "HTTP/1.1 200 OK\r\n\r\nuntil the end", status: 200, body: "until the end", close: true},
		{name: "head", raw: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", head: true, status: 200},
		{name: "no content", raw: "HTTP/1.1 204 No Content\r\n\r\n", status: 204},
		{name: "interim 100", raw: "HTTP/1.1 100 Continue\r\nSet-Cookie: no=1\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: yes=1\r\nContent-Length: 2\r\n\r\nok",
			status: 200, body: "ok", setCookies: []string{"yes=1"}},
		{name: "LF only", raw: "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", status: 200, body: "ok"},
		{name: "truncated body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", err: "unexpected EOF"},
		{name: "not http", raw: "SSH-2.0-OpenSSH\r\n\r\n", err: "malformed response"},
		{name: "bad length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: "malformed response"},
		{name: "bad chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: "malformed response"},
		{name: "empty", raw: "", err: "EOF"},
		{name: "set-cookie longer than the buffer", raw: "HTTP/1.1 200 OK\r\nSet-Cookie: jwt=" + strings.Repeat("j", 9000) +
			"; Path=/\r\nContent-Length: 2\r\n\r\nok", status: 200, body: "ok", setCookies: []string{"jwt=" + strings.Repeat("j", 9000) + "; Path=/"}},
		{name: "header line too long", raw: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("x", maxLine+10) + "\r\n\r\n", err: "longer than"},
		{name: "long line cut by EOF", raw: "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("x", 5000), err: "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Whole, and a byte at a time: the parser is incremental.
			for _, rd := range []io.Reader{strings.NewReader(tt.raw), iotest.OneByteReader(strings.NewReader(tt.raw))} {
				var r response
				var in inBuf
				err := readResponse(rd, &in, &r, tt.head)
				if tt.err != "" {
					if err == nil || !strings.Contains(err.Error(), tt.err) {
						t.Fatalf("err %v, want %q", err, tt.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var sc []string
				for _, c := range r.setCookies {
					sc = append(sc, string(c))
				}
				if r.status != tt.status || string(r.body) != tt.body || strings.Join(sc, "|") != strings.Join(tt.setCookies, "|") || r.close != tt.close {
					t.Errorf("got status %d body %q cookies %q close %v", r.status, r.body, sc, r.close)
				}
				if r.n != int64(len(tt.raw)) && !tt.head {
					t.Errorf("n = %d, want %d", r.n, len(tt.raw))
				}
			}
		})
	}
}

func TestReadResponseKeepAlive(t *testing.T) {
	// Two responses back to back on one connection, with a body larger than
	// the reader's buffer and one beyond maxBody.
	big := strings.Repeat("x", maxBody+100)
	raw := "HTTP/1.1 200 OK\r\nContent-Length: 40000\r\n\r\n" + strings.Repeat("y", 40000) +
		"HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big +
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	rd := strings.NewReader(raw)
	var in inBuf
	var r response
	for i, want := range []int{40000, maxBody, 2} {
		if err := readResponse(rd, &in, &r, false); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if len(r.body) != want {
			t.Errorf("response %d: body %d bytes, want %d", i, len(r.body), want)
		}
	}
}

func TestRequestTemplate(t *testing.T) {
	tg, err := parseTarget("http://127.0.0.1:3000/count?x=1")
	if err != nil {
		t.Fatal(err)
	}
	tm := newRequestTemplate(tg, "POST", [][2]string{{"Accept", "application/json"}, {"Host", "app.test"}, {"Cookie", "z=1"}}, []byte(`{"a":1}`))
	var lc userCookies
	lc.seed("z=1")
	b := append([]byte(nil), tm.head...)
	b = lc.appendHeader(b, tm.path)
	b = append(b, tm.tail...)
	// A body without a Content-Type goes as a form, as curl -d and visit.
	want := "POST /count?x=1 HTTP/1.1\r\nHost: app.test\r\nUser-Agent: sessctl-bench\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Accept: application/json\r\nCookie: z=1\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
	if string(b) != want {
		t.Errorf("request\n%q\nwant\n%q", b, want)
	}
	tm = newRequestTemplate(tg, "POST", [][2]string{{"Content-Type", "application/json"}}, []byte{})
	if b := string(tm.head) + string(tm.tail); strings.Count(b, "Content-Type") != 1 || !strings.Contains(b, "Content-Type: application/json\r\n") ||
		!strings.Contains(b, "Content-Length: 0\r\n") {
		t.Errorf("request with -H Content-Type and an empty body:\n%q", b)
	}
	if b := string(newRequestTemplate(tg, "GET", nil, nil).head); strings.Contains(b, "Content-Type") {
		t.Errorf("GET without a body has a Content-Type:\n%q", b)
	}
	for _, bad := range []string{"ftp://x/", "http:///x", "://"} {
		if _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) accepted", bad)
		}
	}
	if tg, _ := parseTarget("https://app.test/"); tg.addr != "app.test:443" || !tg.tls {
		t.Errorf("https target %+v", tg)
	}
}

func FuzzReadResponse(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false)
	f.Add("HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\n\r\n", true)
	f.Fuzz(func(t *testing.T, raw string, head bool) {
		var r response
		var in inBuf
		rd := strings.NewReader(raw)
		for range 3 {
			if readResponse(rd, &in, &r, head) != nil {
				return
			}
			if len(in.b) > maxLine+readBuffer {
				t.Fatalf("read buffer grew to %d bytes", len(in.b))
			}
			if len(r.body) > maxBody {
				t.Fatalf("body %d bytes", len(r.body))
			}
		}
	})
}

// BenchmarkRoundTrip is the hot loop's client side on a real loopback
// connection: build the request from the template and cookies, write it,
// parse the response and read the counter. The server side is constServer,
// answering the demo's bytes as fast as it reads requests.
func BenchmarkRoundTrip(b *testing.B) {
	tg, _ := parseTarget(constServer(b))
	e := &engine{targets: []*target{tg}, tmpls: []*requestTemplate{newRequestTemplate(tg, "GET", nil, nil)}}
	v := e.newVU(userCookies{})
	v.cookies.seed("connect.sid=s%3AVz3W8h3x1Yq0fY2bE9mJk5hA7pR4tL6u.0123456789abcdefghijklmnopqrstuvwxyzABCDE")
	hc, err := dialConn(b.Context(), tg, time.Second, false)
	if err != nil {
		b.Fatal(err)
	}
	defer hc.close()
	counter := parseJSONPath("visitCount")
	var r response
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hc.c.Write(v.request(e, 0, time.Now())); err != nil {
			b.Fatal(err)
		}
		if err := hc.readResponse(&r, false); err != nil {
			b.Fatal(err)
		}
		v.applyCookies(&r, "/", time.Now(), true)
		raw, _ := counter.lookup(r.body)
		if _, ok := parseCounter(raw); !ok {
			b.Fatal("no counter")
		}
	}
}

// BenchmarkParseResponse is response parsing alone, from memory.
func BenchmarkParseResponse(b *testing.B) {
	one := "HTTP/1.1 201 Created\r\nX-Powered-By: Express\r\nSet-Cookie: connect.sid=s%3Aabc.sig; Path=/; HttpOnly\r\n" +
		"Content-Type: application/json; charset=utf-8\r\nContent-Length: 102\r\n\r\n" +
		`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":1}`
	data := []byte(strings.Repeat(one, 64))
	var r response
	b.ReportAllocs()
	off := 0
	for b.Loop() {
		if off == len(data) {
			off = 0
		}
		r.reset(false)
		used, done, err := r.feed(data[off:])
		if err != nil || !done {
			b.Fatal(err, done)
		}
		off += used
	}
}

// FuzzFeedSplit: the parser reads the same responses whether the bytes come
// whole or a byte at a time.
func FuzzFeedSplit(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false)
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\nHTTP/1.1 204 No\r\n\r\n", false)
	f.Add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\n\r\nbody to EOF", true)
	f.Fuzz(func(t *testing.T, raw string, head bool) {
		type parsed struct {
			status int
			close  bool
			body   string
			sc     string
			n      int64
			err    bool
		}
		read := func(rd io.Reader) []parsed {
			var out []parsed
			var r response
			var in inBuf
			for range 3 {
				err := readResponse(rd, &in, &r, head)
				var sc []string
				for _, c := range r.setCookies {
					sc = append(sc, string(c))
				}
				out = append(out, parsed{r.status, r.close, string(r.body), strings.Join(sc, "\n"), r.n, err != nil})
				if err != nil {
					break
				}
			}
			return out
		}
		whole, split := read(strings.NewReader(raw)), read(iotest.OneByteReader(strings.NewReader(raw)))
		if len(whole) != len(split) {
			t.Fatalf("whole %+v\nsplit %+v", whole, split)
		}
		for i := range whole {
			w, s := whole[i], split[i]
			if w.err != s.err || (!w.err && w != s) {
				t.Fatalf("response %d: whole %+v\nsplit %+v", i, w, s)
			}
		}
	})
}
