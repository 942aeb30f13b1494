// Package interop holds sessctl's real-framework suite: tiny apps under
// apps/ on nine real session setups (Flask, Django signed_cookies and db,
// gorilla/sessions hash and hash+block, scs, koa-session, express-session
// with connect-redis, the Rails cookie store), each with a verify script that
// reads a cookie with the framework's own code, and tests (go test ./interop)
// that run sessctl's visit, decode and bench against each app and compare
// their verdicts with the framework's reading and the store's truth.
//
// The Go apps are a module of their own (apps/go) so that sessctl does not
// depend on gorilla/sessions or scs. The npm packages are interop/'s
// (npm ci --prefix interop); the Python and Ruby ones are Debian's, run with
// /usr/bin/python3 and ruby.
package interop
