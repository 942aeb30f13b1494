package client

import "strings"

// The rules of a request that visit and bench share.

// FormContentType is the Content-Type of a request body sent without one
// (-H Content-Type), as curl -d sends it: frameworks (Flask, Django, Rails,
// Express's urlencoded, gorilla, scs) read no form without it.
const FormContentType = "application/x-www-form-urlencoded"

// wellKnownMethods are the methods of RFC 9110 and PATCH.
var wellKnownMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// CanonicalMethod is the method to send for m: a well-known method (GET,
// HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH) in any case is
// upper-cased, since methods are case-sensitive on the wire and servers
// route "get" nowhere; any other method (PROPFIND, purge) is sent as given.
// Visit and bench send what it returns.
func CanonicalMethod(m string) string {
	for _, w := range wellKnownMethods {
		if strings.EqualFold(m, w) {
			return w
		}
	}
	return m
}
