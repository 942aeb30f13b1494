package demo

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
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
	// IDs is how session ids are made: IDRandom (the default when empty),
	// or a weak scheme for sessctl audit to find (IDShort, IDSequential,
	// IDTime).
	IDs IDScheme
	// NoRegenerate makes POST /login keep the session id it came with (the
	// session-fixation mistake); by default login moves the session to a
	// new id, as req.session.regenerate() does.
	NoRegenerate bool
	// LogoutKeepsSession makes POST /logout clear the cookie only: the
	// session stays valid in the store, and a copy of the cookie still
	// works. By default logout destroys it.
	LogoutKeepsSession bool
	// NoHTTPOnly drops the HttpOnly attribute (express-session's
	// cookie.httpOnly false: the JSON says "httpOnly":false), so scripts
	// on the page can read the cookie.
	NoHTTPOnly bool
	// Logger, when set, gets one line per request.
	Logger *slog.Logger
	// ErrorLog, when set, gets a line when the store becomes unavailable
	// (and the handler starts answering 503) and when it is back.
	ErrorLog *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// NewHandler returns the reference Express example as an http.Handler:
// GET / without a valid session creates one (sid random in [0, 10000),
// visitCount 1) and answers 201; with one it increments visitCount and answers
// 200; both send the session as express-session's JSON (cookie-session's in
// ModeCookie). POST /logout destroys the session, POST /regenerate moves it
// to a new id, GET /healthz answers 200 "ok" (503 when the store is
// unreachable). Anything else is Express's 404 page. It panics only on
// invalid Options (Racy over a Store that cannot Load, an unknown Mode,
// SameSite or IDs). POST /login and GET /me are the parts sessctl audit
// drives: login sets a user in the session, /me shows it or answers 401.
func NewHandler(opts Options) http.Handler {
	a, err := newApp(opts)
	if err != nil {
		panic("demo: " + err.Error())
	}
	return a
}

// newApp validates opts, fills in the defaults and precomputes the bytes
// the hot path writes.
func newApp(opts Options) (*app, error) {
	secrets := opts.Secrets
	if len(secrets) == 0 {
		secrets = [][]byte{RandomSecret()}
	}
	signer, err := cookie.NewExpressSigner(secrets...)
	if err != nil {
		return nil, err
	}
	kg, err := cookie.NewKeygrip("sha1", secrets...)
	if err != nil {
		return nil, err
	}
	a := &app{
		store: opts.Store, mode: opts.Mode,
		cc:   cookieConfig{maxAge: opts.MaxAge, secure: opts.Secure, sameSite: opts.SameSite, noHTTPOnly: opts.NoHTTPOnly},
		racy: opts.Racy, delay: opts.Delay, logger: opts.Logger, errLog: opts.ErrorLog, now: opts.Now,
		noRegenerate: opts.NoRegenerate, logoutKeepsSession: opts.LogoutKeepsSession,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ids, err = newIDMaker(opts.IDs, a.now); err != nil {
		return nil, err
	}
	if a.cc.maxAge < 0 {
		a.cc.maxAge = 0
	}
	switch a.cc.sameSite {
	case "", "lax", "strict", "none":
	default:
		return nil, fmt.Errorf("unknown SameSite %q", a.cc.sameSite)
	}
	switch a.mode {
	case "":
		a.mode = ModeStore
	case ModeStore, ModeCookie:
	default:
		return nil, fmt.Errorf("unknown Mode %q", a.mode)
	}
	name := opts.CookieName
	if name == "" {
		name = cookie.ExpressSessionName
		if a.mode == ModeCookie {
			name = CookieSessionName
		}
	}
	if a.store == nil && a.mode == ModeStore {
		a.store = NewMemoryStore()
	}
	if r, ok := a.store.(Renamer); ok && a.mode == ModeStore {
		a.renamer = r
	}
	if l, ok := a.store.(Loader); ok && a.mode == ModeStore {
		a.loader = l
	}
	a.auth = a.loader != nil || a.mode == ModeCookie
	if c, ok := a.store.(cookieConfigurer); ok {
		c.setCookieConfig(a.cc)
	}
	if _, ok := a.store.(Loader); a.racy && a.mode == ModeStore && !ok {
		return nil, fmt.Errorf("Racy needs a Store that is a Loader")
	}
	a.cookie = newExpressCookie(name, signer, a.cc)
	a.csCookie = newCookieSessionCookie(name, kg, a.cc)
	a.json = newSessionJSON(a.cc)
	return a, nil
}

// RandomSecret returns a fresh 32-byte secret from crypto/rand, base64url
// encoded so that it can be written to a file and passed back.
func RandomSecret() []byte {
	var b [32]byte
	rand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	return base64.RawURLEncoding.AppendEncode(nil, b[:])
}
