package client

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseURL reads a URL to visit as curl does: one without a scheme is
// http. Only http and https URLs with a host are accepted. visit, bench and
// decode --url take their URLs through it.
func ParseURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("bad URL %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return "", fmt.Errorf("bad URL %q: no host", raw)
	}
	return u.String(), nil
}
