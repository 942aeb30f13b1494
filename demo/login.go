package demo

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// MaxUserLength bounds the user POST /login accepts.
const MaxUserLength = 64

// maxLoginBody bounds the POST /login body read.
const maxLoginBody = 4 << 10

// login signs the user in: POST /login with a form or JSON field `user`
// sets it in the session (a new one when the request has none, as GET /
// creates it) and, unless NoRegenerate, moves the session to a new id first,
// as an Express app does with req.session.regenerate() at login. It answers
// 200 with the session's JSON, 400 without a valid user.
func (a *app) login(w http.ResponseWriter, r *http.Request) (int, string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	user, ok := readUser(r)
	if !ok {
		writeExpress(w, http.StatusBadRequest, hdrText, []byte("Bad Request: want a field user of 1 to 64 letters, digits or . _ @ -"))
		return http.StatusBadRequest, ""
	}
	now := a.now()
	if a.mode == ModeCookie {
		sess, ok := a.readCookieSession(r.Header["Cookie"])
		if !ok {
			sess = a.freshSession(time.Time{})
		}
		sess.User = user
		a.sendCookieSession(w, http.StatusOK, sess)
		return http.StatusOK, ""
	}

	ctx := r.Context()
	oldID, had := a.cookie.sessionID(r.Header["Cookie"])
	var sess Session
	if had {
		var err error
		sess, err = a.loader.Load(ctx, oldID)
		switch {
		case errors.Is(err, ErrNotFound):
			had = false
		case err != nil:
			return a.unavailable(w, err), oldID
		}
	}
	id := oldID
	if !had || !a.noRegenerate {
		id = a.ids.next()
	}
	if !had {
		sess = a.freshSession(now)
	} else if id != oldID {
		sess.Expires = a.cc.expiresAt(now) // the regenerated session's cookie is new
	}
	sess.User = user
	save := sess
	save.Expires = a.cc.expiresAt(now)
	if err := a.store.Create(ctx, id, save); err != nil {
		return a.unavailable(w, err), id
	}
	if had && id != oldID {
		if err := a.store.Destroy(ctx, oldID); err != nil {
			return a.unavailable(w, err), id
		}
	}
	a.storeUp()
	// express-session sets the cookie for a new id, and for a changed
	// session whose cookie has an expiry.
	if id != oldID || a.cc.maxAge > 0 {
		a.send(w, http.StatusOK, sess, id, now)
	} else {
		a.send(w, http.StatusOK, sess, "", time.Time{})
	}
	return http.StatusOK, id
}

// me answers GET /me: 200 {"user":NAME} when the session has a user, 401
// Unauthorized otherwise (no session, or nobody signed in), as an Express
// route with res.json and res.sendStatus(401) does.
func (a *app) me(w http.ResponseWriter, r *http.Request) (int, string) {
	h := w.Header()
	h["X-Powered-By"] = hdrPoweredBy
	var sess Session
	var id string
	if a.mode == ModeCookie {
		sess, _ = a.readCookieSession(r.Header["Cookie"])
	} else if i, ok := a.cookie.sessionID(r.Header["Cookie"]); ok {
		id = i
		var err error
		sess, err = a.loader.Load(r.Context(), id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return a.unavailable(w, err), id
		}
		if err == nil {
			a.storeUp()
		}
	}
	if sess.User == "" {
		writeExpress(w, http.StatusUnauthorized, hdrText, []byte("Unauthorized"))
		return http.StatusUnauthorized, id
	}
	body := append(appendJSONString(append(make([]byte, 0, 96), `{"user":`...), sess.User), '}')
	writeExpress(w, http.StatusOK, hdrJSON, body)
	return http.StatusOK, id
}

// readUser returns the `user` field of a urlencoded or JSON body (what
// express.urlencoded() and express.json() parse), when it is a valid user.
func readUser(r *http.Request) (string, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
	if err != nil || len(body) > maxLoginBody {
		return "", false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var user string
	switch ct {
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return "", false
		}
		user = q.Get("user")
	case "application/json":
		var v struct {
			User string `json:"user"`
		}
		if json.Unmarshal(body, &v) != nil {
			return "", false
		}
		user = v.User
	}
	return user, validUser(user)
}

// validUser says whether u is 1 to MaxUserLength letters, digits or . _ @ -.
func validUser(u string) bool {
	if u == "" || len(u) > MaxUserLength {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '@' || c == '-') {
			return false
		}
	}
	return true
}
