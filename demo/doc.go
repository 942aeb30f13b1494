// Package demo is sessctl's embedded session server: the reference Express
// example (express-session, GET / counting visits) rebuilt in Go so that a
// client cannot tell the two apart, cookie for cookie and byte for byte.
//
// NewHandler serves the app over a Store; Open runs it on a loopback port for
// in-process use by visit and bench, and for serve-demo. The stores are
// MemoryStore (TTL, LRU cap, sweep; about 136 bytes per idle session),
// RedisStore (connect-redis' layout, atomic Lua increments, shared with
// Express apps and other processes) and FileStore (bbolt, every visit on disk
// before it is answered). ModeCookie keeps the session in the cookie as the
// npm cookie-session does; Options.Racy reproduces express-session's lost
// updates.
package demo
