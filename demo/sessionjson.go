package demo

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// sessionJSON writes express-session's JSON of a session for one set of
// cookie options: what res.send(req.session) prints, what connect-redis
// stores and what the file store keeps. Key order is express-session's
// cookie.data (originalMaxAge, expires, secure, httpOnly, path, sameSite),
// then the app's sid and visitCount.
type sessionJSON struct {
	head string // `{"cookie":{"originalMaxAge":` N or null `,"expires":`
	tail string // `,"httpOnly":true,"path":"/"` ... `},"sid":`
}

func newSessionJSON(c cookieConfig) sessionJSON {
	head := `{"cookie":{"originalMaxAge":null,"expires":`
	if c.maxAge > 0 {
		head = `{"cookie":{"originalMaxAge":` + strconv.FormatInt(c.maxAge.Milliseconds(), 10) + `,"expires":`
	}
	tail := ``
	if c.secure {
		tail += `,"secure":true`
	}
	if c.noHTTPOnly {
		tail += `,"httpOnly":false,"path":"/"`
	} else {
		tail += `,"httpOnly":true,"path":"/"`
	}
	if c.sameSite != "" {
		tail += `,"sameSite":"` + c.sameSite + `"`
	}
	tail += `},"sid":`
	return sessionJSON{head: head, tail: tail}
}

// append appends the JSON of s; s.Expires is cookie.expires (null when
// zero).
func (j *sessionJSON) append(b []byte, s Session) []byte {
	b = append(b, j.head...)
	if s.Expires.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = s.Expires.UTC().AppendFormat(b, isoMillis)
		b = append(b, '"')
	}
	b = append(b, j.tail...)
	return appendAppFields(b, s)
}

// appendCookieSessionJSON appends what the reference example prints (and
// cookie-session stores) for s: {"sid":N,"visitCount":M}.
func appendCookieSessionJSON(b []byte, s Session) []byte {
	b = append(b, `{"sid":`...)
	return appendAppFields(b, s)
}

// appendAppFields appends the reference example's own fields after
// `"sid":`, and the user POST /login set.
func appendAppFields(b []byte, s Session) []byte {
	b = strconv.AppendInt(b, int64(s.SID), 10)
	b = append(b, `,"visitCount":`...)
	b = strconv.AppendInt(b, s.VisitCount, 10)
	if s.User != "" {
		b = append(b, `,"user":`...)
		b = appendJSONString(b, s.User)
	}
	return append(b, '}')
}

// appendJSONString appends s as JavaScript's JSON.stringify writes a
// string: `"` and `\` escaped, control characters as \b \f \n \r \t or
// \u00XX, everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, `\b`...)
		case c == '\f':
			b = append(b, `\f`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// isoMillis is JavaScript's Date.prototype.toJSON layout.
const isoMillis = "2006-01-02T15:04:05.000Z"

// parseStoredJSON reads a session as express-session stores it (or
// cookie-session keeps it): sid, visitCount, user and cookie.expires; extra
// keys are ignored, and so is a user that is not a string.
func parseStoredJSON(b []byte) (Session, bool) {
	var p struct {
		Cookie struct {
			Expires *string `json:"expires"`
		} `json:"cookie"`
		SID        *float64        `json:"sid"`
		VisitCount *float64        `json:"visitCount"`
		User       json.RawMessage `json:"user"`
	}
	if json.Unmarshal(b, &p) != nil || p.SID == nil || p.VisitCount == nil {
		return Session{}, false
	}
	sid, n := *p.SID, *p.VisitCount
	if sid != math.Trunc(sid) || sid < math.MinInt32 || sid > math.MaxInt32 ||
		n != math.Trunc(n) || n < 0 || n > 1<<53 {
		return Session{}, false
	}
	sess := Session{SID: int32(sid), VisitCount: int64(n)}
	if len(p.User) > 0 {
		json.Unmarshal(p.User, &sess.User) // a user that is not a string is no user
	}
	if p.Cookie.Expires != nil {
		if t, err := time.Parse(time.RFC3339Nano, *p.Cookie.Expires); err == nil {
			sess.Expires = t.UTC()
		}
	}
	return sess, true
}
