package bench

import (
	"testing"
	"time"
)

// Session cookies as the real packages send them: express-session's
// s:<id>.<signature> (A2 is A's id under another signature) and
// cookie-session's base64 JSON.
const (
	expressA       = "s%3ApDFCnO0RCOparILlvNYwRES004_iIeKK.MBPk6Gi0ZPxraKxU7bwDu0KmbBWnn2usG0dxi2Ij7uI"
	expressA2      = "s%3ApDFCnO0RCOparILlvNYwRES004_iIeKK.Oeljv7x5R4%2BD9mfFokEWHnY%2BHwraHUwWCdYnOHjZ0IM"
	expressB       = "s%3Ao0byQurPbs1Wue31TP3xoaBKDDBrEG-I.BvfUtqmBNfpgIq7oSaFAlRvXJR%2F4dbQZEO5daXOFugg"
	cookieSession1 = "eyJ2aXNpdENvdW50IjoxLCJzaWQiOjQyfQ=="
	cookieSession2 = "eyJ2aXNpdENvdW50IjoyLCJzaWQiOjQyfQ=="
)

func TestUserCookies(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		setCookie string
		reqPath   string
		fresh     bool // the cookie now carries another session
	}
	tests := []struct {
		name  string
		steps []step
		path  string // request path of the Cookie header
		want  string
	}{
		{"new cookie", []step{{"connect.sid=s%3Aabc.sig; Path=/; HttpOnly", "/", false}}, "/", "Cookie: connect.sid=s%3Aabc.sig\r\n"},
		{"same value is no change", []step{{"a=1; Path=/", "/", false}, {"a=1; Path=/", "/", false}}, "/", "Cookie: a=1\r\n"},
		{"new value replaces", []step{{"a=1; Path=/", "/", false}, {"a=2; Path=/", "/", false}}, "/", "Cookie: a=2\r\n"},
		{"new opaque id is a new session", []step{{"sid=s1; Path=/", "/", false}, {"sid=s2; Path=/", "/", true}}, "/", "Cookie: sid=s2\r\n"},
		{"new express id is a new session", []step{{"connect.sid=" + expressA + "; Path=/", "/", false}, {"connect.sid=" + expressB + "; Path=/", "/", true}},
			"/", "Cookie: connect.sid=" + expressB + "\r\n"},
		{"express id signed anew is the same session", []step{{"connect.sid=" + expressA + "; Path=/", "/", false}, {"connect.sid=" + expressA2 + "; Path=/", "/", false}},
			"/", "Cookie: connect.sid=" + expressA2 + "\r\n"},
		{"a session in the cookie re-issued is the same session", []step{{"session=" + cookieSession1 + "; Path=/", "/", false},
			{"session.sig=abc; Path=/", "/", false}, {"session=" + cookieSession2 + "; Path=/", "/", false}, {"session.sig=def; Path=/", "/", false}},
			"/", "Cookie: session=" + cookieSession2 + "; session.sig=def\r\n"},
		{"max-age=0 deletes", []step{{"a=1; Path=/", "/", false}, {"a=; Path=/; Max-Age=0", "/", false}}, "/", ""},
		{"expires in the past deletes", []step{{"a=1", "/", false}, {"a=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/", false}}, "/", ""},
		{"max-age wins over expires", []step{{"a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60", "/", false}}, "/", "Cookie: a=1\r\n"},
		{"path scoping", []step{{"a=1; Path=/api", "/", false}, {"b=2; Path=/", "/", false}}, "/other", "Cookie: b=2\r\n"},
		{"longer path first", []step{{"b=2; Path=/", "/", false}, {"a=1; Path=/api", "/", false}}, "/api/x", "Cookie: a=1; b=2\r\n"},
		{"default path", []step{{"a=1", "/api/login", false}}, "/api/me", "Cookie: a=1\r\n"},
		{"default path elsewhere", []step{{"a=1", "/api/login", false}}, "/", ""},
		{"same name other path", []step{{"a=1; Path=/", "/", false}, {"a=2; Path=/x", "/", false}}, "/x", "Cookie: a=2; a=1\r\n"},
		{"no name", []step{{"=1", "/", false}, {"junk", "/", false}}, "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lc userCookies
			for _, s := range tt.steps {
				line := []byte(s.setCookie)
				fresh, _ := lc.set(line, s.reqPath, now, true)
				if fresh != s.fresh {
					t.Errorf("%q: fresh %v, want %v", s.setCookie, fresh, s.fresh)
				}
				// The line is the response's buffer, reused by the next
				// response: nothing of it may be kept.
				for i := range line {
					line[i] = '#'
				}
			}
			if got := string(lc.appendHeader(nil, tt.path)); got != tt.want {
				t.Errorf("header %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserCookiesExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var lc userCookies
	lc.set([]byte("a=1; Max-Age=10"), "/", now, true)
	lc.set([]byte("b=2"), "/", now, true)
	if got := lc.nextExpiry(); !got.Equal(now.Add(10 * time.Second)) {
		t.Fatalf("next expiry %v", got)
	}
	if lc.expire(now.Add(5 * time.Second)) {
		t.Error("expired too early")
	}
	gen := lc.gen
	if !lc.expire(now.Add(11*time.Second)) || lc.gen == gen {
		t.Error("did not expire")
	}
	if got := string(lc.appendHeader(nil, "/")); got != "Cookie: b=2\r\n" {
		t.Errorf("header %q", got)
	}
}

func TestUserCookiesNoApply(t *testing.T) {
	var lc userCookies
	lc.seed("sid=1; b=2")
	fresh, changed := lc.set([]byte("sid=9"), "/", time.Now(), false)
	if !fresh || !changed {
		t.Errorf("fresh %v changed %v, want both", fresh, changed)
	}
	if got := string(lc.appendHeader(nil, "/")); got != "Cookie: sid=1; b=2\r\n" {
		t.Errorf("header %q: shared mode must keep its session", got)
	}
}

func FuzzUserCookies(f *testing.F) {
	f.Add("connect.sid=s%3Aabc.sig; Path=/; HttpOnly", "/")
	f.Add("a=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/x/y")
	f.Fuzz(func(t *testing.T, sc, path string) {
		var lc userCookies
		lc.set([]byte(sc), path, time.Now(), true)
		lc.appendHeader(nil, path)
	})
}

// TestUserCookiesSetAllocs: a Set-Cookie that repeats or renews a cookie
// allocates nothing (a cookie-carried session re-sends its cookie in
// every response).
func TestUserCookiesSetAllocs(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var lc userCookies
	same := []byte("session=eyJ2aXNpdENvdW50Ijo0Mn0.aBcDeF.sig; Expires=Fri, 02 Jan 2026 00:00:00 GMT; HttpOnly; Path=/")
	renewed := []byte("session=eyJ2aXNpdENvdW50Ijo0M30.aBcDeG.sig; Max-Age=86400; HttpOnly; Path=/")
	lc.set(same, "/", now, true)
	allocs := testing.AllocsPerRun(100, func() {
		lc.set(same, "/", now, true)
		lc.set(renewed, "/", now, true)
		lc.set(same, "/", now, true)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Set-Cookie round", allocs)
	}
	if got := string(lc.appendHeader(nil, "/")); got != "Cookie: session=eyJ2aXNpdENvdW50Ijo0Mn0.aBcDeF.sig\r\n" {
		t.Errorf("header %q", got)
	}
}
