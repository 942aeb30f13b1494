package demo

import (
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Express's constant header values, shared read-only by all responses.
var (
	hdrJSON      = []string{"application/json; charset=utf-8"}
	hdrHTML      = []string{"text/html; charset=utf-8"}
	hdrText      = []string{"text/plain; charset=utf-8"}
	hdrPoweredBy = []string{"Express"}
	hdrNoSniff   = []string{"nosniff"}
	hdrCSP404    = []string{"default-src 'none'"}
)

// bodyPool recycles response buffers: net/http copies what Write gets, so
// a buffer is free again when Write returns.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// send writes s as express-session's JSON with Express's headers and, when
// cookieID is not empty, the session cookie for cookieID (expiring from
// now). The body and the header values are built in one pooled buffer, the
// header values then copied out in one string: a new session costs three
// allocations here instead of eight.
func (a *app) send(w http.ResponseWriter, status int, s Session, cookieID string, now time.Time) {
	bp := bodyPool.Get().(*[]byte)
	buf := a.json.append((*bp)[:0], s)
	n := len(buf)
	if cookieID != "" {
		buf = a.cookie.appendSetCookie(buf, cookieID, now)
	}
	c := len(buf)
	buf = appendWeakETag(buf, buf[:n])
	vals := new([2]string)
	hs := string(buf[n:])
	vals[0], vals[1] = hs[:c-n], hs[c-n:]
	h := w.Header()
	if cookieID != "" {
		h["Set-Cookie"] = vals[0:1:1]
	}
	h["Content-Type"] = hdrJSON
	h["Content-Length"] = contentLength(n)
	h["ETag"] = vals[1:2:2]
	w.WriteHeader(status)
	w.Write(buf[:n])
	*bp = buf
	bodyPool.Put(bp)
}

// writeExpress writes body with the headers Express's res.send adds:
// Content-Type, Content-Length and a weak ETag of the body.
func writeExpress(w http.ResponseWriter, status int, ctype []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = contentLength(len(body))
	var b [64]byte
	h["ETag"] = []string{string(appendWeakETag(b[:0], body))}
	w.WriteHeader(status)
	w.Write(body)
}

// contentLengths holds the Content-Length header values of small bodies,
// shared read-only by all responses as the other constant header values.
var contentLengths = func() (t [512][]string) {
	for i := range t {
		t[i] = []string{strconv.Itoa(i)}
	}
	return t
}()

func contentLength(n int) []string {
	if n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

// appendWeakETag appends the etag module's weak tag of body, as Express
// computes it: W/"<length in hex>-<first 27 chars of base64 SHA-1>".
func appendWeakETag(e []byte, body []byte) []byte {
	sum := sha1.Sum(body)
	e = append(e, `W/"`...)
	e = strconv.AppendInt(e, int64(len(body)), 16)
	e = append(e, '-')
	var b64 [28]byte
	base64.StdEncoding.Encode(b64[:], sum[:])
	e = append(e, b64[:27]...)
	return append(e, '"')
}
