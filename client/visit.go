package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// MaxRedirects is how many redirects Visit follows with Follow set, as
// net/http's default client.
const MaxRedirects = 10

// MaxBodyBytes bounds how much of a response body a Step keeps; the rest is
// read and discarded so the connection can be reused.
const MaxBodyBytes = 1 << 20

// VisitOptions configure Visit. The zero value of each field is its default.
type VisitOptions struct {
	// URL is the http or https URL to visit.
	URL string
	// Count is how many visits to make; 0 means 1.
	Count int
	// Method is the request method; "" means GET, or POST when Body is set
	// (as curl -d).
	Method string
	// Header is sent with every request; a Host header sets the request's
	// host. Without a User-Agent, "sessctl" is sent.
	Header http.Header
	// Body is sent with every request when not nil, as
	// application/x-www-form-urlencoded unless Header has a Content-Type
	// (as curl -d).
	Body []byte
	// Follow makes Visit follow up to MaxRedirects redirects (off by
	// default, as curl).
	Follow bool
	// Timeout bounds each visit, redirects and body included; 0 means none.
	Timeout time.Duration
	// Insecure skips TLS certificate verification (curl -k).
	Insecure bool
	// Jar holds the cookies; nil means a new in-memory jar.
	Jar *Jar
	// Transport makes the requests; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// OnStep, when set, is called after each visit with its Step.
	OnStep func(Step)
}

// Step is what one visit saw: the request, the response and what changed
// in the session since the previous visit.
type Step struct {
	// N counts visits from 1.
	N      int    `json:"n"`
	Method string `json:"method"`
	// URL is the URL of the final response (after redirects).
	URL        string `json:"url"`
	Status     int    `json:"status"`
	StatusText string `json:"status_text"`
	// Proto is the response's protocol, e.g. "HTTP/1.1".
	Proto    string        `json:"proto"`
	Duration time.Duration `json:"-"`
	// DurationMS is Duration in milliseconds: the whole visit, from sending
	// the request to the end of the body, redirects included.
	DurationMS float64 `json:"duration_ms"`
	// Redirects are the responses that redirected this visit (with Follow),
	// in order; the final response is the Step itself.
	Redirects []Redirect `json:"redirects,omitempty"`
	// CookiesSent are the cookies the final request carried, from the jar
	// and from a Cookie header.
	CookiesSent []SentCookie `json:"cookies_sent"`
	// SetCookies are the Set-Cookie headers of the final response.
	SetCookies []SetCookie `json:"set_cookies"`
	// Headers holds the response headers of interest (Content-Type,
	// Location, Cache-Control, ETag, Vary, Server, X-Powered-By) that were
	// present.
	Headers map[string]string `json:"headers"`
	// Body is the response body: the JSON value itself when the body is
	// JSON, else the body as a JSON string.
	Body json.RawMessage `json:"body"`
	// BodyIsJSON tells which of the two Body holds.
	BodyIsJSON bool `json:"body_is_json"`
	// BodyBytes is the body's length; a body above MaxBodyBytes is cut and
	// BodyTruncated set.
	BodyBytes     int64 `json:"body_bytes"`
	BodyTruncated bool  `json:"body_truncated,omitempty"`
	// Changes lists what changed since the previous visit: body fields,
	// cookies in the jar, the session id.
	Changes []Change `json:"changes"`
}

// Redirect is one redirecting response a visit followed.
type Redirect struct {
	Status      int          `json:"status"`
	URL         string       `json:"url"`
	Location    string       `json:"location"`
	CookiesSent []SentCookie `json:"cookies_sent"`
	SetCookies  []SetCookie  `json:"set_cookies"`
}

// SentCookie is a cookie a request carried.
type SentCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SetCookie is one Set-Cookie header of a response, with its attributes
// and what the jar did with it.
type SetCookie struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Domain string `json:"domain,omitempty"`
	Path   string `json:"path,omitempty"`
	// Expires is the Expires attribute; nil when absent.
	Expires *time.Time `json:"expires"`
	// MaxAge is the Max-Age attribute in seconds; nil when absent.
	MaxAge   *int   `json:"max_age"`
	Secure   bool   `json:"secure"`
	HttpOnly bool   `json:"http_only"`
	SameSite string `json:"same_site,omitempty"`
	// Raw is the header as received.
	Raw string `json:"raw"`
	// Outcome is what the jar did: OutcomeStored, OutcomeDeleted or
	// OutcomeRefused, with the reason in Refused.
	Outcome string `json:"outcome"`
	Refused string `json:"refused,omitempty"`
}

// SetCookie outcomes.
const (
	OutcomeStored  = "stored"
	OutcomeDeleted = "deleted"
	OutcomeRefused = "refused"
)

// Change is one thing that differs from the previous visit. From and To
// are JSON values, null when the thing did not exist.
type Change struct {
	// Kind is ChangeField, ChangeCookieAdded, ChangeCookieChanged,
	// ChangeCookieRemoved or ChangeSessionID.
	Kind string `json:"kind"`
	// Name is the body field's path (visitCount, cookie.expires, items[0]
	// for arrays: the whole array) or the cookie's name.
	Name string          `json:"name"`
	From json.RawMessage `json:"from"`
	To   json.RawMessage `json:"to"`
}

// Change kinds.
const (
	ChangeField         = "field"
	ChangeCookieAdded   = "cookie_added"
	ChangeCookieChanged = "cookie_changed"
	ChangeCookieRemoved = "cookie_removed"
	// ChangeSessionID: a session cookie now carries another session id
	// (for express's s:<id>.<sig>, the id; else the whole value).
	ChangeSessionID = "session_id_changed"
)

var jsonNull = json.RawMessage("null")

// Visit visits opts.URL opts.Count times through one cookie jar and returns
// a Step per visit. A response of any status is a visit; an error (the
// server unreachable, a timeout, too many redirects) stops the run and is
// returned with the Steps done so far.
func Visit(ctx context.Context, opts VisitOptions) ([]Step, error) {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("visit: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("visit %q: not an http or https URL", opts.URL)
	}
	count := opts.Count
	if count <= 0 {
		count = 1
	}
	jar := opts.Jar
	if jar == nil {
		jar = NewJar()
	}
	method := opts.Method
	if method == "" {
		method = http.MethodGet
		if opts.Body != nil {
			method = http.MethodPost
		}
	}
	base := opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if opts.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		defer t.CloseIdleConnections()
		base = t
	}
	rec := &visitTransport{base: base, jar: jar}
	hc := &http.Client{
		Transport: rec,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !opts.Follow {
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
		step, err := visitOnce(ctx, hc, rec, method, u, opts)
		if err != nil {
			if count > 1 { // the error names the request; say which one of several
				err = fmt.Errorf("visit %d of %d: %w", n, count, err)
			}
			return steps, err
		}
		step.N = n
		nowJar := jar.All()
		step.Changes = append(bodyChanges(prevBody, step.Body, step.BodyIsJSON), jarChanges(prevJar, nowJar)...)
		if step.BodyIsJSON {
			prevBody = step.Body
		} else {
			prevBody = nil
		}
		prevJar = nowJar
		steps = append(steps, step)
		if opts.OnStep != nil {
			opts.OnStep(step)
		}
	}
	return steps, nil
}

func visitOnce(ctx context.Context, hc *http.Client, rec *visitTransport, method string, u *url.URL, opts VisitOptions) (Step, error) {
	var body io.Reader
	if opts.Body != nil {
		body = bytes.NewReader(opts.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return Step{}, err
	}
	for k, vs := range opts.Header {
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = vs[len(vs)-1]
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "sessctl")
	}
	if opts.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec.hops = rec.hops[:0]
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if uerr.Timeout() && opts.Timeout > 0 && ctx.Err() == nil {
				return Step{}, fmt.Errorf("%s %s: no response within the %s timeout: %w", method, u, opts.Timeout, uerr.Err)
			}
			return Step{}, fmt.Errorf("%s %s: %w", method, u, uerr.Err)
		}
		return Step{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return Step{}, fmt.Errorf("%s %s: read body: %w", method, resp.Request.URL, err)
	}
	extra, _ := io.Copy(io.Discard, resp.Body)
	dur := time.Since(start)

	step := Step{
		Method:     resp.Request.Method,
		URL:        resp.Request.URL.String(),
		Status:     resp.StatusCode,
		StatusText: http.StatusText(resp.StatusCode),
		Proto:      resp.Proto,
		Duration:   dur,
		DurationMS: float64(dur.Microseconds()) / 1000,
		Headers:    interestingHeaders(resp.Header),
		BodyBytes:  int64(len(data)) + extra,
	}
	if len(data) > MaxBodyBytes {
		data, step.BodyTruncated = data[:MaxBodyBytes], true
	}
	step.Body, step.BodyIsJSON = visitBody(data, step.BodyTruncated)
	hops := rec.hops
	if len(hops) > 0 {
		last := hops[len(hops)-1]
		step.CookiesSent, step.SetCookies = last.sent, last.set
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

// visitBody is the body as a JSON value: itself when it is JSON, else a
// JSON string.
func visitBody(data []byte, truncated bool) (json.RawMessage, bool) {
	if !truncated && len(bytes.TrimSpace(data)) > 0 && json.Valid(data) {
		var b bytes.Buffer
		if json.Compact(&b, data) == nil {
			return b.Bytes(), true
		}
	}
	s, _ := json.Marshal(string(data))
	return s, false
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

// visitTransport sends the jar's cookies with each request of a visit
// (redirects included) and stores what each response sets, recording both.
// One visit runs at a time.
type visitTransport struct {
	base http.RoundTripper
	jar  *Jar
	hops []visitHop
}

type visitHop struct {
	url      string
	status   int
	location string
	sent     []SentCookie
	set      []SetCookie
}

func (t *visitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	hop := visitHop{url: req.URL.String(), sent: []SentCookie{}, set: []SetCookie{}}
	// The Cookie header is built here rather than with AddCookie, which
	// quotes values holding a space and drops bytes it dislikes: values go
	// out byte for byte, as curl sends them.
	line := r.Header.Get("Cookie")
	for _, part := range strings.Split(line, ";") {
		if name, value, ok := strings.Cut(strings.TrimSpace(part), "="); ok && name != "" {
			hop.sent = append(hop.sent, SentCookie{Name: name, Value: value})
		}
	}
	for _, c := range t.jar.Cookies(req.URL) {
		if line != "" {
			line += "; "
		}
		line += c.Name + "=" + c.Value
		hop.sent = append(hop.sent, SentCookie{Name: c.Name, Value: c.Value})
	}
	if line != "" {
		r.Header.Set("Cookie", line)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	// http.Client follows redirects with the response's Request, so point
	// it at the caller's request rather than the clone.
	resp.Request = req
	hop.status = resp.StatusCode
	hop.location = resp.Header.Get("Location")
	lines := resp.Header.Values("Set-Cookie")
	if len(lines) > MaxSetCookiesPerResponse {
		t.jar.IgnoredSetCookies(req.URL, len(lines))
		lines = lines[:MaxSetCookiesPerResponse]
	}
	for _, line := range lines {
		hop.set = append(hop.set, t.setCookie(req.URL, line))
	}
	t.hops = append(t.hops, hop)
	return resp, nil
}

// setCookie parses one Set-Cookie line, offers it to the jar and records
// the outcome.
func (t *visitTransport) setCookie(u *url.URL, line string) SetCookie {
	sc := SetCookie{Raw: line}
	c, err := cookie.ParseSetCookie(line)
	if err != nil {
		sc.Outcome, sc.Refused = OutcomeRefused, "malformed: "+err.Error()
		return sc
	}
	sc.Name, sc.Value, sc.Domain, sc.Path = c.Name, c.Value, c.Domain, c.Path
	sc.Secure, sc.HttpOnly, sc.SameSite = c.Secure, c.HttpOnly, c.SameSite
	if !c.Expires.IsZero() {
		e := c.Expires
		sc.Expires = &e
	}
	if c.HasMaxAge {
		n := int(c.MaxAge)
		sc.MaxAge = &n
	}
	switch deleted, err := t.jar.SetCookie(u, &c); {
	case err != nil:
		sc.Outcome, sc.Refused = OutcomeRefused, err.Error()
	case deleted:
		sc.Outcome = OutcomeDeleted
	default:
		sc.Outcome = OutcomeStored
	}
	return sc
}

// bodyChanges compares the JSON leaves of two JSON bodies.
func bodyChanges(prev, cur json.RawMessage, curIsJSON bool) []Change {
	if prev == nil || !curIsJSON {
		return nil
	}
	a, b := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	flattenJSON(a, "", prev)
	flattenJSON(b, "", cur)
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []Change
	for _, k := range names {
		from, to := a[k], b[k]
		if from == nil {
			from = jsonNull
		}
		if to == nil {
			to = jsonNull
		}
		if bytes.Equal(from, to) {
			continue
		}
		out = append(out, Change{Kind: ChangeField, Name: k, From: from, To: to})
	}
	return out
}

// flattenJSON records the leaves of a JSON value by path ("a.b"); arrays
// and scalars are leaves.
func flattenJSON(m map[string]json.RawMessage, path string, v json.RawMessage) {
	var obj map[string]json.RawMessage
	if len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &obj) == nil && len(obj) > 0 {
		for k, sub := range obj {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flattenJSON(m, p, sub)
		}
		return
	}
	if path == "" {
		path = "(body)"
	}
	var b bytes.Buffer
	if json.Compact(&b, v) == nil {
		v = b.Bytes()
	}
	m[path] = v
}

// jarChanges compares the jar before and after a visit.
func jarChanges(prev, cur []JarCookie) []Change {
	old := map[string]JarCookie{}
	for _, c := range prev {
		old[c.key()] = c
	}
	var out []Change
	for _, c := range cur {
		o, ok := old[c.key()]
		delete(old, c.key())
		switch {
		case !ok:
			out = append(out, Change{Kind: ChangeCookieAdded, Name: c.Name, From: jsonNull, To: jsonString(c.Value)})
		case o.Value == c.Value:
		case cookie.IsSessionName(c.Name) && cookie.SessionID(o.Value) != cookie.SessionID(c.Value):
			out = append(out, Change{Kind: ChangeSessionID, Name: c.Name,
				From: jsonString(cookie.SessionID(o.Value)), To: jsonString(cookie.SessionID(c.Value))})
		default:
			out = append(out, Change{Kind: ChangeCookieChanged, Name: c.Name, From: jsonString(o.Value), To: jsonString(c.Value)})
		}
	}
	for _, c := range prev {
		if _, gone := old[c.key()]; gone {
			out = append(out, Change{Kind: ChangeCookieRemoved, Name: c.Name, From: jsonString(c.Value), To: jsonNull})
		}
	}
	return out
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
