// Package client is sessctl's HTTP side: the persistent cookie jar (Jar, a
// curl-compatible Netscape cookies.txt with RFC 6265 scoping and the public
// suffix list), a run of visits through it (Visit, which returns one Step
// per visit), and the load engine with its session-counter consistency
// checker. It returns data and never prints: report/ renders it.
package client
