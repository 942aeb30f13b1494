package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client"
)

// This file is the bench engine's own HTTP/1.1 client: requests are
// prebuilt bytes written on a keep-alive connection, and responses are
// parsed incrementally from a read buffer into reused buffers, so a request
// costs no allocation; the goroutine engine (a net.Conn) and the epoll
// engine (a non-blocking socket) share both.
// net/http's client costs about twice the CPU per request, which on a
// machine where client and server share the cores halves the throughput.

// target is one URL of a bench run, resolved once.
type target struct {
	raw        string
	addr       string // host:port to dial
	host       string // Host header
	path       string // request-target: path and query
	tls        bool
	serverName string
}

func parseTarget(raw string) (*target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	t := &target{raw: raw, host: u.Host, path: u.RequestURI()}
	switch u.Scheme {
	case "http":
	case "https":
		t.tls = true
	default:
		return nil, fmt.Errorf("url %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("url %q: no host", raw)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if t.tls {
			port = "443"
		}
	}
	t.serverName = u.Hostname()
	t.addr = net.JoinHostPort(u.Hostname(), port)
	return t, nil
}

// requestTemplate holds the bytes of one target's request around the
// Cookie header, which each virtual user fills in.
type requestTemplate struct {
	head   []byte // request line and headers up to the Cookie header
	tail   []byte // the remaining headers, the blank line and the body
	path   string // for cookie path matching
	isHead bool   // method is HEAD: no response body
}

// newRequestTemplate builds t's request. header holds -H lines in order;
// a Cookie header there is not copied (it seeds the cookie state).
func newRequestTemplate(t *target, method string, header [][2]string, body []byte) *requestTemplate {
	var h bytes.Buffer
	fmt.Fprintf(&h, "%s %s HTTP/1.1\r\n", method, t.path)
	host, ua := t.host, "sessctl-bench"
	for _, kv := range header {
		switch {
		case strings.EqualFold(kv[0], "Host"):
			host = kv[1]
		case strings.EqualFold(kv[0], "User-Agent"):
			ua = kv[1]
		}
	}
	fmt.Fprintf(&h, "Host: %s\r\nUser-Agent: %s\r\n", host, ua)
	contentType := false
	for _, kv := range header {
		contentType = contentType || strings.EqualFold(kv[0], "Content-Type")
	}
	if body != nil && !contentType {
		fmt.Fprintf(&h, "Content-Type: %s\r\n", client.FormContentType) // as visit and curl -d
	}
	for _, kv := range header {
		switch {
		case strings.EqualFold(kv[0], "Host"), strings.EqualFold(kv[0], "User-Agent"),
			strings.EqualFold(kv[0], "Cookie"), strings.EqualFold(kv[0], "Content-Length"):
		default:
			fmt.Fprintf(&h, "%s: %s\r\n", kv[0], kv[1])
		}
	}
	var tail bytes.Buffer
	if len(body) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		fmt.Fprintf(&tail, "Content-Length: %d\r\n", len(body))
	}
	tail.WriteString("\r\n")
	tail.Write(body)
	return &requestTemplate{head: h.Bytes(), tail: tail.Bytes(), path: t.path, isHead: method == http.MethodHead}
}

// httpConn is one keep-alive connection of the goroutine engine.
type httpConn struct {
	c      net.Conn
	in     inBuf
	reused bool // a request has completed on it
	// deadline is the read and write deadline last set
	deadline time.Time
	stop     func() bool
}

// dialConn connects to t; cancelling ctx later unblocks any read or write
// on the connection.
func dialConn(ctx context.Context, t *target, timeout time.Duration, insecure bool) (*httpConn, error) {
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	c, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	if t.tls {
		tc := tls.Client(c, &tls.Config{
			ServerName:         t.serverName,
			InsecureSkipVerify: insecure,
			NextProtos:         []string{"http/1.1"},
		})
		hctx, cancel := context.WithTimeout(ctx, timeout)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("tls handshake with %s: %w", t.addr, err)
		}
		c = tc
	}
	hc := &httpConn{c: c}
	hc.stop = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return hc, nil
}

func (hc *httpConn) close() {
	hc.stop()
	hc.c.Close()
}

// readResponse reads one response into r; head is set for a HEAD request.
func (hc *httpConn) readResponse(r *response, head bool) error {
	return readResponse(hc.c, &hc.in, r, head)
}

// readResponse reads one response from rd, through in, into r: the
// blocking side of the parser.
func readResponse(rd io.Reader, in *inBuf, r *response, head bool) error {
	r.reset(head)
	for {
		if p := in.pending(); len(p) > 0 {
			used, done, err := r.feed(p)
			in.consume(used)
			if err != nil || done {
				return err
			}
		}
		n, err := rd.Read(in.space())
		in.filled(n)
		if err != nil && n == 0 {
			if err == io.EOF {
				return r.eof(len(in.pending()))
			}
			return err
		}
	}
}

// readBuffer is the size of a connection's read buffer: 4 KiB, as 50
// connections' 16 KiB buffers measurably slowed a server on the same cores
// (its requests/s rose by a few % with 4 KiB). It grows for a longer
// header line, up to maxLine and one buffer more.
const readBuffer = 4 << 10

// inBuf is a connection's read buffer: bytes are read into space, handed
// to the parser from pending, and dropped once consumed. Both engines use
// it.
type inBuf struct {
	b      []byte
	rd, wr int
}

func (in *inBuf) pending() []byte { return in.b[in.rd:in.wr] }
func (in *inBuf) consume(n int)   { in.rd += n }
func (in *inBuf) filled(n int)    { in.wr += n }
func (in *inBuf) reset()          { in.rd, in.wr = 0, 0 }

// space returns the free room after the pending bytes, moving them to the
// front first, and growing the buffer when they fill it (a line longer
// than the buffer: the parser refuses lines past maxLine, so the buffer
// stays below maxLine+readBuffer).
func (in *inBuf) space() []byte {
	if in.b == nil {
		in.b = make([]byte, readBuffer)
	}
	if in.rd == in.wr {
		in.rd, in.wr = 0, 0
	} else if in.wr == len(in.b) && in.rd > 0 {
		in.wr = copy(in.b, in.b[in.rd:in.wr])
		in.rd = 0
	}
	if in.wr == len(in.b) {
		in.b = append(in.b, make([]byte, len(in.b))...)
	}
	return in.b[in.wr:]
}

// maxBody is how much of a body is kept for the counter; the rest is read
// and dropped.
const maxBody = 1 << 20

// response is one response, parsed incrementally from bytes as they come
// (feed) so that a blocking reader and an event loop share the parser; its
// slices are reused by the next response.
type response struct {
	status     int
	close      bool     // the server will close the connection
	body       []byte   // at most maxBody bytes
	setCookies [][]byte // Set-Cookie values, pointing into arena
	keepName   []byte   // a lower-case header name whose values go to kept; nil: none
	kept       [][]byte // its values, pointing into arena
	arena      []byte
	n          int64 // bytes consumed

	state   parseState
	head    bool  // the request was HEAD: no body
	left    int64 // bytes of the body or chunk still to come
	length  int64 // Content-Length; -1 when none
	chunked bool
}

type parseState uint8

const (
	stStatus    parseState = iota // the status line
	stHeader                      // header lines up to the blank line
	stBody                        // left bytes of body
	stBodyEOF                     // a body that ends when the connection does
	stChunkSize                   // a chunk-size line
	stChunkData                   // left bytes of a chunk
	stChunkEnd                    // the CRLF after a chunk
	stTrailer                     // trailer lines up to the blank line
	stDone
)

// errProtocol marks a response that is not HTTP/1.x.
var errProtocol = errors.New("malformed response")

func protocolErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errProtocol}, args...)...)
}

// maxLine bounds a status or header line.
const maxLine = 64 << 10

var (
	hContentLength    = []byte("content-length")
	hTransferEncoding = []byte("transfer-encoding")
	hSetCookie        = []byte("set-cookie")
	hConnection       = []byte("connection")
)

// reset makes r ready for the next response; head is set for a HEAD
// request.
func (r *response) reset(head bool) {
	r.status, r.close, r.body, r.setCookies, r.arena, r.n = 0, false, r.body[:0], r.setCookies[:0], r.arena[:0], 0
	r.kept = r.kept[:0]
	r.state, r.head, r.left, r.length, r.chunked = stStatus, head, 0, -1, false
}

// feed parses the start of b, the bytes received and not yet consumed. It
// returns how many it consumed (a line only when whole: the caller keeps
// the rest and calls again with more) and whether the response is
// complete. Bytes after a complete response are not consumed.
func (r *response) feed(b []byte) (used int, done bool, err error) {
	used, err = r.parse(b)
	r.n += int64(used)
	return used, r.state == stDone, err
}

func (r *response) parse(b []byte) (int, error) {
	used := 0
	for r.state != stDone && used < len(b) {
		switch r.state {
		case stBody, stChunkData:
			k := len(b) - used
			if int64(k) > r.left {
				k = int(r.left)
			}
			r.keep(b[used : used+k])
			used += k
			if r.left -= int64(k); r.left == 0 {
				if r.state == stBody {
					r.state = stDone
				} else {
					r.state = stChunkEnd
				}
			}
		case stBodyEOF:
			r.keep(b[used:])
			used = len(b)
		default:
			i := bytes.IndexByte(b[used:], '\n')
			if i < 0 {
				if len(b)-used > maxLine {
					return used, protocolErr("header line longer than %d bytes", maxLine)
				}
				return used, nil
			}
			line := b[used : used+i+1]
			if len(line) > maxLine {
				return used, protocolErr("header line longer than %d bytes", maxLine)
			}
			used += i + 1
			if err := r.line(trimCRLF(line)); err != nil {
				return used, err
			}
		}
	}
	return used, nil
}

// eof is called when the connection ends before r is complete, pending
// bytes received and not consumed: it completes a body that runs to the
// end of the connection, and otherwise says io.EOF when nothing of a
// response came (a keep-alive connection the server closed while idle)
// and io.ErrUnexpectedEOF when part of one did.
func (r *response) eof(pending int) error {
	switch {
	case r.state == stBodyEOF:
		r.state = stDone
		return nil
	case r.n == 0 && pending == 0:
		return io.EOF
	default:
		return io.ErrUnexpectedEOF
	}
}

// keep appends body bytes up to maxBody; the rest is dropped.
func (r *response) keep(b []byte) {
	if room := maxBody - len(r.body); room > 0 {
		if len(b) > room {
			b = b[:room]
		}
		r.body = append(r.body, b...)
	}
}

// line handles one line of the head, of the chunk framing or of the
// trailer, its CRLF trimmed.
func (r *response) line(line []byte) error {
	switch r.state {
	case stStatus:
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
			(len(line) > 12 && line[12] != ' ') {
			return protocolErr("status line %q", line)
		}
		status, ok := atoi(line[9:12])
		if !ok {
			return protocolErr("status line %q", line)
		}
		r.status = status
		r.close = line[7] == '0'
		r.state = stHeader
	case stHeader:
		if len(line) == 0 {
			r.endHead()
			return nil
		}
		return r.header(line)
	case stChunkSize:
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, ok := parseHex(bytes.TrimSpace(line))
		if !ok {
			return protocolErr("chunk size %q", line)
		}
		if size == 0 {
			r.state = stTrailer
		} else {
			r.left, r.state = size, stChunkData
		}
	case stChunkEnd:
		if len(line) != 0 {
			return protocolErr("no CRLF after chunk")
		}
		r.state = stChunkSize
	case stTrailer:
		if len(line) == 0 {
			r.state = stDone
		}
	}
	return nil
}

func (r *response) header(line []byte) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return protocolErr("header line %q", line)
	}
	name := line[:colon]
	if r.keepName != nil && equalLower(name, r.keepName) {
		val := bytes.TrimSpace(line[colon+1:])
		start := len(r.arena)
		r.arena = append(r.arena, val...)
		r.kept = append(r.kept, r.arena[start:len(r.arena):len(r.arena)])
	}
	switch len(name) { // only four headers matter: skip the rest cheaply
	case len(hContentLength), len(hTransferEncoding), len(hSetCookie):
	default:
		return nil
	}
	val := bytes.TrimSpace(line[colon+1:])
	switch {
	case equalLower(name, hContentLength):
		n, ok := atoi(val)
		if !ok {
			return protocolErr("Content-Length %q", val)
		}
		r.length = int64(n)
	case equalLower(name, hTransferEncoding):
		r.chunked = bytes.EqualFold(val, []byte("chunked"))
	case equalLower(name, hSetCookie):
		// The value is copied: the read buffer moves on.
		start := len(r.arena)
		r.arena = append(r.arena, val...)
		r.setCookies = append(r.setCookies, r.arena[start:len(r.arena):len(r.arena)])
	case equalLower(name, hConnection):
		if bytes.EqualFold(val, []byte("close")) {
			r.close = true
		} else if bytes.EqualFold(val, []byte("keep-alive")) {
			r.close = false
		}
	}
	return nil
}

// endHead decides, at the blank line after the headers, what follows.
func (r *response) endHead() {
	if r.status < 200 && r.status != 101 {
		// 1xx interim response: its headers do not count; read the next.
		r.state, r.length, r.chunked = stStatus, -1, false
		r.setCookies, r.arena = r.setCookies[:0], r.arena[:0]
		r.close = false
		return
	}
	// The arena may have moved while growing: re-slice the Set-Cookie
	// values from it.
	off := 0
	for i, sc := range r.setCookies {
		r.setCookies[i] = r.arena[off : off+len(sc) : off+len(sc)]
		off += len(sc)
	}
	switch {
	case r.head || r.status == 204 || r.status == 304 || r.status < 200:
		r.state = stDone
	case r.chunked:
		r.state = stChunkSize
	case r.length == 0:
		r.state = stDone
	case r.length > 0:
		r.left, r.state = r.length, stBody
	default:
		r.close = true
		r.state = stBodyEOF
	}
}

// parseHex parses a chunk size without allocating.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(c)
	}
	return n, true
}

// equalLower reports whether b equals lower, a lower-case ASCII name, in
// any case: bytes.EqualFold without its Unicode path, for header names.
func equalLower(b, lower []byte) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func trimCRLF(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// atoi parses a non-negative decimal without allocating.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
