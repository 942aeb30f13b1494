package cookie

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Opaque recognises session ids that carry no data and no signature: PHP's
// PHPSESSID, Tomcat's JSESSIONID, Spring Session's base64 SESSION, an
// express-session id without its "s:" signature, and other session-named
// random tokens. The session lives on the server; there is nothing to
// verify.
type Opaque struct{}

// Name returns "opaque".
func (Opaque) Name() string { return "opaque" }

type opaqueKind struct {
	score   int
	kind    string
	id      string
	charset string
	bits    int // bits per character of the charset
}

func classifyOpaque(in Input) (opaqueKind, bool) {
	v := DecodeCookieValue(in.Value)
	name := in.Name
	switch {
	case strings.EqualFold(name, "PHPSESSID"):
		if n := len(v); n >= 22 && n <= 256 && allIn(v, phpChars6) {
			cs, bits := "0-9a-zA-Z,-", 6
			if allIn(v, "0123456789abcdef") {
				cs, bits = "0-9a-f", 4
			} else if allIn(v, "0123456789abcdefghijklmnopqrstuv") {
				cs, bits = "0-9a-v", 5
			}
			return opaqueKind{80, "PHP session id (PHPSESSID)", v, cs, bits}, true
		}
	case strings.EqualFold(name, "JSESSIONID"):
		id, route, _ := strings.Cut(v, ".")
		if len(id) >= 16 && allIn(id, "0123456789ABCDEFabcdef") {
			k := opaqueKind{80, "Java servlet session id (JSESSIONID)", v, "0-9A-F", 4}
			if route != "" {
				k.kind += ", jvmRoute " + route
			}
			return k, true
		}
		if len(v) >= 16 && allIn(v, tokenChars) {
			return opaqueKind{70, "Java servlet session id (JSESSIONID)", v, "mixed", 0}, true
		}
	case name == "SESSION":
		if id, ok := springID(v); ok {
			return opaqueKind{80, "Spring Session id (base64 of the id)", id, "uuid", 0}, true
		}
	case name == ExpressSessionName && !strings.HasPrefix(v, "s:"):
		return opaqueKind{70, "express-session id without \"s:\" signature (express-session ignores it)", v, "", 0}, true
	case name == "":
		if id, route, _ := strings.Cut(v, "."); len(id) == 32 && allIn(id, "0123456789ABCDEF") && (route == "" || allIn(route, tokenChars)) {
			return opaqueKind{25, "looks like a Tomcat JSESSIONID", v, "0-9A-F", 4}, true
		}
		if id, ok := springID(v); ok {
			return opaqueKind{30, "looks like a Spring Session id (base64 of the id)", id, "uuid", 0}, true
		}
	}
	if IsSessionName(name) && len(v) >= 16 && len(v) <= 256 && allIn(v, tokenChars) {
		return opaqueKind{40, "opaque session id", v, "", 0}, true
	}
	return opaqueKind{}, false
}

const (
	phpChars6  = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,-"
	tokenChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.,~+/="
)

func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

// springID decodes Spring Session's cookie: base64 of a UUID.
func springID(v string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 36 {
		return "", false
	}
	s := string(b)
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", false
			}
		} else if strings.IndexByte("0123456789abcdefABCDEF", c) < 0 {
			return "", false
		}
	}
	return s, true
}

// Match scores a recognised id: 80 for a named PHPSESSID, JSESSIONID or
// SESSION of the right shape, 70 for an unsigned connect.sid, 40 for other
// session-named tokens, 20-30 for bare values of a telling shape.
func (Opaque) Match(in Input) int {
	k, ok := classifyOpaque(in)
	if !ok {
		return 0
	}
	return k.score
}

// Decode names the kind of id. The verdict is unsigned, unless a
// "<name>.sig" companion came with it (koa-session with an external store),
// which is checked as keygrip's signature of "<name>=<value>".
func (Opaque) Decode(in Input, keys Keys) (*Decoded, error) {
	k, ok := classifyOpaque(in)
	if !ok {
		return nil, fmt.Errorf("opaque: %w: not a recognised session id", ErrMalformed)
	}
	d := newDecoded(in, "opaque")
	d.Signature = Unsigned
	d.Payload = k.id
	d.field("kind", k.kind)
	if k.charset != "" && k.bits > 0 {
		// A Tomcat id's ".node1" jvmRoute names a server: no random bits.
		random := k.id
		if k.charset == "0-9A-F" {
			random, _, _ = strings.Cut(k.id, ".")
		}
		d.field("charset", k.charset)
		d.field("entropy_bits", fmt.Sprintf("at most %d (%d chars x %d bits)", len(random)*k.bits, len(random), k.bits))
	}
	if in.HasSig {
		// koa-session with an external store: the cookie holds the store
		// key, signed by keygrip in "<name>.sig".
		d.field("note", "the session data is on the server; the id is signed in "+in.Name+".sig")
		checkKeygrip(d, in, keys)
		return d, nil
	}
	d.field("note", "the session data is on the server; there is no signature to verify")
	if in.Name == ExpressSessionName {
		d.warn(WarnUnsigned)
	}
	return d, nil
}
