package bench

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unsafe"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
)

// userCookies is a virtual user's cookie state in a load test: the
// name=value of each cookie the server set, its path, and when it expires.
// It is not the full jar (see Jar): all URLs of a run count as one origin,
// Domain, Secure and SameSite are ignored, and the Cookie header is rebuilt
// only when a Set-Cookie changes a value, so the hot loop does not allocate.
type userCookies struct {
	list []userCookie
	gen  int // bumped at every change
}

type userCookie struct {
	name, value []byte
	path        string
	expires     time.Time // zero: a session cookie
	// kind and format say what the cookie carries of the session
	// (classifyCookie), decided when it is first stored.
	kind   sessionKind
	format string
}

func newUserCookie(name, value, path string, expires time.Time) userCookie {
	k, f := classifyCookie(name, value)
	return userCookie{name: []byte(name), value: []byte(value), path: path, expires: expires, kind: k, format: f}
}

// session returns the cookie that carries the session, nil when none does:
// the first whose kind is not notSession.
func (lc *userCookies) session() *userCookie {
	for i := range lc.list {
		if lc.list[i].kind != notSession {
			return &lc.list[i]
		}
	}
	return nil
}

// seed adds the cookies of a Cookie header given with -H.
func (lc *userCookies) seed(header string) {
	for _, part := range strings.Split(header, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && name != "" {
			lc.list = append(lc.list, newUserCookie(name, value, "/", time.Time{}))
			lc.gen++
		}
	}
}

// fromJar adds the cookies that the cookies.txt file at path holds for
// rawURL, read through client's jar and never written back.
func (lc *userCookies) fromJar(path, rawURL string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("read jar: %w", err)
	}
	jar, err := client.OpenJar(path, client.JarOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("url %q: %w", rawURL, err)
	}
	cs := jar.Cookies(u)
	if len(cs) == 0 {
		return fmt.Errorf("jar %s holds no cookie for %s: nothing to continue", path, rawURL)
	}
	for _, c := range cs {
		lc.list = append(lc.list, newUserCookie(c.Name, c.Value, c.Path, time.Time{}))
		lc.gen++
	}
	return nil
}

func (lc *userCookies) clone() userCookies {
	c := userCookies{gen: lc.gen}
	for _, k := range lc.list {
		k.name, k.value = bytes.Clone(k.name), bytes.Clone(k.value)
		c.list = append(c.list, k)
	}
	return c
}

// set applies one Set-Cookie value received for a request to reqPath and
// reports whether a cookie already held now carries another session (a
// fresh session: see newSessionValue), and whether anything changed. With apply false nothing is stored. A line
// cookie.ParseSetCookie refuses is ignored, as a browser ignores it.
func (lc *userCookies) set(line []byte, reqPath string, now time.Time, apply bool) (fresh, changed bool) {
	// line is only read during this call and what is kept of it is copied
	// (name, value and path: every string of sc is a piece of line),
	// so it is parsed as a string without copying it first: the hot loop
	// allocates nothing for a Set-Cookie that changes nothing.
	sc, err := cookie.ParseSetCookie(unsafe.String(unsafe.SliceData(line), len(line)))
	if err != nil {
		return false, false
	}
	expires, persistent := sc.ExpiresAt(now)
	expired := persistent && !expires.After(now)
	if expired {
		expires = time.Time{}
	}
	path := sc.Path
	if path == "" {
		path = cookie.DefaultPath(reqPath)
	}
	for i := range lc.list {
		k := &lc.list[i]
		if string(k.name) != sc.Name || k.path != path {
			continue
		}
		if expired {
			if apply {
				lc.list = append(lc.list[:i], lc.list[i+1:]...)
				lc.gen++
			}
			return false, true
		}
		if string(k.value) == sc.Value {
			if apply {
				k.expires = expires
			}
			return false, false
		}
		fresh = newSessionValue(k.kind, k.format, k.value, sc.Value)
		if apply {
			k.value = append(k.value[:0], sc.Value...)
			k.expires = expires
			lc.gen++
		}
		return fresh, true
	}
	if expired {
		return false, false
	}
	if apply {
		// path may be a piece of line: keep a copy.
		lc.list = append(lc.list, newUserCookie(sc.Name, sc.Value, strings.Clone(path), expires))
		lc.gen++
	}
	return false, true
}

// expire drops cookies past their expiry; it reports whether any went.
func (lc *userCookies) expire(now time.Time) bool {
	n := 0
	for _, k := range lc.list {
		if k.expires.IsZero() || k.expires.After(now) {
			lc.list[n] = k
			n++
		}
	}
	if n == len(lc.list) {
		return false
	}
	lc.list = lc.list[:n]
	lc.gen++
	return true
}

// nextExpiry is the earliest expiry among the cookies; zero when none.
func (lc *userCookies) nextExpiry() time.Time {
	var t time.Time
	for _, k := range lc.list {
		if !k.expires.IsZero() && (t.IsZero() || k.expires.Before(t)) {
			t = k.expires
		}
	}
	return t
}

// appendHeader appends the Cookie header line for a request to path, or
// nothing when no cookie applies. Longer paths come first (RFC 6265 5.4).
func (lc *userCookies) appendHeader(b []byte, path string) []byte {
	first := true
	for plen := 1 << 16; ; {
		next := -1
		for _, k := range lc.list {
			l := len(k.path)
			if l == plen && cookie.PathMatch(path, k.path) {
				if first {
					b = append(b, "Cookie: "...)
					first = false
				} else {
					b = append(b, "; "...)
				}
				b = append(b, k.name...)
				b = append(b, '=')
				b = append(b, k.value...)
			}
			if l < plen && l > next {
				next = l
			}
		}
		if next < 0 {
			break
		}
		plen = next
	}
	if !first {
		b = append(b, "\r\n"...)
	}
	return b
}
