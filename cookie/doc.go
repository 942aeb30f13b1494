// Package cookie holds the session cookie formats sessctl reads and writes:
// one file per format, signing where the embedded demo server needs it, and
// detection and decoding for sessctl decode. It does no I/O.
package cookie
