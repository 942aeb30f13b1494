package demo

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// Mode says where the demo keeps sessions.
type Mode string

// Modes.
const (
	// ModeStore keeps sessions in a Store under a random id that the signed
	// connect.sid cookie carries, as express-session does.
	ModeStore Mode = "store"
	// ModeCookie keeps the whole session in the cookie, as the npm
	// cookie-session does: `session` = base64 JSON, `session.sig` = keygrip
	// HMAC-SHA1 of "session=<value>".
	ModeCookie Mode = "cookie"
)

// CookieSessionName is cookie-session's default cookie name.
const CookieSessionName = "session"

// Options configure the demo app. The zero value is the reference Express
// example with a random secret and a new MemoryStore.
type Options struct {
	// Secrets sign the session cookie: the first signs, any verifies, as
	// express-session's secret array and cookie-session's keys. Empty means
	// one random secret, made anew for each handler.
	Secrets [][]byte
	// Store keeps the sessions in ModeStore. Nil means a new MemoryStore.
	Store Store
	// Mode is ModeStore (the default when empty) or ModeCookie.
	Mode Mode
	// CookieName is the session cookie's name; empty means "connect.sid"
	// (ModeStore) or "session" (ModeCookie).
	CookieName string
	// MaxAge, when positive, gives the cookie an Expires (renewed on every
	// response, as express-session does when the session changed) and the
	// session JSON its originalMaxAge and expires; it is also the store's
	// TTL. Zero means a browser-session cookie.
	MaxAge time.Duration
	// Secure adds the Secure attribute, always (express-session would omit
	// the cookie on plain HTTP).
	Secure bool
	// SameSite is "", "lax", "strict" or "none"; empty omits the attribute
	// (express-session's default). serve-demo defaults to "lax".
	SameSite string
	// Racy makes visits a load, a pause of Delay and a save with no lock,
	// as express-session with its MemoryStore does, so concurrent visits of
	// one session lose updates. It needs a Store that is a Loader.
	Racy bool
	// Delay is the pause between load and save in Racy mode.
	Delay time.Duration
	// Logger, when set, gets one line per request.
	Logger *slog.Logger
	// ErrorLog, when set, gets a line when the store becomes unavailable
	// (and the handler starts answering 503) and when it is back.
	ErrorLog *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// app is the reference Express example over a Store, or over cookies.
type app struct {
	signer     *cookie.ExpressSigner
	keygrip    *cookie.Keygrip
	store      Store
	renamer    Renamer // nil in cookie mode or over a store that cannot rename
	mode       Mode
	cookieName string
	sigName    string
	cc         cookieConfig
	racy       bool
	delay      time.Duration
	logger     *slog.Logger
	errLog     *slog.Logger
	now        func() time.Time
	storeDown  atomic.Bool

	// precomputed for the hot path
	attrs     string // "; Path=/; HttpOnly..." without Expires
	jsonHead  string // `{"cookie":{"originalMaxAge":` + N or null + `,"expires":`
	jsonTail  string // `,"httpOnly":true,"path":"/"` ... `},"sid":`
	csAttrs   string // cookie-session's attributes without expires
	csAttrsSS string // cookie-session's samesite/secure/httponly tail
}

// NewHandler returns the reference Express example as an http.Handler:
// GET / without a valid session creates one (sid random in [0, 10000),
// visitCount 1) and answers 201; with one it increments visitCount and answers
// 200; both send the session as express-session's JSON (cookie-session's in
// ModeCookie). POST /logout destroys the session, POST /regenerate moves it
// to a new id, GET /healthz answers 200 "ok" (503 when the store is
// unreachable). Anything else is Express's 404 page. It panics only on
// invalid Options (Racy over a Store that cannot Load, an unknown Mode or
// SameSite).
func NewHandler(opts Options) http.Handler {
	secrets := opts.Secrets
	if len(secrets) == 0 {
		secrets = [][]byte{RandomSecret()}
	}
	signer, err := cookie.NewExpressSigner(secrets...)
	if err != nil {
		panic(err) // unreachable: secrets is not empty
	}
	kg, err := cookie.NewKeygrip("sha1", secrets...)
	if err != nil {
		panic(err)
	}
	a := &app{
		signer: signer, keygrip: kg, store: opts.Store, mode: opts.Mode, cookieName: opts.CookieName,
		cc:   cookieConfig{maxAge: opts.MaxAge, secure: opts.Secure, sameSite: opts.SameSite},
		racy: opts.Racy, delay: opts.Delay, logger: opts.Logger, errLog: opts.ErrorLog, now: opts.Now,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.cc.maxAge < 0 {
		a.cc.maxAge = 0
	}
	switch a.cc.sameSite {
	case "", "lax", "strict", "none":
	default:
		panic(fmt.Sprintf("demo: unknown SameSite %q", a.cc.sameSite))
	}
	switch a.mode {
	case "":
		a.mode = ModeStore
	case ModeStore, ModeCookie:
	default:
		panic(fmt.Sprintf("demo: unknown Mode %q", a.mode))
	}
	if a.cookieName == "" {
		a.cookieName = cookie.ExpressSessionName
		if a.mode == ModeCookie {
			a.cookieName = CookieSessionName
		}
	}
	a.sigName = a.cookieName + ".sig"
	if a.store == nil && a.mode == ModeStore {
		a.store = NewMemoryStore()
	}
	if r, ok := a.store.(Renamer); ok && a.mode == ModeStore {
		a.renamer = r
	}
	if c, ok := a.store.(cookieConfigurer); ok {
		c.setCookieConfig(a.cc)
	}
	if _, ok := a.store.(Loader); a.racy && a.mode == ModeStore && !ok {
		panic("demo: Racy needs a Store that is a Loader")
	}
	a.attrs, a.jsonHead, a.jsonTail = expressCookieStrings(a.cc)
	a.csAttrs, a.csAttrsSS = cookieSessionStrings(a.cc)
	return a
}

// expressCookieStrings precomputes the constant parts of express-session's
// Set-Cookie attributes and session JSON for c.
func expressCookieStrings(c cookieConfig) (attrs, jsonHead, jsonTail string) {
	var tail strings.Builder
	tail.WriteString("; HttpOnly")
	if c.secure {
		tail.WriteString("; Secure")
	}
	switch c.sameSite {
	case "lax":
		tail.WriteString("; SameSite=Lax")
	case "strict":
		tail.WriteString("; SameSite=Strict")
	case "none":
		tail.WriteString("; SameSite=None")
	}
	attrs = tail.String()

	jsonHead = `{"cookie":{"originalMaxAge":null,"expires":`
	if c.maxAge > 0 {
		jsonHead = `{"cookie":{"originalMaxAge":` + strconv.FormatInt(c.maxAge.Milliseconds(), 10) + `,"expires":`
	}
	jsonTail = ``
	if c.secure {
		jsonTail += `,"secure":true`
	}
	jsonTail += `,"httpOnly":true,"path":"/"`
	if c.sameSite != "" {
		jsonTail += `,"sameSite":"` + c.sameSite + `"`
	}
	jsonTail += `},"sid":`
	return attrs, jsonHead, jsonTail
}

// cookieSessionStrings precomputes the attributes the npm cookies module
// writes after path (and expires) for cookie-session.
func cookieSessionStrings(c cookieConfig) (head, tail string) {
	head = "; path=/"
	if c.sameSite != "" {
		tail += "; samesite=" + c.sameSite
	}
	if c.secure {
		tail += "; secure"
	}
	tail += "; httponly"
	return head, tail
}

// RandomSecret returns a fresh 32-byte secret from crypto/rand, base64url
// encoded so that it can be printed and passed back with --secret.
func RandomSecret() []byte {
	var b [32]byte
	rand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	return base64.RawURLEncoding.AppendEncode(nil, b[:])
}

// newSessionID returns 24 random bytes as unpadded base64url: 32 characters
// and 192 bits, the shape of express-session's uid-safe ids.
func newSessionID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var (
	hdrJSON      = []string{"application/json; charset=utf-8"}
	hdrHTML      = []string{"text/html; charset=utf-8"}
	hdrText      = []string{"text/plain; charset=utf-8"}
	hdrPoweredBy = []string{"Express"}
	hdrNoSniff   = []string{"nosniff"}
	hdrCSP404    = []string{"default-src 'none'"}
)

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
	}
	return a.notFound(w, r), ""
}

// sessionID returns the id a valid connect.sid cookie carries.
func (a *app) sessionID(r *http.Request) (string, bool) {
	raw, ok := findCookie(r.Header["Cookie"], a.cookieName)
	if !ok {
		return "", false
	}
	return a.signer.ParseSessionCookie(raw)
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) (status int, sessID string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	ctx := r.Context()

	if id, ok := a.sessionID(r); ok {
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

	id := newSessionID()
	var now time.Time // only a cookie with an expiry needs the clock
	sess := Session{SID: int32(mrand.IntN(10000)), VisitCount: 1}
	if a.cc.maxAge > 0 {
		now = a.now()
		sess.Expires = a.cc.expiresAt(now)
	}
	if err := a.store.Create(ctx, id, sess); err != nil {
		return a.unavailable(w, err), id
	}
	a.storeUp()
	a.send(w, http.StatusCreated, sess, id, now)
	return http.StatusCreated, id
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

// appendSetCookie appends express-session's Set-Cookie value for id.
func (a *app) appendSetCookie(b []byte, id string, now time.Time) []byte {
	b = append(b, a.cookieName...)
	b = append(b, '=')
	b = a.signer.AppendSessionCookieValue(b, id)
	b = append(b, "; Path=/"...)
	if a.cc.maxAge > 0 {
		b = append(b, "; Expires="...)
		b = now.Add(a.cc.maxAge).UTC().AppendFormat(b, http.TimeFormat)
	}
	return append(b, a.attrs...)
}

// AppendSessionJSON appends what express-session's res.send(req.session)
// prints for s with the default cookie options.
func AppendSessionJSON(b []byte, s Session) []byte {
	b = append(b, `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":`...)
	b = strconv.AppendInt(b, int64(s.SID), 10)
	b = append(b, `,"visitCount":`...)
	b = strconv.AppendInt(b, s.VisitCount, 10)
	return append(b, '}')
}

// appendJSON appends express-session's JSON of s for the handler's cookie
// options: what res.send(req.session) prints and what connect-redis stores.
func appendJSON(b []byte, head, tail string, s Session) []byte {
	b = append(b, head...)
	if s.Expires.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = s.Expires.UTC().AppendFormat(b, isoMillis)
		b = append(b, '"')
	}
	b = append(b, tail...)
	b = strconv.AppendInt(b, int64(s.SID), 10)
	b = append(b, `,"visitCount":`...)
	b = strconv.AppendInt(b, s.VisitCount, 10)
	return append(b, '}')
}

// isoMillis is JavaScript's Date.prototype.toJSON layout.
const isoMillis = "2006-01-02T15:04:05.000Z"

// bodyPool recycles response buffers: net/http copies what Write gets, so
// a buffer is free again when Write returns.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// send writes s as express-session's JSON with Express's headers and, when
// cookieID is not empty, the session cookie for cookieID (expiring from
// now). The body and the header values are built in one pooled buffer, the
// header values then copied out in one string: a new session costs three
// allocations here instead of eight.
func (a *app) send(w http.ResponseWriter, status int, s Session, cookieID string, now time.Time) {
	bp := bodyPool.Get().(*[]byte)
	buf := appendJSON((*bp)[:0], a.jsonHead, a.jsonTail, s)
	n := len(buf)
	if cookieID != "" {
		buf = a.appendSetCookie(buf, cookieID, now)
	}
	c := len(buf)
	buf = appendWeakETag(buf, buf[:n])
	vals := new([2]string)
	hs := string(buf[n:])
	vals[0], vals[1] = hs[:c-n], hs[c-n:]
	h := w.Header()
	if cookieID != "" {
		h["Set-Cookie"] = vals[0:1:1]
	}
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = contentLength(n)
	h["ETag"] = vals[1:2:2]
	w.WriteHeader(status)
	w.Write(buf[:n])
	*bp = buf
	bodyPool.Put(bp)
}

// writeExpress writes body with the headers Express's res.send adds:
// Content-Type, Content-Length and a weak ETag of the body.
func writeExpress(w http.ResponseWriter, status int, ctype []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = contentLength(len(body))
	var b [64]byte
	h["ETag"] = []string{string(appendWeakETag(b[:0], body))}
	w.WriteHeader(status)
	w.Write(body)
}

// contentLengths holds the Content-Length header values of small bodies,
// shared read-only by all responses as the other constant header values.
var contentLengths = func() (t [512][]string) {
	for i := range t {
		t[i] = []string{strconv.Itoa(i)}
	}
	return t
}()

func contentLength(n int) []string {
	if n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

// appendWeakETag appends the etag module's weak tag of body, as Express
// computes it: W/"<length in hex>-<first 27 chars of base64 SHA-1>".
func appendWeakETag(e []byte, body []byte) []byte {
	sum := sha1.Sum(body)
	e = append(e, `W/"`...)
	e = strconv.AppendInt(e, int64(len(body)), 16)
	e = append(e, '-')
	var b64 [28]byte
	base64.StdEncoding.Encode(b64[:], sum[:])
	e = append(e, b64[:27]...)
	return append(e, '"')
}

// clearedCookie is what Express's res.clearCookie(name) sets.
const clearedCookie = "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"

// logout destroys the session and clears its cookie, as an Express app does
// with req.session.destroy() then res.clearCookie(name).sendStatus(200). It
// answers 200 "OK" with or without a session.
func (a *app) logout(w http.ResponseWriter, r *http.Request) (int, string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	var id string
	if a.mode == ModeCookie {
		// cookie-session's req.session = null
		const gone = "; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT"
		h["Set-Cookie"] = []string{
			a.cookieName + "=" + gone + a.csAttrsSS,
			a.sigName + "=" + a.keygrip.Sign(a.cookieName+"=") + gone + a.csAttrsSS,
		}
	} else {
		var ok bool
		if id, ok = a.sessionID(r); ok {
			if err := a.store.Destroy(r.Context(), id); err != nil {
				return a.unavailable(w, err), id
			}
			a.storeUp()
		}
		h["Set-Cookie"] = []string{a.cookieName + clearedCookie}
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
	id, ok := a.sessionID(r)
	if ok {
		newID := newSessionID()
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

// findCookie returns the first value of the cookie named name in Cookie
// header lines, without allocating, as the npm cookie module's parse does
// (first occurrence wins, surrounding quotes stripped).
func findCookie(lines []string, name string) (string, bool) {
	for _, line := range lines {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.Trim(part, " \t")
			eq := strings.IndexByte(part, '=')
			if eq < 0 || strings.Trim(part[:eq], " \t") != name {
				continue
			}
			v := strings.Trim(part[eq+1:], " \t")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// shortID shortens a session id for logs: enough to tell sessions apart,
// not enough to hijack one.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
