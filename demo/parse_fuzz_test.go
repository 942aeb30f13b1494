package demo

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzParseStoredJSON: any stored value parses or is refused without a
// panic, and what the demo writes reads back as written.
func FuzzParseStoredJSON(f *testing.F) {
	f.Add(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}`, int32(7), int64(9), int64(1764291723456))
	f.Add(`{"sid":1.5,"visitCount":1}`, int32(-1), int64(0), int64(0))
	f.Add(`{"cookie":{"expires":"garbage"},"sid":1,"visitCount":1e300}`, int32(0), int64(1<<53), int64(-1))
	f.Fuzz(func(t *testing.T, stored string, sid int32, visits, expiresMs int64) {
		parseStoredJSON([]byte(stored))
		decodeCookieSession(stored)
		if visits < 0 || visits > 1<<53 {
			return
		}
		in := Session{SID: sid, VisitCount: visits}
		if expiresMs > 0 && expiresMs < 253402300799999 { // JavaScript dates up to year 9999
			in.Expires = time.UnixMilli(expiresMs).UTC()
		}
		j := newSessionJSON(cookieConfig{maxAge: time.Hour, sameSite: "lax", secure: true})
		got, ok := parseStoredJSON(j.append(nil, in))
		if !ok || got != in {
			t.Fatalf("round trip of %+v: %+v %v", in, got, ok)
		}
		if got, ok := decodeCookieSession(encodeB64(appendCookieSessionJSON(nil, in))); !ok || got.SID != in.SID || got.VisitCount != in.VisitCount {
			t.Fatalf("cookie-session round trip of %+v: %+v %v", in, got, ok)
		}
	})
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
