package client

import (
	"encoding/json"
	"time"
)

// Step is what one visit saw: the request, the response and what changed
// in the session since the previous visit.
type Step struct {
	// N counts visits from 1.
	N      int    `json:"n"`
	Method string `json:"method"`
	// URL is the URL of the final response (after redirects), with any
	// password replaced by "xxxxx".
	URL        string `json:"url"`
	Status     int    `json:"status"`
	StatusText string `json:"status_text"`
	// Proto is the response's protocol, e.g. "HTTP/1.1".
	Proto string `json:"proto"`
	// DurationMS is the whole visit in milliseconds, from sending the
	// request to the end of the body, redirects included.
	DurationMS float64 `json:"duration_ms"`
	// Request is the final request as it went on the wire (header fields
	// in the order written); only with VisitConfig.Trace.
	Request *SentRequest `json:"request,omitempty"`
	// Redirects are the responses that redirected this visit (with Follow),
	// in order; the final response is the Step itself.
	Redirects []Redirect `json:"redirects,omitempty"`
	// CookiesSent are the cookies the final request carried, from the jar
	// and from a Cookie header, byte for byte.
	CookiesSent []SentCookie `json:"cookies_sent"`
	// SetCookies are the Set-Cookie headers of the final response.
	SetCookies []SetCookie `json:"set_cookies"`
	// Headers holds the response headers of interest (Content-Type,
	// Location, Cache-Control, ETag, Vary, Server, X-Powered-By) that were
	// present.
	Headers map[string]string `json:"headers"`
	// ResponseHeaders are all the response's header fields, sorted by
	// name, a name's values in the order received; only with
	// VisitConfig.AllHeaders or Trace.
	ResponseHeaders []HeaderField `json:"response_headers,omitempty"`
	// Body is the response body: the JSON value itself when the body is
	// JSON, else the body as a JSON string (a binary body: its base64,
	// with BodyEncoding "base64").
	Body json.RawMessage `json:"body"`
	// BodyIsJSON tells whether Body is the JSON value itself.
	BodyIsJSON bool `json:"body_is_json"`
	// BodyEncoding is "base64" when the body is binary (not UTF-8 text)
	// and Body holds its base64; empty for text.
	BodyEncoding string `json:"body_encoding,omitempty"`
	// BodyBytes is the length of the body read; a body above MaxBodyBytes
	// is read to its end, cut to MaxBodyBytes in Body, and BodyTruncated
	// set.
	BodyBytes     int64 `json:"body_bytes"`
	BodyTruncated bool  `json:"body_truncated,omitempty"`
	// Changes lists what changed since the previous visit: body fields,
	// cookies in the jar, the session id; never nil.
	Changes []Change `json:"changes"`
}

// SentRequest is a request as it went on the wire.
type SentRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Headers are the header fields in the order written, Host first.
	Headers []HeaderField `json:"headers"`
	// BodyBytes is the length of the body sent.
	BodyBytes int64 `json:"body_bytes"`
}

// HeaderField is one header line.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
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
	ChangeField       = "field"
	ChangeCookieAdded = "cookie_added"
	// ChangeCookieChanged: a cookie's value changed but not the session id
	// it carries (Flask, Koa, Rails and gorilla re-issue theirs on every
	// visit), or it carries none.
	ChangeCookieChanged = "cookie_changed"
	ChangeCookieRemoved = "cookie_removed"
	// ChangeSessionID: a cookie now carries another session id (express's
	// s:<id>.<sig>, an opaque id, an id inside a decoded payload); From and
	// To are the ids.
	ChangeSessionID = "session_id_changed"
)
