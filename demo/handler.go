package demo

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"html"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// Options configure the demo app.
type Options struct {
	// Secrets sign the session cookie: the first signs, any verifies, as
	// express-session's secret array. Empty means one random secret, made
	// anew for each handler.
	Secrets [][]byte
	// Store keeps the sessions. Nil means a new MemoryStore.
	Store Store
	// CookieName is the session cookie's name; empty means "connect.sid".
	CookieName string
	// Logger, when set, gets one line per request.
	Logger *slog.Logger
}

// app is the reference Express example over a Store.
type app struct {
	signer     *cookie.ExpressSigner
	store      Store
	cookieName string
	logger     *slog.Logger
}

// NewHandler returns the reference Express example as an http.Handler:
// GET / without a valid session creates one (sid random in [0, 10000),
// visitCount 1) and answers 201; with one it increments visitCount and answers
// 200; both send the session as express-session's JSON. Anything else is
// Express's 404 page. It panics only if it cannot read crypto/rand.
func NewHandler(opts Options) http.Handler {
	secrets := opts.Secrets
	if len(secrets) == 0 {
		secrets = [][]byte{RandomSecret()}
	}
	signer, err := cookie.NewExpressSigner(secrets...)
	if err != nil {
		panic(err) // unreachable: secrets is not empty
	}
	a := &app{signer: signer, store: opts.Store, cookieName: opts.CookieName, logger: opts.Logger}
	if a.store == nil {
		a.store = NewMemoryStore()
	}
	if a.cookieName == "" {
		a.cookieName = cookie.ExpressSessionName
	}
	return a
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
	hdrPoweredBy = []string{"Express"}
	hdrNoSniff   = []string{"nosniff"}
	hdrCSP404    = []string{"default-src 'none'"}
)

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status, sessID := a.serve(w, r)
	if a.logger != nil {
		a.logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
			"session", shortID(sessID), "remote", r.RemoteAddr, "duration", time.Since(start))
	}
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) (status int, sessID string) {
	if r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return a.notFound(w, r), ""
	}
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	ctx := r.Context()

	if raw, ok := findCookie(r.Header["Cookie"], a.cookieName); ok {
		if id, ok := a.signer.ParseSessionCookie(raw); ok {
			sess, err := a.store.Visit(ctx, id)
			switch {
			case err == nil:
				a.send(w, http.StatusOK, sess)
				return http.StatusOK, id
			case !errors.Is(err, ErrNotFound):
				return a.unavailable(w, err), id
			}
			// unknown or expired id: a fresh session, as express-session does
		}
	}

	id := newSessionID()
	sess := Session{SID: int32(mrand.IntN(10000)), VisitCount: 1}
	if err := a.store.Create(ctx, id, sess); err != nil {
		return a.unavailable(w, err), id
	}
	h["Set-Cookie"] = []string{a.cookieName + "=" + a.signer.SessionCookieValue(id) + "; Path=/; HttpOnly"}
	a.send(w, http.StatusCreated, sess)
	return http.StatusCreated, id
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

func (a *app) send(w http.ResponseWriter, status int, s Session) {
	var buf [160]byte
	body := AppendSessionJSON(buf[:0], s)
	writeExpress(w, status, hdrJSON, body)
}

// writeExpress writes body with the headers Express's res.send adds:
// Content-Type, Content-Length and a weak ETag of the body.
func writeExpress(w http.ResponseWriter, status int, ctype []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	h["ETag"] = []string{weakETag(body)}
	w.WriteHeader(status)
	w.Write(body)
}

// weakETag is the etag module's weak tag, as Express computes it:
// W/"<length in hex>-<first 27 chars of base64 SHA-1>".
func weakETag(body []byte) string {
	sum := sha1.Sum(body)
	var b [64]byte
	e := append(b[:0], `W/"`...)
	e = strconv.AppendInt(e, int64(len(body)), 16)
	e = append(e, '-')
	e = base64.StdEncoding.AppendEncode(e, sum[:])[:len(e)+27]
	return string(append(e, '"'))
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

// unavailable answers 503 when the store fails (a Redis that is down).
func (a *app) unavailable(w http.ResponseWriter, err error) int {
	if a.logger != nil {
		a.logger.Error("session store unavailable", "err", err)
	}
	http.Error(w, "Service Unavailable: session store unavailable", http.StatusServiceUnavailable)
	return http.StatusServiceUnavailable
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
