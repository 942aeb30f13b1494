package demo

import (
	"net/http"
	"strings"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

// cookieConfig is the part of Options that shapes the session cookie and
// the cookie part of a stored session.
type cookieConfig struct {
	maxAge     time.Duration // 0: a browser-session cookie (expires null)
	secure     bool
	sameSite   string // "", "lax", "strict", "none"
	noHTTPOnly bool   // omit HttpOnly (express-session's cookie.httpOnly false)
}

// expiresAt is when a session saved at now expires by the cookie's MaxAge,
// to the millisecond as express-session's Date keeps it, or the zero time
// when the cookie has none.
func (c cookieConfig) expiresAt(now time.Time) time.Time {
	if c.maxAge <= 0 {
		return time.Time{}
	}
	return now.Add(c.maxAge).Truncate(time.Millisecond).UTC()
}

// lifetime returns how long a session lives from its last visit: the
// cookie's MaxAge when set (as connect-redis derives its TTL from the cookie),
// otherwise ttl.
func (c cookieConfig) lifetime(ttl time.Duration) time.Duration {
	if c.maxAge > 0 {
		return c.maxAge
	}
	return ttl
}

// expressCookie is express-session's session cookie: its name, signer and
// attributes, as the npm cookie module's serialize writes them (Path;
// Expires; HttpOnly; Secure; SameSite).
type expressCookie struct {
	name   string
	signer *cookie.ExpressSigner
	maxAge time.Duration
	attrs  string // what follows Path and Expires, precomputed
}

func newExpressCookie(name string, signer *cookie.ExpressSigner, c cookieConfig) expressCookie {
	var tail strings.Builder
	if !c.noHTTPOnly {
		tail.WriteString("; HttpOnly")
	}
	if c.secure {
		tail.WriteString("; Secure")
	}
	switch c.sameSite {
	case "lax":
		tail.WriteString("; SameSite=Lax")
	case "strict":
		tail.WriteString("; SameSite=Strict")
	case "none":
		tail.WriteString("; SameSite=None")
	}
	return expressCookie{name: name, signer: signer, maxAge: c.maxAge, attrs: tail.String()}
}

// appendSetCookie appends the Set-Cookie value for id, expiring MaxAge
// after now when there is a MaxAge.
func (c *expressCookie) appendSetCookie(b []byte, id string, now time.Time) []byte {
	b = append(b, c.name...)
	b = append(b, '=')
	b = c.signer.AppendSessionCookieValue(b, id)
	b = append(b, "; Path=/"...)
	if c.maxAge > 0 {
		b = append(b, "; Expires="...)
		b = now.Add(c.maxAge).UTC().AppendFormat(b, http.TimeFormat)
	}
	return append(b, c.attrs...)
}

// cleared is what Express's res.clearCookie(name) sets.
func (c *expressCookie) cleared() string {
	return c.name + "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
}

// sessionID returns the id a validly signed cookie in the Cookie header
// lines carries.
func (c *expressCookie) sessionID(lines []string) (string, bool) {
	raw, ok := findCookie(lines, c.name)
	if !ok {
		return "", false
	}
	return c.signer.ParseSessionCookie(raw)
}

// cookieSessionCookie is the npm cookie-session's pair of cookies, NAME
// (base64 JSON) and NAME.sig (keygrip's HMAC of "NAME=<value>"), with the
// lower-case attributes the npm cookies module writes.
type cookieSessionCookie struct {
	name, sigName string
	keygrip       *cookie.Keygrip
	maxAge        time.Duration
	tail          string // samesite, secure, httponly: what follows path and expires
}

func newCookieSessionCookie(name string, kg *cookie.Keygrip, c cookieConfig) cookieSessionCookie {
	var tail string
	if c.sameSite != "" {
		tail += "; samesite=" + c.sameSite
	}
	if c.secure {
		tail += "; secure"
	}
	if !c.noHTTPOnly {
		tail += "; httponly"
	}
	return cookieSessionCookie{name: name, sigName: name + ".sig", keygrip: kg, maxAge: c.maxAge, tail: tail}
}

// setCookies returns the two Set-Cookie values for a session value.
func (c *cookieSessionCookie) setCookies(value string, now time.Time) []string {
	attrs := "; path=/"
	if c.maxAge > 0 {
		attrs += "; expires=" + now.Add(c.maxAge).UTC().Format(http.TimeFormat)
	}
	attrs += c.tail
	data := c.name + "=" + value
	return []string{data + attrs, c.sigName + "=" + c.keygrip.Sign(data) + attrs}
}

// cleared is what cookie-session sets for req.session = null.
func (c *cookieSessionCookie) cleared() []string {
	const gone = "; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT"
	return []string{
		c.name + "=" + gone + c.tail,
		c.sigName + "=" + c.keygrip.Sign(c.name+"=") + gone + c.tail,
	}
}

// value returns the session value the Cookie header lines carry when its
// signature verifies under one of the keys.
func (c *cookieSessionCookie) value(lines []string) (string, bool) {
	value, ok := findCookie(lines, c.name)
	if !ok || value == "" {
		return "", false
	}
	sig, ok := findCookie(lines, c.sigName)
	if !ok || !c.keygrip.Verify(c.name+"="+value, sig) {
		return "", false
	}
	return value, true
}

// findCookie returns the first value of the cookie named name in Cookie
// header lines, without allocating, as the npm cookie module's parse does
// (first occurrence wins, surrounding quotes stripped).
func findCookie(lines []string, name string) (string, bool) {
	for _, line := range lines {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.Trim(part, " \t")
			eq := strings.IndexByte(part, '=')
			if eq < 0 || strings.Trim(part[:eq], " \t") != name {
				continue
			}
			v := strings.Trim(part[eq+1:], " \t")
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}
