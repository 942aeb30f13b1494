package client

import (
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"

	"github.com/sessctl/sessctl/cookie"
)

// visitTransport sends the jar's cookies with each request of a visit
// (redirects included) and stores what each response sets, recording both.
// One visit runs at a time.
type visitTransport struct {
	base http.RoundTripper
	jar  *Jar
	hops []visitHop
	// trace and allHeaders ask for each hop's request as written and its
	// response headers.
	trace, allHeaders bool
}

type visitHop struct {
	url      string
	status   int
	location string
	sent     []SentCookie
	set      []SetCookie
	request  *SentRequest
	headers  []HeaderField
}

func (t *visitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	hop := visitHop{url: req.URL.Redacted(), sent: []SentCookie{}, set: []SetCookie{}}
	// The Cookie header is written here, byte for byte as the jar and -H
	// hold the values (as curl sends them): net/http's AddCookie would
	// quote "a b c", drop "café" and log about it.
	if line := buildCookieHeader(r.Header.Values("Cookie"), t.jar.Cookies(req.URL)); line != "" {
		r.Header.Set("Cookie", line)
		hop.sent = parseCookieHeader(line)
	}
	if t.trace {
		sr := &SentRequest{Method: r.Method, URL: hop.url, Headers: []HeaderField{}, BodyBytes: max(r.ContentLength, 0)}
		hop.request = sr
		trace := &httptrace.ClientTrace{WroteHeaderField: func(k string, vs []string) {
			for _, v := range vs {
				sr.Headers = append(sr.Headers, HeaderField{Name: k, Value: v})
			}
		}}
		r = r.WithContext(httptrace.WithClientTrace(r.Context(), trace))
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
	if t.trace || t.allHeaders {
		hop.headers = headerFields(resp.Header)
	}
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

// buildCookieHeader joins the Cookie header lines given (-H) and the jar's
// cookies into one Cookie header value: "a=1; b=2".
func buildCookieHeader(given []string, jar []JarCookie) string {
	var b strings.Builder
	for _, line := range given {
		if line = strings.TrimSpace(line); line != "" {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(line)
		}
	}
	for _, c := range jar {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name)
		b.WriteByte('=')
		b.WriteString(c.Value)
	}
	return b.String()
}

// parseCookieHeader splits a Cookie header into its pairs, values as
// they are (quotes and bytes net/http would refuse included).
func parseCookieHeader(line string) []SentCookie {
	out := []SentCookie{}
	for part := range strings.SplitSeq(line, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		out = append(out, SentCookie{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	return out
}

// headerFields lists h sorted by name, each name's values in order.
func headerFields(h http.Header) []HeaderField {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := []HeaderField{}
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, HeaderField{Name: k, Value: v})
		}
	}
	return out
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
