// Package demo is sessctl's embedded session server: the reference Express
// example (express-session, GET / counting visits) rebuilt in Go so that a
// client cannot tell the two apart, cookie for cookie and byte for byte.
//
// NewHandler serves the app over a Store; Open runs it on a loopback port for
// in-process use by visit and bench, and for serve-demo.
package demo
