package cookie

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
	"sync"
)

// ExpressSessionName is express-session's default cookie name.
const ExpressSessionName = "connect.sid"

// ErrNoSecret is returned when a signer is built without any secret.
var ErrNoSecret = errors.New("no secret given")

// ExpressSigner signs and verifies values the way the npm package
// cookie-signature does: value + "." + base64 (standard alphabet, no "=")
// of HMAC-SHA256(secret, value). It signs with the first secret and accepts
// any, as express-session and cookie-parser rotate secrets. It is safe for
// concurrent use.
type ExpressSigner struct {
	secrets [][]byte
	pools   []sync.Pool
}

// NewExpressSigner returns a signer for secrets, the first used for signing.
func NewExpressSigner(secrets ...[]byte) (*ExpressSigner, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecret
	}
	s := &ExpressSigner{secrets: secrets, pools: make([]sync.Pool, len(secrets))}
	for i := range secrets {
		key := secrets[i]
		s.pools[i].New = func() any { return &sigState{h: hmac.New(sha256.New, key)} }
	}
	return s, nil
}

// sigLen is the length of an unpadded base64 HMAC-SHA256: always 43.
const sigLen = 43

// sigState is one HMAC with buffers of its own, so that signing allocates
// nothing; the signer pools them per secret.
type sigState struct {
	h   hash.Hash
	msg []byte
	sum [sha256.Size]byte
}

// appendSig appends the signature of value under secret i to dst.
func (s *ExpressSigner) appendSig(dst []byte, i int, value string) []byte {
	st := s.pools[i].Get().(*sigState)
	st.msg = append(st.msg[:0], value...)
	st.h.Reset()
	st.h.Write(st.msg)
	mac := st.h.Sum(st.sum[:0])
	dst = base64.RawStdEncoding.AppendEncode(dst, mac)
	s.pools[i].Put(st)
	return dst
}

// Sign returns value + "." + signature with the first secret, what
// cookie-signature's sign(value, secret) returns.
func (s *ExpressSigner) Sign(value string) string {
	b := make([]byte, 0, len(value)+1+sigLen)
	b = append(b, value...)
	b = append(b, '.')
	return string(s.appendSig(b, 0, value))
}

// Unsign checks a "value.sig" string (no "s:" prefix, not URL-encoded) and
// returns the value and the index of the secret that signed it. ok is false
// when no secret verifies it. The split is at the last ".", and the whole
// signature must match: trailing garbage is rejected, as in cookie-signature
// 1.2.
func (s *ExpressSigner) Unsign(signed string) (value string, keyIndex int, ok bool) {
	dot := strings.LastIndexByte(signed, '.')
	if dot < 0 {
		return "", -1, false
	}
	value, sig := signed[:dot], signed[dot+1:]
	if len(sig) != sigLen {
		return "", -1, false
	}
	var buf [sigLen]byte
	for i := range s.secrets {
		want := s.appendSig(buf[:0], i, value)
		if subtle.ConstantTimeCompare(want, []byte(sig)) == 1 {
			return value, i, true
		}
	}
	return "", -1, false
}

// SessionCookieValue returns the connect.sid cookie value express-session
// sets for session id: "s:" + Sign(id), URL-encoded as encodeURIComponent
// does.
func (s *ExpressSigner) SessionCookieValue(id string) string {
	return string(s.AppendSessionCookieValue(make([]byte, 0, len("s%3A")+uriComponentLen(id)+1+sigLen+12), id))
}

// AppendSessionCookieValue appends SessionCookieValue(id) to dst. It
// allocates nothing when dst has room: the demo server calls it for every
// new session and builds the whole Set-Cookie line in one buffer.
func (s *ExpressSigner) AppendSessionCookieValue(dst []byte, id string) []byte {
	var sig [sigLen]byte
	s.appendSig(sig[:0], 0, id)
	dst = append(dst, "s%3A"...)
	dst = appendURIComponent(dst, id)
	dst = append(dst, '.')
	return appendURIComponent(dst, string(sig[:]))
}

// ParseSessionCookie returns the session id carried by a connect.sid cookie
// value when one of the secrets signed it. The value may be URL-encoded
// (as browsers and curl send it) or raw; values without the "s:" prefix
// carry no session, as in express-session.
func (s *ExpressSigner) ParseSessionCookie(raw string) (id string, ok bool) {
	v := DecodeCookieValue(raw)
	if !strings.HasPrefix(v, "s:") {
		return "", false
	}
	id, _, ok = s.Unsign(v[2:])
	return id, ok
}

// DecodeCookieValue percent-decodes a cookie value the way the npm cookie
// module does: only when it holds a "%", and a malformed escape leaves the
// value as it was.
func DecodeCookieValue(raw string) string {
	first := strings.IndexByte(raw, '%')
	if first < 0 {
		return raw
	}
	// url.PathUnescape's result, in one pass and one allocation: the demo
	// server decodes every session cookie it gets.
	n := first
	for i := first; i < len(raw); i++ {
		if raw[i] == '%' {
			if i+2 >= len(raw) || !isHexDigit(raw[i+1]) || !isHexDigit(raw[i+2]) {
				return raw
			}
			i += 2
		}
		n++
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(raw[:first])
	for i := first; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			c = unhexDigit(raw[i+1])<<4 | unhexDigit(raw[i+2])
			i += 2
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhexDigit(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// EncodeURIComponent escapes s as JavaScript's encodeURIComponent: every
// byte except A-Z a-z 0-9 - _ . ! ~ * ' ( ) becomes %XX (UTF-8 bytes).
func EncodeURIComponent(s string) string {
	n := uriComponentLen(s)
	if n == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(n)
	writeURIComponent(&b, s)
	return b.String()
}

// uriComponentLen is the length of s once escaped.
func uriComponentLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !uriUnreserved[s[i]] {
			n += 2
		}
	}
	return n
}

func writeURIComponent(b *strings.Builder, s string) {
	var buf [128]byte
	for len(s) > 0 {
		n := min(len(s), len(buf)/3)
		b.Write(appendURIComponent(buf[:0], s[:n]))
		s = s[n:]
	}
}

func appendURIComponent(dst []byte, s string) []byte {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriUnreserved[c] {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexd[c>>4], hexd[c&15])
	}
	return dst
}

// uriUnreserved marks the bytes encodeURIComponent leaves alone.
var uriUnreserved = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-_.!~*'()" {
		t[c] = true
	}
	return t
}()
