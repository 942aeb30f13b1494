package audit

import (
	"strings"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
)

// Frameworks detectFramework names.
const (
	FwExpress       = "express-session"
	FwCookieSession = "cookie-session"
	FwFlask         = "flask"
	FwDjango        = "django"
	FwRails         = "rails"
	FwLaravel       = "laravel"
	FwGorilla       = "gorilla"
	FwKoa           = "koa-session"
	FwUnknown       = "unknown"
)

// detectFramework names the session framework from the cookie's format and
// name and the response's headers.
func detectFramework(s client.Step, format string, c *cookie.SetCookie) string {
	switch format {
	case "express":
		return FwExpress
	case "cookie-session":
		return FwCookieSession
	case "flask":
		return FwFlask
	case "django":
		return FwDjango
	case "rails":
		return FwRails
	case "laravel":
		return FwLaravel
	case "securecookie":
		return FwGorilla
	case "koa-session":
		return FwKoa
	}
	if c != nil {
		switch n := strings.ToLower(c.Name); {
		case n == "sessionid":
			return FwDjango
		case n == cookie.ExpressSessionName:
			return FwExpress
		case strings.HasSuffix(n, "_session") && strings.HasPrefix(n, "_"):
			return FwRails
		case n == "laravel_session":
			return FwLaravel
		}
	}
	if strings.Contains(header(s, "X-Powered-By"), "Express") {
		return FwExpress
	}
	return FwUnknown
}

// references of each finding id: OWASP WSTG, CWE, ZAP rules.
var references = map[string][]string{
	"cookie-no-httponly":            {"WSTG-SESS-02", "CWE-1004", "ZAP-10010"},
	"cookie-no-secure":              {"WSTG-SESS-02", "CWE-614", "ZAP-10011"},
	"plain-http":                    {"WSTG-SESS-02", "CWE-319"},
	"cookie-no-samesite":            {"WSTG-SESS-02", "CWE-1275", "ZAP-10054"},
	"cookie-samesite-none-insecure": {"WSTG-SESS-02", "CWE-1275"},
	"cookie-wide-domain":            {"WSTG-SESS-02", "CWE-565", "ZAP-90033"},
	"cookie-path":                   {"WSTG-SESS-02"},
	"cookie-no-host-prefix":         {"WSTG-SESS-02"},
	"cookie-persistent":             {"WSTG-SESS-02", "WSTG-SESS-07", "CWE-539"},
	"cookie-too-big":                {"WSTG-SESS-02"},
	"cookie-near-limit":             {"WSTG-SESS-02"},
	"set-cookie-cacheable":          {"WSTG-SESS-02", "CWE-524", "ZAP-10015"},
	"token-low-entropy":             {"WSTG-SESS-01", "CWE-331"},
	"token-predictable":             {"WSTG-SESS-01", "CWE-330"},
	"token-duplicates":              {"WSTG-SESS-01", "CWE-340"},
	"token-short":                   {"WSTG-SESS-01", "CWE-6"},
	"fixation-adopts-id":            {"WSTG-SESS-03", "CWE-384", "ZAP-40013"},
	"fixation-no-rotation":          {"WSTG-SESS-03", "CWE-384", "ZAP-40013"},
	"fixation-old-id-alive":         {"WSTG-SESS-03", "CWE-384"},
	"logout-replay":                 {"WSTG-SESS-06", "CWE-613"},
	"logout-cookie-carried":         {"WSTG-SESS-06", "CWE-613"},
	"idle-session-alive":            {"WSTG-SESS-07", "CWE-613"},
	"lifetime-no-expiry":            {"WSTG-SESS-07", "CWE-613"},
	"content-client-readable":       {"WSTG-SESS-01", "CWE-315"},
	"content-unsigned":              {"WSTG-SESS-01", "CWE-565"},
	"secret-weak":                   {"WSTG-SESS-01", "CWE-521", "CWE-798"},
	"concurrency-lost-updates":      {"CWE-362", "CWE-667"},
}

// fixes holds the fix for a finding id per framework; "" is the advice for
// any other framework.
var fixes = map[string]map[string]string{
	"cookie-no-httponly": {
		FwExpress: "session({cookie: {httpOnly: true}}) (the default: remove httpOnly: false)", FwCookieSession: "cookieSession({httpOnly: true})",
		FwFlask: "SESSION_COOKIE_HTTPONLY = True", FwDjango: "SESSION_COOKIE_HTTPONLY = True", FwRails: "config.session_store :cookie_store, httponly: true",
		FwGorilla: "store.Options.HttpOnly = true", "": "add the HttpOnly attribute to the session cookie",
	},
	"cookie-no-secure": {
		FwExpress: "session({cookie: {secure: true}}) and app.set('trust proxy', 1) behind a proxy", FwCookieSession: "cookieSession({secure: true})",
		FwFlask: "SESSION_COOKIE_SECURE = True", FwDjango: "SESSION_COOKIE_SECURE = True", FwRails: "config.force_ssl = true",
		FwGorilla: "store.Options.Secure = true", "": "add the Secure attribute to the session cookie",
	},
	"plain-http": {"": "serve the app over https only (redirect http to https, HSTS) and mark the session cookie Secure"},
	"cookie-no-samesite": {
		FwExpress: "session({cookie: {sameSite: 'lax'}})", FwCookieSession: "cookieSession({sameSite: 'lax'})",
		FwFlask: "SESSION_COOKIE_SAMESITE = 'Lax'", FwDjango: "SESSION_COOKIE_SAMESITE = 'Lax'", FwRails: "config.action_dispatch.cookies_same_site_protection = :lax",
		FwGorilla: "store.Options.SameSite = http.SameSiteLaxMode", "": "add SameSite=Lax (or Strict) to the session cookie",
	},
	"cookie-samesite-none-insecure": {"": "SameSite=None needs Secure (and https); prefer SameSite=Lax unless the session must cross sites"},
	"cookie-wide-domain": {
		FwExpress: "drop cookie.domain from the session options", FwFlask: "SESSION_COOKIE_DOMAIN = False", FwDjango: "SESSION_COOKIE_DOMAIN = None",
		"": "drop the Domain attribute: a host-only cookie goes to this host alone",
	},
	"cookie-path":           {"": "Path is not a security boundary: keep Path=/ and put apps that must not share the session on their own host"},
	"cookie-no-host-prefix": {FwExpress: "session({name: '__Host-sid', cookie: {secure: true, path: '/'}})", FwDjango: "SESSION_COOKIE_NAME = '__Host-sessionid'", "": "name the cookie __Host-<name>"},
	"cookie-persistent": {
		FwExpress: "leave cookie.maxAge and cookie.expires unset (a browser-session cookie), and bound the store's TTL", FwFlask: "SESSION_PERMANENT = False (session.permanent = False)",
		FwDjango: "SESSION_EXPIRE_AT_BROWSER_CLOSE = True", "": "send the session cookie without Max-Age/Expires and expire sessions on the server",
	},
	"cookie-too-big":       {"": "keep the session's data on the server (a store) and only an id in the cookie"},
	"cookie-near-limit":    {"": "keep the session's data on the server (a store) and only an id in the cookie"},
	"set-cookie-cacheable": {FwExpress: "res.set('Cache-Control', 'no-store') on responses that set the session cookie", FwDjango: "@never_cache, or patch_cache_control(response, private=True)", "": "send Cache-Control: no-store (or private) with every response that sets a session cookie"},
	"token-low-entropy":    {FwExpress: "drop the custom genid option: express-session's default uid-safe ids carry 192 bits", "": "make ids from a CSPRNG, at least 64 bits of entropy (128 recommended)"},
	"token-predictable":    {FwExpress: "drop the custom genid option: express-session's default uid-safe ids carry 192 bits", "": "make ids from a CSPRNG (crypto/rand, secrets.token_urlsafe, crypto.randomBytes), never a counter, a clock or a seeded math PRNG"},
	"token-duplicates":     {"": "make ids from a CSPRNG, at least 64 bits of entropy (128 recommended)"},
	"token-short":          {"": "make ids from a CSPRNG, at least 64 bits of entropy (128 recommended)"},
	"fixation-adopts-id":   {"": "never take an id the store does not know: make a new one, and rotate the id at login"},
	"fixation-no-rotation": {
		FwExpress: "req.session.regenerate() at login (then set the user in the callback)", FwDjango: "django.contrib.auth.login() (it calls request.session.cycle_key())",
		FwFlask: "session.clear() before setting the user at login", FwRails: "reset_session at login", FwLaravel: "$request->session()->regenerate() at login",
		"": "give the session a new id at login and destroy the old one",
	},
	"fixation-old-id-alive": {FwExpress: "req.session.regenerate() destroys the old session; a custom store must implement destroy", "": "destroy the old session when the id changes at login"},
	"logout-replay": {
		FwExpress: "req.session.destroy() at logout (not only res.clearCookie)", FwDjango: "django.contrib.auth.logout() (request.session.flush())",
		"": "destroy the session on the server at logout",
	},
	"logout-cookie-carried": {
		FwCookieSession: "req.session = null clears the browser's copy only: keep a server-side revocation (a per-user session version in the database checked on each request), short maxAge, or move to express-session with a store",
		FwFlask:         "session.clear() clears the browser's copy only: use a server-side session (Flask-Session) or a per-user revocation counter, and a short PERMANENT_SESSION_LIFETIME",
		FwRails:         "reset_session clears the browser's copy only: use ActiveRecord/Redis session store, or store a per-user token checked on each request",
		FwGorilla:       "use a server-side store (sessions.FilesystemStore, redistore) or a per-user revocation check, and a short MaxAge",
		"":              "a cookie that carries the session cannot be revoked: keep a server-side store or a revocation check, and a short lifetime",
	},
	"idle-session-alive": {FwExpress: "session({rolling: true, cookie: {maxAge: IDLE}}) and a store TTL", FwDjango: "SESSION_COOKIE_AGE, SESSION_SAVE_EVERY_REQUEST = True", FwFlask: "PERMANENT_SESSION_LIFETIME and a server-side session", "": "expire sessions on the server after an idle timeout"},
	"lifetime-no-expiry": {
		FwCookieSession: "cookieSession({maxAge: ...}): the payload itself carries no expiry, so a copied cookie works forever", FwFlask: "PERMANENT_SESSION_LIFETIME is enforced by the signature's timestamp only with session.permanent; a copied cookie works until the secret changes",
		"": "give the session an absolute expiry the server enforces",
	},
	"content-client-readable": {FwCookieSession: "keep only an id in the cookie (express-session with a store), or encrypt it", FwFlask: "use a server-side session (Flask-Session): Flask's cookie is signed, not encrypted", "": "keep the session's data on the server, or encrypt the cookie"},
	"content-unsigned":        {"": "sign (and verify) the session cookie"},
	"secret-weak": {
		FwExpress: "session({secret: [newRandomSecret, oldSecret]}) with 32 random bytes, then drop the old one", FwFlask: "SECRET_KEY = secrets.token_hex(32)", FwDjango: "a new SECRET_KEY of 50 random characters",
		FwCookieSession: "cookieSession({keys: [newRandomKey, oldKey]})", "": "rotate to a long random secret: anyone can forge sessions with this one",
	},
	"concurrency-lost-updates": {FwExpress: "update counters atomically in the store (redis INCR, a SQL UPDATE ... SET n = n + 1) rather than in req.session, or serialise a session's requests", "": "update shared state atomically rather than load-modify-save of the whole session"},
}

// fixFor is the fix for finding id under framework fw.
func fixFor(id, fw string) string {
	m := fixes[id]
	if f, ok := m[fw]; ok {
		return f
	}
	return m[""]
}
