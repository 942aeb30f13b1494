package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file is the bench engine's own HTTP/1.1 client: requests are
// prebuilt bytes written on a keep-alive net.Conn, and responses are parsed
// from a bufio.Reader into reused buffers, so a request costs no allocation.
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

// httpConn is one keep-alive connection of a worker.
type httpConn struct {
	c      net.Conn
	br     *bufio.Reader
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
	hc := &httpConn{c: c, br: bufio.NewReaderSize(c, readBuffer)}
	hc.stop = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return hc, nil
}

func (hc *httpConn) close() {
	hc.stop()
	hc.c.Close()
}

// readBuffer is the size of a connection's read buffer: 4 KiB, as 50
// connections' 16 KiB buffers measurably slowed a server on the same cores
// (its requests/s rose by a few % with 4 KiB).
const readBuffer = 4 << 10

// maxBody is how much of a body is kept for the counter; the rest is read
// and dropped.
const maxBody = 1 << 20

// response is one parsed response; its slices are reused by the next read.
type response struct {
	status     int
	close      bool     // the server will close the connection
	body       []byte   // at most maxBody bytes
	setCookies [][]byte // Set-Cookie values, pointing into arena
	arena      []byte
	long       []byte // a line longer than the reader's buffer
	n          int64  // bytes read
}

// errProtocol marks a response that is not HTTP/1.x.
var errProtocol = errors.New("malformed response")

func protocolErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errProtocol}, args...)...)
}

// maxLine bounds a status or header line.
const maxLine = 64 << 10

func (r *response) readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	r.n += int64(len(line))
	if err == nil {
		return line, nil
	}
	// A line longer than the reader's buffer (a big Set-Cookie): gather it
	// in a buffer of its own. The buffer is small to keep the connections'
	// memory in the CPU caches the server shares.
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(r.long) <= maxLine {
			line, err = br.ReadSlice('\n')
			r.n += int64(len(line))
			r.long = append(r.long, line...)
		}
		switch {
		case err == nil && len(r.long) <= maxLine:
			return r.long, nil
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			return nil, protocolErr("header line longer than %d bytes", maxLine)
		}
		line = r.long
	}
	if err == io.EOF && len(line) > 0 {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

var (
	hContentLength    = []byte("content-length")
	hTransferEncoding = []byte("transfer-encoding")
	hSetCookie        = []byte("set-cookie")
	hConnection       = []byte("connection")
)

// read parses one response from br; head is set for a HEAD request.
func (r *response) read(br *bufio.Reader, head bool) error {
	r.status, r.close, r.body, r.setCookies, r.arena, r.n = 0, false, r.body[:0], r.setCookies[:0], r.arena[:0], 0
	var contentLength int64 = -1
	chunked := false
	for {
		line, err := r.readLine(br)
		if err != nil {
			return err
		}
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return protocolErr("status line %q", trimCRLF(line))
		}
		status, ok := atoi(line[9:12])
		if !ok {
			return protocolErr("status line %q", trimCRLF(line))
		}
		r.status = status
		r.close = line[7] == '0'
		for {
			line, err := r.readLine(br)
			if err != nil {
				return err
			}
			line = trimCRLF(line)
			if len(line) == 0 {
				break
			}
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				return protocolErr("header line %q", line)
			}
			name := line[:colon]
			switch len(name) { // only four headers matter: skip the rest cheaply
			case len(hContentLength), len(hTransferEncoding), len(hSetCookie):
			default:
				continue
			}
			val := bytes.TrimSpace(line[colon+1:])
			switch {
			case equalLower(name, hContentLength):
				n, ok := atoi(val)
				if !ok {
					return protocolErr("Content-Length %q", val)
				}
				contentLength = int64(n)
			case equalLower(name, hTransferEncoding):
				chunked = bytes.EqualFold(val, []byte("chunked"))
			case equalLower(name, hSetCookie):
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
		}
		if status >= 200 || status == 101 {
			break
		}
		// 1xx interim response: its headers do not count; read the next.
		contentLength, chunked = -1, false
		r.setCookies, r.arena = r.setCookies[:0], r.arena[:0]
	}
	// The arena may have moved while growing: re-slice the Set-Cookie
	// values from it.
	if len(r.setCookies) > 0 {
		off := 0
		for i, sc := range r.setCookies {
			r.setCookies[i] = r.arena[off : off+len(sc) : off+len(sc)]
			off += len(sc)
		}
	}
	switch {
	case head || r.status == 204 || r.status == 304 || r.status < 200:
		return nil
	case chunked:
		return r.readChunked(br)
	case contentLength >= 0:
		return r.readBody(br, contentLength)
	default:
		r.close = true
		return r.readBody(br, -1)
	}
}

// readBody reads n bytes of body, or up to EOF when n < 0.
func (r *response) readBody(br *bufio.Reader, n int64) error {
	for n != 0 {
		chunk, err := br.Peek(1)
		if err != nil {
			if n < 0 && err == io.EOF {
				return nil
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		chunk, _ = br.Peek(br.Buffered())
		if n >= 0 && int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		if room := maxBody - len(r.body); room > 0 {
			keep := chunk
			if len(keep) > room {
				keep = keep[:room]
			}
			r.body = append(r.body, keep...)
		}
		br.Discard(len(chunk))
		r.n += int64(len(chunk))
		if n > 0 {
			n -= int64(len(chunk))
		}
	}
	return nil
}

func (r *response) readChunked(br *bufio.Reader) error {
	for {
		line, err := r.readLine(br)
		if err != nil {
			return err
		}
		line = trimCRLF(line)
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return protocolErr("chunk size %q", line)
		}
		if size == 0 {
			for { // trailers up to the blank line
				line, err := r.readLine(br)
				if err != nil {
					return err
				}
				if len(trimCRLF(line)) == 0 {
					return nil
				}
			}
		}
		if err := r.readBody(br, size); err != nil {
			return err
		}
		line, err = r.readLine(br)
		if err != nil {
			return err
		}
		if len(trimCRLF(line)) != 0 {
			return protocolErr("no CRLF after chunk")
		}
	}
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
