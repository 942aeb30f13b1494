package demo

import (
	"context"
	"errors"
	"html"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// app is the handler NewHandler returns: the reference Express example over
// a Store, or over cookies.
type app struct {
	store    Store
	renamer  Renamer // nil in cookie mode or over a store that cannot rename
	loader   Loader  // nil in cookie mode or over a store that cannot load
	auth     bool    // serve /login and /me: cookie mode, or a loader
	ids      *idMaker
	mode     Mode
	cc       cookieConfig
	cookie   expressCookie       // ModeStore's connect.sid
	csCookie cookieSessionCookie // ModeCookie's session and session.sig
	json     sessionJSON
	racy     bool
	delay    time.Duration
	// weak modes, for sessctl audit to find
	noRegenerate       bool
	logoutKeepsSession bool
	logger             *slog.Logger
	errLog             *slog.Logger
	now                func() time.Time
	storeDown          atomic.Bool
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.logger == nil {
		a.route(w, r)
		return
	}
	start := time.Now()
	status, sessID := a.route(w, r)
	a.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
		"session", shortID(sessID), "remote", r.RemoteAddr, "duration", time.Since(start))
}

func (a *app) route(w http.ResponseWriter, r *http.Request) (status int, sessID string) {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case r.URL.Path == "/" && get:
		if a.mode == ModeCookie {
			return a.serveCookie(w, r), ""
		}
		return a.serve(w, r)
	case r.URL.Path == "/healthz" && get:
		return a.healthz(w, r), ""
	case r.URL.Path == "/logout" && r.Method == http.MethodPost:
		return a.logout(w, r)
	case r.URL.Path == "/regenerate" && r.Method == http.MethodPost && a.renamer != nil:
		return a.regenerate(w, r)
	case r.URL.Path == "/login" && r.Method == http.MethodPost && a.auth:
		return a.login(w, r)
	case r.URL.Path == "/me" && get && a.auth:
		return a.me(w, r)
	}
	return a.notFound(w, r), ""
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) (status int, sessID string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	ctx := r.Context()

	if id, ok := a.cookie.sessionID(r.Header["Cookie"]); ok {
		var sess Session
		var err error
		if a.racy {
			sess, err = a.racyVisit(ctx, id)
		} else {
			sess, err = a.store.Visit(ctx, id)
		}
		switch {
		case err == nil:
			a.storeUp()
			if a.cc.maxAge > 0 {
				// express-session re-sends a changed session's cookie
				// when it has an expiry.
				a.send(w, http.StatusOK, sess, id, a.now())
				return http.StatusOK, id
			}
			a.send(w, http.StatusOK, sess, "", time.Time{})
			return http.StatusOK, id
		case !errors.Is(err, ErrNotFound):
			return a.unavailable(w, err), id
		}
		// unknown or expired id: a fresh session, as express-session does
	}

	id := a.ids.next()
	var now time.Time // only a cookie with an expiry needs the clock
	if a.cc.maxAge > 0 {
		now = a.now()
	}
	sess := a.freshSession(now)
	if err := a.store.Create(ctx, id, sess); err != nil {
		return a.unavailable(w, err), id
	}
	a.storeUp()
	a.send(w, http.StatusCreated, sess, id, now)
	return http.StatusCreated, id
}

// freshSession is the reference example's new session: sid random in
// [0, 10000), visitCount 1, and the cookie's expiry from now (none when now
// is zero or the cookie has no MaxAge).
func (a *app) freshSession(now time.Time) Session {
	s := Session{SID: int32(mrand.IntN(10000)), VisitCount: 1}
	if !now.IsZero() {
		s.Expires = a.cc.expiresAt(now)
	}
	return s
}

// racyVisit is express-session's read-modify-write: load, pause, save the
// whole session, with no lock.
func (a *app) racyVisit(ctx context.Context, id string) (Session, error) {
	sess, err := a.store.(Loader).Load(ctx, id)
	if err != nil {
		return sess, err
	}
	if a.delay > 0 {
		t := time.NewTimer(a.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return sess, ctx.Err()
		}
	}
	sess.VisitCount++
	save := sess
	save.Expires = time.Time{}
	if a.cc.maxAge > 0 {
		save.Expires = a.cc.expiresAt(a.now())
	}
	return sess, a.store.Create(ctx, id, save)
}

// logout destroys the session and clears its cookie, as an Express app does
// with req.session.destroy() then res.clearCookie(name).sendStatus(200). It
// answers 200 "OK" with or without a session.
func (a *app) logout(w http.ResponseWriter, r *http.Request) (int, string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	var id string
	if a.mode == ModeCookie {
		h["Set-Cookie"] = a.csCookie.cleared() // cookie-session's req.session = null
	} else {
		var ok bool
		if id, ok = a.cookie.sessionID(r.Header["Cookie"]); ok && !a.logoutKeepsSession {
			if err := a.store.Destroy(r.Context(), id); err != nil {
				return a.unavailable(w, err), id
			}
			a.storeUp()
		}
		h["Set-Cookie"] = []string{a.cookie.cleared()}
	}
	writeExpress(w, http.StatusOK, hdrText, []byte("OK"))
	return http.StatusOK, id
}

// regenerate moves the session to a new id and keeps its data, the defence
// against session fixation (an Express app copies the data over
// req.session.regenerate). 200 with the session and the new cookie; 400
// when the request carries no session.
func (a *app) regenerate(w http.ResponseWriter, r *http.Request) (int, string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	id, ok := a.cookie.sessionID(r.Header["Cookie"])
	if ok {
		newID := a.ids.next()
		sess, err := a.renamer.Rename(r.Context(), id, newID)
		switch {
		case err == nil:
			a.storeUp()
			a.send(w, http.StatusOK, sess, newID, a.now())
			return http.StatusOK, newID
		case !errors.Is(err, ErrNotFound):
			return a.unavailable(w, err), id
		}
	}
	writeExpress(w, http.StatusBadRequest, hdrText, []byte("Bad Request: no session to regenerate"))
	return http.StatusBadRequest, id
}

// healthz answers 200 "ok", or 503 when the store says it is unreachable.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) int {
	if p, ok := a.store.(Pinger); ok {
		if err := p.Ping(r.Context()); err != nil {
			return a.unavailable(w, err)
		}
		a.storeUp()
	}
	h := w.Header()
	h["Content-Type"] = hdrText
	h["Content-Length"] = []string{"3"}
	h["Cache-Control"] = []string{"no-store"}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("ok\n"))
	return http.StatusOK
}

// notFound answers as Express's finalhandler does for an unmatched route.
func (a *app) notFound(w http.ResponseWriter, r *http.Request) int {
	body := []byte("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(r.Method+" "+r.URL.EscapedPath()) + "</pre>\n</body>\n</html>\n")
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	h["Content-Security-Policy"] = hdrCSP404
	h["X-Content-Type-Options"] = hdrNoSniff
	h["Content-Type"] = hdrHTML
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusNotFound)
	w.Write(body)
	return http.StatusNotFound
}

// unavailable answers 503 when the store fails (a Redis that is down) and
// logs the first failure of an outage.
func (a *app) unavailable(w http.ResponseWriter, err error) int {
	if !errors.Is(err, context.Canceled) && !a.storeDown.Swap(true) && a.errLog != nil {
		a.errLog.Error("session store unavailable: answering 503 until it is back", "err", err)
	}
	http.Error(w, "Service Unavailable: session store unavailable", http.StatusServiceUnavailable)
	return http.StatusServiceUnavailable
}

// storeUp notes a store success, logging the end of an outage.
func (a *app) storeUp() {
	if a.storeDown.Load() && a.storeDown.Swap(false) && a.errLog != nil {
		a.errLog.Info("session store available again")
	}
}

// shortID shortens a session id for logs: enough to tell sessions apart,
// not enough to hijack one.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
