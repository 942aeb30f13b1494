package cookie

import (
	"errors"
	"strings"
	"time"
)

// This file holds the one Set-Cookie parser of the project (RFC 6265 §5.2,
// with curl's rules for what a name and a value may hold). sessctl visit's
// jar and sessctl bench's virtual users both use it; it takes a string and
// allocates nothing: every string of the result is a piece of the line.

// SetCookie is one Set-Cookie header line taken apart. Name and Value are
// byte for byte what the server sent, blanks around them trimmed: quotes
// are kept (`a="x y"` has the value `"x y"`), UTF-8 is kept, nothing is
// added, as curl and browsers keep them.
type SetCookie struct {
	Name  string
	Value string
	// Expires is the Expires attribute read as an RFC 6265 §5.1.1 cookie
	// date (every format browsers and curl read), zero when absent or not a
	// date; ExpiresRaw is the attribute as sent, "" when absent.
	Expires    time.Time
	ExpiresRaw string
	// MaxAge is the Max-Age attribute in seconds, valid when HasMaxAge is
	// set (the attribute is there and is an optional "-" and digits; a
	// value past the int64 range saturates). MaxAgeRaw is the attribute as
	// sent, "" when absent.
	MaxAge    int64
	HasMaxAge bool
	MaxAgeRaw string
	// Domain is the Domain attribute as sent (a leading dot kept, case
	// kept), "" when absent or empty.
	Domain string
	// Path is the Path attribute when it starts with "/"; "" when absent or
	// not a path, which means the default path of the request (DefaultPath).
	Path        string
	Secure      bool
	HttpOnly    bool
	Partitioned bool
	// SameSite is "Strict", "Lax" or "None" (the attribute's value in any
	// case), "" when absent or any other value.
	SameSite string
}

// Reasons ParseSetCookie refuses a line.
var (
	ErrSetCookieNoEquals = errors.New("no name=value pair")
	ErrSetCookieNoName   = errors.New("empty cookie name")
	ErrSetCookieCTL      = errors.New("control character in the cookie's name or value")
)

// maxAttrValue bounds an attribute's value (RFC 6265bis §5.6): a longer
// one is ignored, as browsers do.
const maxAttrValue = 1024

// ParseSetCookie parses one Set-Cookie header value. The first pair must
// have an "=" and a non-empty name; name and value must hold no control
// character (a TAB included: curl refuses it, cookies.txt could not keep
// it), and any other byte is kept. Attribute names are case-insensitive;
// the last of a repeated attribute wins; unknown attributes and values
// RFC 6265 says to ignore (an empty Domain, a Max-Age that is not a number,
// a date that is not one) are ignored.
func ParseSetCookie(line string) (SetCookie, error) {
	var c SetCookie
	pair, attrs, _ := strings.Cut(line, ";")
	name, value, ok := strings.Cut(pair, "=")
	if !ok {
		return c, ErrSetCookieNoEquals
	}
	c.Name, c.Value = trimBlanks(name), trimBlanks(value)
	if c.Name == "" {
		return c, ErrSetCookieNoName
	}
	if hasCTL(c.Name) || hasCTL(c.Value) {
		return c, ErrSetCookieCTL
	}
	for attrs != "" {
		var av string
		av, attrs, _ = strings.Cut(attrs, ";")
		k, v, _ := strings.Cut(av, "=")
		k, v = trimBlanks(k), trimBlanks(v)
		if len(v) > maxAttrValue {
			continue
		}
		switch {
		case strings.EqualFold(k, "expires"):
			c.ExpiresRaw = v
			c.Expires, _ = ParseCookieDate(v)
		case strings.EqualFold(k, "max-age"):
			c.MaxAgeRaw = v
			c.MaxAge, c.HasMaxAge = parseMaxAge(v)
		case strings.EqualFold(k, "domain"):
			c.Domain = v
		case strings.EqualFold(k, "path"):
			c.Path = ""
			if v != "" && v[0] == '/' {
				c.Path = v
			}
		case strings.EqualFold(k, "secure"):
			c.Secure = true
		case strings.EqualFold(k, "httponly"):
			c.HttpOnly = true
		case strings.EqualFold(k, "partitioned"):
			c.Partitioned = true
		case strings.EqualFold(k, "samesite"):
			switch {
			case strings.EqualFold(v, "strict"):
				c.SameSite = "Strict"
			case strings.EqualFold(v, "lax"):
				c.SameSite = "Lax"
			case strings.EqualFold(v, "none"):
				c.SameSite = "None"
			default:
				c.SameSite = ""
			}
		}
	}
	return c, nil
}

// ExpiresAt is when the cookie ends, received at now (RFC 6265 §5.3 step
// 3): Max-Age wins over Expires; persistent is false for a session cookie
// (neither attribute usable). A Max-Age of 0 or less gives a time before
// now: the cookie deletes the one it replaces.
func (c *SetCookie) ExpiresAt(now time.Time) (at time.Time, persistent bool) {
	switch {
	case c.HasMaxAge:
		if c.MaxAge <= 0 {
			return time.Unix(0, 0).UTC(), true
		}
		// Beyond ~290 years time.Duration overflows; no jar keeps a cookie
		// that long, so cap there.
		const maxSeconds = int64(1<<63-1) / int64(time.Second)
		s := min(c.MaxAge, maxSeconds)
		return now.Add(time.Duration(s) * time.Second), true
	case !c.Expires.IsZero():
		return c.Expires, true
	}
	return time.Time{}, false
}

// trimBlanks drops spaces and TABs around s (RFC 6265's WSP).
func trimBlanks(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f {
			return true
		}
	}
	return false
}

// parseMaxAge reads a Max-Age value (RFC 6265 §5.2.2): an optional "-"
// then digits, anything else ignored. Values past the int64 range saturate.
func parseMaxAge(v string) (int64, bool) {
	neg := false
	if v != "" && v[0] == '-' {
		neg, v = true, v[1:]
	}
	if v == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b < '0' || b > '9' {
			return 0, false
		}
		if n > (1<<63-1-9)/10 {
			n = 1<<63 - 1 // keep scanning: a later non-digit still voids it
			continue
		}
		n = n*10 + int64(b-'0')
	}
	if neg {
		return -n, true
	}
	return n, true
}

// ParseCookieDate reads a cookie date as RFC 6265 §5.1.1 says, the
// algorithm browsers and curl share: the date is cut into tokens at
// delimiters, and a time (hh:mm:ss), a day of month, a month name and a
// year are taken from them in any order, so "Wed, 21 Oct 2015 07:28:00
// GMT", "Wednesday, 21-Oct-15 07:28:00 GMT" and "Wed Oct 21 07:28:00 2015"
// all read. A two-digit year is 19xx from 70 and 20xx below. The time is
// UTC, whatever zone the text names. ok is false when a part is missing or
// out of range.
func ParseCookieDate(s string) (t time.Time, ok bool) {
	var (
		hour, minute, sec, day, month, year int
		haveTime, haveDay, haveMonth, haveY bool
	)
	for s != "" {
		i := 0
		for i < len(s) && isDateDelimiter(s[i]) {
			i++
		}
		s = s[i:]
		i = 0
		for i < len(s) && !isDateDelimiter(s[i]) {
			i++
		}
		tok := s[:i]
		s = s[i:]
		if tok == "" {
			continue
		}
		if !haveTime {
			if h, m, sc, ok := dateTime(tok); ok {
				hour, minute, sec, haveTime = h, m, sc, true
				continue
			}
		}
		if !haveDay {
			if n, digits := leadingDigits(tok, 2); digits >= 1 && digits <= 2 {
				day, haveDay = n, true
				continue
			}
		}
		if !haveMonth {
			if m := dateMonth(tok); m > 0 {
				month, haveMonth = m, true
				continue
			}
		}
		if !haveY {
			if n, digits := leadingDigits(tok, 4); digits >= 2 && digits <= 4 {
				year, haveY = n, true
				continue
			}
		}
	}
	if !haveTime || !haveDay || !haveMonth || !haveY {
		return time.Time{}, false
	}
	switch {
	case year >= 70 && year <= 99:
		year += 1900
	case year >= 0 && year <= 69:
		year += 2000
	}
	if day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if t.Day() != day { // 31 April, 30 February
		return time.Time{}, false
	}
	return t, true
}

// isDateDelimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
func isDateDelimiter(b byte) bool {
	return b == 0x09 || b >= 0x20 && b <= 0x2f || b >= 0x3b && b <= 0x40 ||
		b >= 0x5b && b <= 0x60 || b >= 0x7b && b <= 0x7e
}

// leadingDigits reads the digits that start tok, at most max of them,
// which must be followed by a non-digit or the end; digits is how many
// were read, 0 when tok does not fit.
func leadingDigits(tok string, max int) (n, digits int) {
	for digits < len(tok) && tok[digits] >= '0' && tok[digits] <= '9' {
		if digits == max {
			return 0, 0
		}
		n = n*10 + int(tok[digits]-'0')
		digits++
	}
	return n, digits
}

// dateTime reads hms-time: 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, then
// optionally a non-digit and anything.
func dateTime(tok string) (h, m, s int, ok bool) {
	var parts [3]int
	for i := range parts {
		n, d := 0, 0
		for d < len(tok) && tok[d] >= '0' && tok[d] <= '9' {
			if d == 2 {
				return 0, 0, 0, false
			}
			n = n*10 + int(tok[d]-'0')
			d++
		}
		if d == 0 {
			return 0, 0, 0, false
		}
		parts[i], tok = n, tok[d:]
		if i < 2 {
			if tok == "" || tok[0] != ':' {
				return 0, 0, 0, false
			}
			tok = tok[1:]
		}
	}
	return parts[0], parts[1], parts[2], true
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// dateMonth is 1-12 when tok starts with a month's three letters.
func dateMonth(tok string) int {
	if len(tok) < 3 {
		return 0
	}
	for i, m := range monthNames {
		if strings.EqualFold(tok[:3], m) {
			return i + 1
		}
	}
	return 0
}
