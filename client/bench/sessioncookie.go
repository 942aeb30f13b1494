package bench

import (
	"strings"

	"github.com/sessctl/sessctl/cookie"
)

// This file says what a cookie tells of the session: whether it is the
// session's cookie, and whether a new value of it is a new session. A new
// value is not a new session by itself: a session that lives in the cookie
// (Flask, Django's signed_cookies, cookie-session, koa-session, gorilla,
// Rails, a JWT) is re-issued with every change, and a sealed id (Laravel) is
// re-encrypted with every response. A new session is a 201, or a cookie
// that carries another id: an opaque id that changed, or express's
// s:<id>.<signature> with another id.

// sessionKind is what a cookie carries of the session.
type sessionKind uint8

const (
	// notSession: another cookie (theme=dark), or the .sig companion of a
	// signed cookie.
	notSession sessionKind = iota
	// sessionID: the value is the session's id, or (express) holds it.
	sessionID
	// sessionData: the session itself lives in the cookie.
	sessionData
	// sessionSealed: an encrypted id, a new value at every response.
	sessionSealed
)

// classifyCookie tells what the cookie name=value carries and its format's
// name (cookie.Format.Name; "" when no format claims it). It runs once for
// each cookie a virtual user stores, not for each response.
func classifyCookie(name, value string) (sessionKind, string) {
	if base, ok := strings.CutSuffix(name, ".sig"); ok && base != "" {
		return notSession, ""
	}
	f, _ := cookie.Detect(cookie.Input{Name: name, Value: value})
	if f == nil {
		if cookie.IsSessionName(name) {
			return sessionID, ""
		}
		return notSession, ""
	}
	switch f.Name() {
	case "express", "opaque":
		return sessionID, f.Name()
	case "laravel":
		return sessionSealed, f.Name()
	}
	return sessionData, f.Name()
}

// newSessionValue tells whether a cookie of kind k that changed from old
// to value now carries another session.
func newSessionValue(k sessionKind, format string, old []byte, value string) bool {
	if k != sessionID {
		return false
	}
	if format == "express" {
		return cookie.SessionID(string(old)) != cookie.SessionID(value)
	}
	return true
}
