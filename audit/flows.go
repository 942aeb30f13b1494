package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
)

// flow is one session driven through login, logout and the authed check.
type flow struct {
	a   *auditor
	jar *client.Jar
}

func (a *auditor) newFlow() *flow { return &flow{a: a, jar: client.NewJar()} }

func (f *flow) do(ctx context.Context, r request, body []byte) (client.Step, error) {
	return f.a.visit(ctx, f.jar, r, body, nil)
}

// start visits the URL: the session begins.
func (f *flow) start(ctx context.Context) error {
	_, err := f.do(ctx, request{Method: http.MethodGet, URL: f.a.cfg.URL}, nil)
	return err
}

func (f *flow) login(ctx context.Context) (client.Step, error) {
	r, _ := parseRequest("--login", f.a.cfg.Login, f.a.cfg.URL)
	var body []byte
	if r.Method != http.MethodGet {
		body = []byte(f.a.cfg.LoginData)
	}
	return f.do(ctx, r, body)
}

// sessionValue is the session cookie's value in the jar, "" when none.
func (f *flow) sessionValue() string {
	if f.a.sess == nil {
		return ""
	}
	for _, c := range f.jar.Cookies(f.a.base) {
		if c.Name == f.a.sess.Name {
			return c.Value
		}
	}
	return ""
}

// cookieHeader is the Cookie header the jar sends to the app.
func (f *flow) cookieHeader() string {
	var parts []string
	for _, c := range f.jar.Cookies(f.a.base) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// authed sends --authed with the Cookie header h (and no jar) and tells
// whether the answer is a signed-in one.
func (a *auditor) authed(ctx context.Context, h string) (bool, client.Step, error) {
	r, _ := parseRequest("--authed", a.cfg.Authed, a.cfg.URL)
	var hdr http.Header
	if h != "" {
		hdr = http.Header{"Cookie": {h}}
	}
	s, err := a.visit(ctx, client.NewJar(), r, nil, hdr)
	if err != nil {
		return false, s, err
	}
	ok := s.Status >= 200 && s.Status <= 299
	if a.cfg.AuthedStatus != 0 {
		ok = s.Status == a.cfg.AuthedStatus
	}
	if ok && a.cfg.AuthedMatch != nil {
		ok = a.cfg.AuthedMatch.MatchString(bodyText(s))
	}
	return ok, s, nil
}

// bodyText is a Step's body as text.
func bodyText(s client.Step) string {
	if s.BodyIsJSON {
		return string(s.Body)
	}
	var t string
	json.Unmarshal(s.Body, &t)
	return t
}

// signedIn logs a new flow in and checks that --authed tells it from no
// session at all; note says why not.
func (a *auditor) signedIn(ctx context.Context) (f *flow, note string, err error) {
	f = a.newFlow()
	if err := f.start(ctx); err != nil {
		return nil, "", err
	}
	if a.cfg.Login != "" {
		s, err := f.login(ctx)
		if err != nil {
			return nil, "", err
		}
		if s.Status >= 400 {
			return nil, skipped + fmt.Sprintf("%s answered %d", a.cfg.Login, s.Status), nil
		}
	}
	in, s, err := a.authed(ctx, f.cookieHeader())
	if err != nil {
		return nil, "", err
	}
	if !in {
		return nil, skipped + fmt.Sprintf("%s answers %d to the signed-in session: not a signed-in answer (see --authed-status, --authed-match)", a.cfg.Authed, s.Status), nil
	}
	out, s, err := a.authed(ctx, "")
	if err != nil {
		return nil, "", err
	}
	if out {
		return nil, skipped + fmt.Sprintf("%s answers %d without a cookie too: it cannot tell a signed-in session (see --authed-status, --authed-match)", a.cfg.Authed, s.Status), nil
	}
	return f, "", nil
}

// checkFixation: does the app take an id the client made up, does the id
// change at login, is the old one dead afterwards (WSTG-SESS-03).
func (a *auditor) checkFixation(ctx context.Context) (string, error) {
	switch {
	case a.cfg.Login == "":
		return skipped + "no --login", nil
	case a.sess == nil:
		return skipped + "no session cookie", nil
	case a.res.CookieCarried:
		return skipped + "the cookie carries the session (" + a.fmt + "): its value changes with the data at login, and a planted cookie carries only the attacker's own data", nil
	}
	name := a.sess.Name
	loginReq, _ := parseRequest("--login", a.cfg.Login, a.cfg.URL)

	if a.fmt == "opaque" { // unsigned ids: plant one
		made := madeUpID(cookie.SessionID(a.sess.Value))
		f := a.newFlow()
		f.jar.SetCookie(a.base, &cookie.SetCookie{Name: name, Value: made, Path: "/"})
		if _, err := f.login(ctx); err != nil {
			return "", err
		}
		if f.sessionValue() == made {
			a.add(Finding{ID: "fixation-adopts-id", Check: "fixation", Severity: High,
				Title:    "the app signs in a session id the client made up: an attacker plants an id, the victim logs in with it",
				Evidence: Evidence{Request: loginReq.String() + " with Cookie: " + name + "=" + made, Detail: "no Set-Cookie replaced the made-up id"}})
		}
	}

	f := a.newFlow()
	if err := f.start(ctx); err != nil {
		return "", err
	}
	before, beforeHdr := f.sessionValue(), f.cookieHeader()
	if before == "" {
		return "the app sets its session cookie only at login: nothing to fix before it", nil
	}
	if _, err := f.login(ctx); err != nil {
		return "", err
	}
	after := f.sessionValue()
	if cookie.SessionID(after) == cookie.SessionID(before) {
		a.add(Finding{ID: "fixation-no-rotation", Check: "fixation", Severity: High,
			Title:    "the session id does not change at login: whoever knew it before (a planted or sniffed id) is signed in with the user",
			Evidence: Evidence{Request: loginReq.String(), Detail: fmt.Sprintf("%s id %s before and after login", name, shortID(cookie.SessionID(before)))}})
		return "", nil
	}
	if a.cfg.Authed == "" {
		return "id changes at login; the old id's death not checked (no --authed)", nil
	}
	if in, s, err := a.authed(ctx, beforeHdr); err != nil {
		return "", err
	} else if in {
		r, _ := parseRequest("--authed", a.cfg.Authed, a.cfg.URL)
		a.add(Finding{ID: "fixation-old-id-alive", Check: "fixation", Severity: High,
			Title:    "the id from before login still works after it: the old session was copied, not destroyed",
			Evidence: Evidence{Request: r.String() + " with the pre-login cookie", Detail: fmt.Sprintf("status %d", s.Status)}})
	}
	return "", nil
}

// checkLogout replays the cookie from before the logout (WSTG-SESS-06).
func (a *auditor) checkLogout(ctx context.Context) (string, error) {
	if a.cfg.Logout == "" {
		return skipped + "no --logout", nil
	}
	f, note, err := a.signedIn(ctx)
	if f == nil || err != nil {
		return note, err
	}
	saved := f.cookieHeader()
	r, _ := parseRequest("--logout", a.cfg.Logout, a.cfg.URL)
	if s, err := f.do(ctx, r, nil); err != nil {
		return "", err
	} else if s.Status >= 400 {
		return skipped + fmt.Sprintf("%s answered %d", a.cfg.Logout, s.Status), nil
	}
	in, s, err := a.authed(ctx, saved)
	if err != nil {
		return "", err
	}
	if !in {
		return "", nil
	}
	ar, _ := parseRequest("--authed", a.cfg.Authed, a.cfg.URL)
	ev := Evidence{Request: ar.String() + " with the cookie from before " + r.String(), Detail: fmt.Sprintf("status %d: still signed in", s.Status)}
	if a.res.CookieCarried {
		a.add(Finding{ID: "logout-cookie-carried", Check: "logout", Severity: Medium,
			Title:    "a copy of the cookie from before logout is still signed in: the cookie carries the session, so a logout cannot revoke a copied cookie",
			Evidence: ev})
		return "", nil
	}
	a.add(Finding{ID: "logout-replay", Check: "logout", Severity: High,
		Title: "the session survives logout: the cookie from before it is still signed in", Evidence: ev})
	return "", nil
}

// madeUpID is an id of the shape of like (its length, hex) that no server
// made.
func madeUpID(like string) string {
	n := max(len(like), 16)
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// shortID abbreviates an id for evidence.
func shortID(id string) string {
	if len(id) > 16 {
		return id[:12] + "…"
	}
	return id
}
