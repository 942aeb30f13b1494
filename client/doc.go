// Package client is sessctl's HTTP side: the persistent cookie jar (Jar, a
// curl-compatible Netscape cookies.txt with RFC 6265 scoping and the public
// suffix list) and a run of visits through it (Visit, which returns one
// Step per visit). The load engine and its session-counter checker are in
// client/bench. It returns data and never prints: report/ renders it.
package client
