package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// MaxRedirects is how many redirects Visit follows with Follow set, as
// net/http's default client.
const MaxRedirects = 10

// MaxBodyBytes bounds how much of a response body a Step keeps; the rest is
// read and discarded so the connection can be reused.
const MaxBodyBytes = 1 << 20

// VisitConfig configures Visit. The zero value of each field is its
// default.
type VisitConfig struct {
	// URL is the http or https URL to visit.
	URL string
	// Count is how many visits to make; 0 means 1.
	Count int
	// Method is the request method; "" means GET, or POST when Body is not
	// nil (as curl -d). It goes through CanonicalMethod.
	Method string
	// Header is sent with every request; a Host header sets the request's
	// host. Without a User-Agent, "sessctl" is sent.
	Header http.Header
	// Body is sent with every request when not nil, as
	// application/x-www-form-urlencoded unless Header has a Content-Type
	// (as curl -d); an empty Body is sent with Content-Length: 0.
	Body []byte
	// Follow makes Visit follow up to MaxRedirects redirects (off by
	// default, as curl).
	Follow bool
	// Timeout bounds each visit, redirects and body included; 0 means no
	// timeout.
	Timeout time.Duration
	// Insecure skips TLS certificate verification (curl -k).
	Insecure bool
	// AllHeaders records every response header in Step.ResponseHeaders
	// (curl -i).
	AllHeaders bool
	// Trace records the request as written in Step.Request, and every
	// response header (curl -v).
	Trace bool
	// Jar holds the cookies; nil means a new in-memory jar.
	Jar *Jar
	// Transport makes the requests; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// OnStep, when set, is called after each visit with its Step, before
	// the next visit starts.
	OnStep func(Step)
}

// Visit visits cfg.URL cfg.Count times through one cookie jar and returns
// a Step per visit. A response of any status is a visit; an error (the
// server unreachable, a timeout, too many redirects, a body cut short)
// stops the run and is returned with the Steps done so far. Errors never
// show the URL's password.
func Visit(ctx context.Context, cfg VisitConfig) ([]Step, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("visit: bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("visit %q: not an http or https URL", u.Redacted())
	}
	count := cfg.Count
	if count <= 0 {
		count = 1
	}
	jar := cfg.Jar
	if jar == nil {
		jar = NewJar()
	}
	method := CanonicalMethod(cfg.Method)
	if method == "" {
		method = http.MethodGet
		if cfg.Body != nil {
			method = http.MethodPost
		}
	}
	base := cfg.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		defer t.CloseIdleConnections()
		base = t
	}
	rec := &visitTransport{base: base, jar: jar, trace: cfg.Trace, allHeaders: cfg.AllHeaders}
	hc := &http.Client{
		Transport: rec,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !cfg.Follow {
				return http.ErrUseLastResponse
			}
			if len(via) >= MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			return nil
		},
	}

	var steps []Step
	var prevBody json.RawMessage
	prevJar := jar.All()
	for n := 1; n <= count; n++ {
		step, err := visitOnce(ctx, hc, rec, method, u, cfg)
		if err != nil {
			if count > 1 { // the error names the request; say which one of several
				err = fmt.Errorf("visit %d of %d: %w", n, count, err)
			}
			return steps, err
		}
		step.N = n
		nowJar := jar.All()
		step.Changes = append(append([]Change{}, bodyChanges(prevBody, step.Body, step.BodyIsJSON)...), jarChanges(prevJar, nowJar)...)
		if step.BodyIsJSON {
			prevBody = step.Body
		} else {
			prevBody = nil
		}
		prevJar = nowJar
		steps = append(steps, step)
		if cfg.OnStep != nil {
			cfg.OnStep(step)
		}
	}
	return steps, nil
}

func visitOnce(ctx context.Context, hc *http.Client, rec *visitTransport, method string, u *url.URL, cfg VisitConfig) (Step, error) {
	var body io.Reader
	if cfg.Body != nil {
		body = bytes.NewReader(cfg.Body)
	}
	where := method + " " + u.Redacted()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return Step{}, fmt.Errorf("%s: %w", where, err)
	}
	for k, vs := range cfg.Header {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = vs[len(vs)-1]
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "sessctl")
	}
	if cfg.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", FormContentType)
	}
	rec.hops = rec.hops[:0]
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return Step{}, requestError(ctx, where, u, cfg.Timeout, err)
	}
	defer resp.Body.Close()
	where = resp.Request.Method + " " + resp.Request.URL.Redacted()
	data, read, err := readBody(resp.Body)
	if err != nil {
		return Step{}, bodyError(ctx, where, cfg.Timeout, read, resp.ContentLength, err)
	}
	dur := time.Since(start)

	step := Step{
		Method:     resp.Request.Method,
		URL:        resp.Request.URL.Redacted(),
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		Proto:      resp.Proto,
		DurationMS: float64(dur.Microseconds()) / 1000,
		Headers:    interestingHeaders(resp.Header),
		BodyBytes:  read,
	}
	step.BodyTruncated = read > int64(len(data))
	step.Body, step.BodyIsJSON, step.BodyEncoding = visitBody(data, step.BodyTruncated)
	hops := rec.hops
	if len(hops) > 0 {
		last := hops[len(hops)-1]
		step.CookiesSent, step.SetCookies = last.sent, last.set
		step.Request, step.ResponseHeaders = last.request, last.headers
		for _, h := range hops[:len(hops)-1] {
			step.Redirects = append(step.Redirects, Redirect{
				Status: h.status, URL: h.url, Location: h.location, CookiesSent: h.sent, SetCookies: h.set,
			})
		}
	}
	if step.CookiesSent == nil {
		step.CookiesSent = []SentCookie{}
	}
	if step.SetCookies == nil {
		step.SetCookies = []SetCookie{}
	}
	return step, nil
}

// readBody reads a response body to its end, keeping the first
// MaxBodyBytes; read counts every byte read, also when err is not nil.
func readBody(r io.Reader) (data []byte, read int64, err error) {
	data, err = io.ReadAll(io.LimitReader(r, MaxBodyBytes))
	read = int64(len(data))
	if err == nil {
		var rest int64
		rest, err = io.Copy(io.Discard, r)
		read += rest
	}
	return data, read, err
}

// requestError says why a request got no response.
func requestError(ctx context.Context, where string, u *url.URL, timeout time.Duration, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", where, ctx.Err())
	case timeout > 0 && isTimeout(err):
		return fmt.Errorf("%s: no response within the %s timeout: %w", where, timeout, err)
	case u.Scheme == "http" && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) && speaksH2C(ctx, u, timeout):
		return fmt.Errorf("%s: the server speaks only HTTP/2 there (h2c) and sessctl visit speaks HTTP/1.1 on http:// URLs (use https, or an HTTP/1.1 endpoint): %w", where, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// bodyError says why a body could not be read to its end.
func bodyError(ctx context.Context, where string, timeout time.Duration, read, length int64, err error) error {
	got := fmt.Sprintf("%d bytes of the body", read)
	if length >= 0 {
		got = fmt.Sprintf("%d of the %d bytes of the body", read, length)
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%s: stopped after %s: %w", where, got, ctx.Err())
	case timeout > 0 && isTimeout(err):
		return fmt.Errorf("%s: no complete response within the %s timeout (read %s)", where, timeout, got)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: body cut short: the server closed the connection after %s", where, got)
	}
	return fmt.Errorf("%s: read body (after %s): %w", where, got, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// speaksH2C tells whether the server at u answers the HTTP/2 connection
// preface with a SETTINGS frame: an HTTP/2-only (prior knowledge) server,
// which resets an HTTP/1.1 request.
func speaksH2C(ctx context.Context, u *url.URL, timeout time.Duration) bool {
	if timeout <= 0 || timeout > 5*time.Second {
		timeout = 5 * time.Second
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	// The client preface, then an empty SETTINGS frame.
	if _, err := io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"); err != nil {
		return false
	}
	var frame [9]byte
	if _, err := io.ReadFull(c, frame[:]); err != nil {
		return false
	}
	return frame[3] == 0x4 && frame[5]&0x80 == 0 // SETTINGS on stream 0
}

// visitBody is the body as a JSON value: itself when it is JSON, else a
// JSON string of the text, or of its base64 for a binary body (encoding
// "base64").
func visitBody(data []byte, truncated bool) (json.RawMessage, bool, string) {
	if !truncated && len(bytes.TrimSpace(data)) > 0 && json.Valid(data) {
		var b bytes.Buffer
		if json.Compact(&b, data) == nil {
			return b.Bytes(), true, ""
		}
	}
	if IsBinary(data, truncated) {
		s, _ := json.Marshal(base64.StdEncoding.EncodeToString(data))
		return s, false, "base64"
	}
	s, _ := json.Marshal(string(data))
	return s, false, ""
}

// IsBinary tells whether a body is binary rather than text: not UTF-8, or
// holding a NUL byte. A body cut at a limit may end inside a character.
func IsBinary(data []byte, cut bool) bool {
	if cut {
		// Drop a character the cut split (at most 3 bytes).
		for i := 0; i < 3 && len(data) > 0; i++ {
			if r, _ := utf8.DecodeLastRune(data); r != utf8.RuneError {
				break
			}
			data = data[:len(data)-1]
		}
	}
	return bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data)
}

var visitHeaders = []string{"Content-Type", "Location", "Cache-Control", "ETag", "Vary", "Server", "X-Powered-By"}

func interestingHeaders(h http.Header) map[string]string {
	m := map[string]string{}
	for _, k := range visitHeaders {
		if vs := h.Values(k); len(vs) > 0 {
			m[k] = strings.Join(vs, ", ")
		}
	}
	return m
}
