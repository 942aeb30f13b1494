package cookie

import (
	"net"
	"strings"
)

// This file holds RFC 6265's scope rules (which request a cookie goes to),
// written once for the jar of sessctl visit and the per-user cookies of
// sessctl bench. They take and return plain strings and allocate nothing.

// PathMatch tells whether a cookie of path cookiePath goes to a request for
// reqPath (RFC 6265 §5.1.4). A query in reqPath ("/a?b") is ignored.
func PathMatch(reqPath, cookiePath string) bool {
	if i := strings.IndexByte(reqPath, '?'); i >= 0 {
		reqPath = reqPath[:i]
	}
	if reqPath == cookiePath {
		return true
	}
	if cookiePath == "" || !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return cookiePath[len(cookiePath)-1] == '/' || reqPath[len(cookiePath)] == '/'
}

// DefaultPath is a cookie's path when its Set-Cookie gives none (RFC 6265
// §5.1.4): the request path up to, not including, its last slash, or "/".
// A query in reqPath is ignored.
func DefaultPath(reqPath string) string {
	if i := strings.IndexByte(reqPath, '?'); i >= 0 {
		reqPath = reqPath[:i]
	}
	if reqPath == "" || reqPath[0] != '/' {
		return "/"
	}
	i := strings.LastIndexByte(reqPath, '/')
	if i <= 0 {
		return "/"
	}
	return reqPath[:i]
}

// DomainMatch tells whether a cookie of domain goes to host (RFC 6265
// §5.1.3). A host-only cookie goes to its own host alone; a domain cookie
// also to the host's subdomains, never to an IP address. Both names are
// expected in lower case without a leading dot.
func DomainMatch(host, domain string, hostOnly bool) bool {
	if host == domain {
		return true
	}
	return !hostOnly && len(host) > len(domain) && strings.HasSuffix(host, domain) &&
		host[len(host)-len(domain)-1] == '.' && net.ParseIP(host) == nil
}
