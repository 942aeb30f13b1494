package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/cookie"
)

// checkContent decodes the session cookie with decode's formats: readable
// client-side data, a missing signature, a secret in the wordlist.
func (a *auditor) checkContent(ctx context.Context) (string, error) {
	if a.sess == nil {
		return skipped + "no session cookie", nil
	}
	bo := cookie.BatchOptions{Now: a.cfg.Now}
	if a.cfg.Wordlist != "" {
		bo.Wordlist = func() (io.ReadCloser, error) { return os.Open(a.cfg.Wordlist) }
	}
	b, err := cookie.DecodeAll(ctx, []cookie.Input{a.sessionInput()}, bo)
	if err != nil {
		return "", err
	}
	if len(b.Decoded) == 0 {
		return skipped + "nothing decoded", nil
	}
	d := b.Decoded[0]
	a.decoded = d
	req := a.first.Method + " " + a.first.URL
	if d.Format == "unknown" {
		return "the cookie is in no format decode knows", nil
	}
	for _, w := range d.Warnings {
		switch {
		case w == cookie.WarnClientReadable:
			fields := payloadFields(d.Payload)
			a.add(Finding{ID: "content-client-readable", Check: "content", Severity: Medium,
				Title:    fmt.Sprintf("the %s cookie carries readable session data (%s): anyone holding it reads it", d.Format, strings.Join(fields, ", ")),
				Evidence: Evidence{Request: req, Detail: "fields " + strings.Join(fields, ", ")}})
		case w == cookie.WarnUnsigned && a.res.CookieCarried, w == cookie.WarnAlgNone:
			a.add(Finding{ID: "content-unsigned", Check: "content", Severity: Critical,
				Title:    "the cookie carries the session unsigned: anyone can forge one",
				Evidence: Evidence{Request: req, Detail: w}})
		}
	}
	if d.Audit != nil && d.Audit.Found {
		a.add(Finding{ID: "secret-weak", Check: "content", Severity: Critical,
			Title:    fmt.Sprintf("the signing secret is in the wordlist (line %d): anyone can forge sessions", d.Audit.Line),
			Evidence: Evidence{Request: req, Detail: fmt.Sprintf("secret %q verifies the %s signature", d.Audit.Secret, d.Format)}})
	}
	if a.cfg.Wordlist != "" && d.Audit == nil {
		return "the wordlist could not be tried on this cookie (" + string(d.Signature) + ")", nil
	}
	return "", nil
}

// payloadFields are the top-level field names of a decoded payload.
func payloadFields(p any) []string {
	var raw []byte
	switch v := p.(type) {
	case json.RawMessage:
		raw = v
	default:
		raw, _ = json.Marshal(v)
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return []string{"(not an object)"}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkLifetime lists the declared lifetimes and, with --idle, checks that
// an idle session ends (WSTG-SESS-07).
func (a *auditor) checkLifetime(ctx context.Context) (string, error) {
	if a.sess == nil {
		return skipped + "no session cookie", nil
	}
	now := a.cfg.Now()
	var declared []string
	if at, persistent := a.sess.ExpiresAt(now); persistent {
		declared = append(declared, fmt.Sprintf("cookie %s (%s)", lifetimeAttr(a.sess), humanDuration(at.Sub(now))))
	}
	payloadExpiry := a.decoded != nil && a.decoded.ExpiresAt != nil
	if payloadExpiry {
		declared = append(declared, "payload expires "+a.decoded.ExpiresAt.Format(time.RFC3339))
	}
	if raw, ok := bench.LookupJSON(a.first.Body, "cookie.originalMaxAge"); ok && string(raw) != "null" {
		declared = append(declared, "store maxAge "+string(raw)+" ms (express-session's JSON)")
	}
	_, persistent := a.sess.ExpiresAt(now)
	if a.res.CookieCarried && !payloadExpiry && !persistent {
		a.add(Finding{ID: "lifetime-no-expiry", Check: "lifetime", Severity: Medium,
			Title:    "no expiry: neither the cookie nor its payload says when the session ends, so a copied cookie works until the secret changes",
			Evidence: Evidence{Request: a.first.Method + " " + a.first.URL, Detail: "no Max-Age, no Expires, no expiry in the payload"}})
	}
	note := "declared: " + strings.Join(declared, "; ")
	if len(declared) == 0 {
		note = "no declared lifetime: a browser-session cookie"
		if !a.res.CookieCarried {
			note += "; the store's TTL is not visible from outside (--idle D tests it)"
		}
	}
	if a.cfg.Idle <= 0 {
		return note, nil
	}
	f, skip, err := a.signedIn(ctx)
	if f == nil || err != nil {
		return skip, err
	}
	if err := a.cfg.Sleep(ctx, a.cfg.Idle); err != nil {
		return "", err
	}
	in, s, err := a.authed(ctx, f.cookieHeader())
	if err != nil {
		return "", err
	}
	if in {
		r, _ := parseRequest("--authed", a.cfg.Authed, a.cfg.URL)
		a.add(Finding{ID: "idle-session-alive", Check: "lifetime", Severity: Medium,
			Title:    fmt.Sprintf("the session is still signed in after %s idle", a.cfg.Idle),
			Evidence: Evidence{Request: r.String() + fmt.Sprintf(" after %s without a request", a.cfg.Idle), Detail: fmt.Sprintf("status %d", s.Status)}})
	}
	return note, nil
}
