package demo

import (
	"encoding/base64"
	mrand "math/rand/v2"
	"net/http"

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
		sess = Session{SID: int32(mrand.IntN(10000)), VisitCount: 1}
		status = http.StatusCreated
	}
	var buf [64]byte
	body := appendCookieSessionJSON(buf[:0], sess)
	h["Set-Cookie"] = a.csCookie.setCookies(base64.StdEncoding.EncodeToString(body), a.now())
	writeExpress(w, status, hdrJSON, body)
	return status
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
