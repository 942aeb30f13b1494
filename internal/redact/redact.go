// Package redact hides the passwords of URLs before they are shown: the one
// rule for the http URLs of visit, bench and decode (client) and the store
// URLs of serve-demo (demo), which share no other package.
package redact

import (
	"net/url"
	"strings"
)

// URL is raw with its password, if any, replaced by "xxxxx", as
// url.URL.Redacted does; a URL without a password is returned as given. A
// URL that does not parse (a store URL with a bad port, a typo) has the
// password of its scheme://user:password@host part replaced all the same.
func URL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if _, has := u.User.Password(); !has {
			return raw // as given, not re-encoded ("memory://" stays)
		}
		return u.Redacted()
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
