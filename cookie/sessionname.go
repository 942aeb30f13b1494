package cookie

import "strings"

// IsSessionName reports whether a cookie name looks like a session
// cookie's: connect.sid, sessionid, PHPSESSID, JSESSIONID, koa.sess,
// laravel_session, _app_session, sid, user_sid, ... (any name holding
// "sess", "sid" itself, or a name ending in "_sid" or ".sid"). It is the
// one rule visit's session-id changes and decode's opaque ids share.
func IsSessionName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "sess") || n == "sid" || strings.HasSuffix(n, "_sid") || strings.HasSuffix(n, ".sid")
}

// SessionID returns the session id a session cookie's value carries: for
// express-session's "s:<id>.<signature>" (URL-encoded or not) the id,
// otherwise the value itself.
func SessionID(value string) string {
	if id, _, ok := splitExpress(DecodeCookieValue(value)); ok && id != "" {
		return id
	}
	return value
}
