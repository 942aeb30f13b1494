package bench

import (
	"context"
	"errors"
	"fmt"
)

// SharedSession is a session made for a shared-mode test that several
// agents run (CreateSession): what the agents need to continue it, and
// what its creation read.
type SharedSession struct {
	// URL is the target the session was made on (the first of Config.URLs).
	URL string `json:"url"`
	// SetCookies are the Set-Cookie lines of the response that made it, as
	// the server sent them.
	SetCookies []string `json:"-"`
	// Cookie is the name of the cookie that carries the session and Format
	// its format as decode names it (express, opaque, flask, ...; "" when
	// no format claims it).
	Cookie string `json:"session_cookie"`
	Format string `json:"session_format,omitempty"`
	// InCookie is true when the session lives in the cookie itself
	// (Flask, cookie-session, ...): each agent then holds its own copy of
	// the state, and concurrent requests lose updates by design.
	InCookie bool `json:"session_in_cookie,omitempty"`
	// CounterPath is the JSON path read from the body and InitialCounter
	// the counter the creation's response carried.
	CounterPath    string `json:"counter_path"`
	InitialCounter int64  `json:"initial_counter"`
}

// ErrNoSessionCookie is CreateSession's error when the response that was
// to make the session set no cookie that carries one.
var ErrNoSessionCookie = errors.New("the response set no session cookie")

// CreateSession makes the session of a shared-mode test with one request
// to the first of cfg.URLs, the request Run sends before its load in
// shared mode, and returns it without sending any load. cfg is defaulted
// and checked as Run does it; its Jar is not read (the session is new),
// its Segment and StartAt are ignored, and a counter (CounterPath) must be
// set, since the agents need it. A Cookie header's cookies are sent, and
// are not among SetCookies. It fails when the request fails, the
// status is not 2xx, the body has no counter, or no cookie carries a
// session (ErrNoSessionCookie).
func CreateSession(ctx context.Context, cfg Config) (*SharedSession, error) {
	cfg.Jar, cfg.Shared, cfg.Segment = "", true, Segment{}
	if cfg.CounterPath == "" {
		return nil, errors.New("create the shared session: no counter to read (--counter is empty)")
	}
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	v := e.newVU(e.seed.clone())
	var r response
	_, counter, _, _, err := e.singleInto(ctx, v, &r)
	if err != nil {
		return nil, fmt.Errorf("create the shared session: %w", err)
	}
	k := v.cookies.session()
	if k == nil {
		names := "none"
		if len(r.setCookies) > 0 {
			names = fmt.Sprintf("%d Set-Cookie, none a session's", len(r.setCookies))
		}
		return nil, fmt.Errorf("create the shared session: %s %s: %w (%s)", e.cfg.Method, e.cfg.URLs[0], ErrNoSessionCookie, names)
	}
	s := &SharedSession{
		URL:            e.cfg.URLs[0],
		Cookie:         string(k.name),
		Format:         k.format,
		InCookie:       k.kind == sessionData,
		CounterPath:    e.cfg.CounterPath,
		InitialCounter: counter,
	}
	for _, line := range r.setCookies {
		s.SetCookies = append(s.SetCookies, string(line))
	}
	return s, nil
}
