// Package demo is sessctl's embedded session server: the reference Express
// example (express-session, GET / counting visits) rebuilt in Go so that a
// client cannot tell the two apart, cookie for cookie and byte for byte.
//
// NewHandler serves the app over a Store (options.go; the routes in
// routes.go and login.go; express-session's bytes in sessionjson.go,
// cookieformat.go and response.go); Open runs it on a loopback port for
// in-process use by visit and bench, and for serve-demo. The stores are
// MemoryStore (TTL, LRU cap, sweep; about 136 bytes per idle session),
// RedisStore (connect-redis' layout, atomic Lua increments, shared with
// Express apps and other processes; one server, a Redis Cluster or behind
// Sentinel) and FileStore (bbolt, every visit on disk before it is
// answered); ParseStoreURL and OpenStore pick one from a URL, and every one
// evicts the least recently used session past its cap. ModeCookie keeps the
// session in the cookie as the npm cookie-session does; Options.Racy
// reproduces express-session's lost updates, and Options.IDs, NoRegenerate,
// LogoutKeepsSession and NoHTTPOnly the other mistakes sessctl audit finds.
package demo
