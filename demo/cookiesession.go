package demo

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// serveCookie is the reference example under cookie-session: the session
// is {"sid":N,"visitCount":M}, kept in the `session` cookie as base64 JSON
// and signed in `session.sig`. A missing, tampered or unreadable cookie
// starts a fresh session (201), as cookie-session does.
func (a *app) serveCookie(w http.ResponseWriter, r *http.Request) int {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	status := http.StatusOK
	sess, ok := a.readCookieSession(r.Header["Cookie"])
	if ok {
		sess.VisitCount++
	} else {
		sess = a.freshSession(time.Time{})
		status = http.StatusCreated
	}
	a.sendCookieSession(w, status, sess)
	return status
}

// sendCookieSession sends sess as the body and in cookie-session's cookies.
func (a *app) sendCookieSession(w http.ResponseWriter, status int, sess Session) {
	var buf [128]byte
	body := appendCookieSessionJSON(buf[:0], sess)
	w.Header()["Set-Cookie"] = a.csCookie.setCookies(base64.StdEncoding.EncodeToString(body), a.now())
	writeExpress(w, status, hdrJSON, body)
}

// readCookieSession returns the session the request's cookies carry when
// the signature verifies under one of the keys and the payload is the
// reference example's session.
func (a *app) readCookieSession(lines []string) (Session, bool) {
	value, ok := a.csCookie.value(lines)
	if !ok {
		return Session{}, false
	}
	return decodeCookieSession(value)
}

// decodeCookieSession decodes a cookie-session value as Node's
// Buffer.from(value, "base64") and JSON.parse would: either base64
// alphabet, padding optional.
func decodeCookieSession(value string) (Session, bool) {
	raw, err := cookie.DecodeBase64(value)
	if err != nil {
		return Session{}, false
	}
	return parseStoredJSON(raw)
}
