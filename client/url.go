package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ParseURL reads a URL to visit as curl does: one without a scheme is
// http. Only http and https URLs with a host are accepted. visit, bench and
// decode --url take their URLs through it. Its errors never show the URL's
// password (RedactURL).
func ParseURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // uerr names the URL as given, password and all
		}
		return "", fmt.Errorf("bad URL %q: %w", RedactURL(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("bad URL %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("bad URL %q: no host", u.Redacted())
	}
	return u.String(), nil
}

// RedactURL is raw with its password, if any, replaced by "xxxxx", as
// sessctl shows every URL (url.URL.Redacted). A URL that does not parse
// has the password of its scheme://user:password@host part replaced all
// the same.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
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
