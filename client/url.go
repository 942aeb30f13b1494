package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/sessctl/sessctl/internal/redact"
)

// ParseURL reads a URL to visit as curl does: one without a scheme is
// http. Only http and https URLs with a host are accepted. visit, bench and
// decode --url take their URLs through it. Its errors never show the URL's
// password (redact.URL).
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
		return "", fmt.Errorf("bad URL %q: %w", redact.URL(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("bad URL %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("bad URL %q: no host", u.Redacted())
	}
	return u.String(), nil
}
