package cookie

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Formats returns every format Detect tries, in the order that breaks ties
// between equal Match scores. It is an explicit list: a new format adds one
// line here.
func Formats() []Format {
	return []Format{
		Express{},
		JWT{},
		Koa{},
		CookieSession{},
		SecureCookie{},
		Flask{},
		Starlette{},
		Django{},
		Rails{},
		Laravel{},
		Iron{},
		AuthJS{},
		SecureSession{},
		Opaque{},
	}
}

// FormatNames returns the names of Formats, for --format's help.
func FormatNames() []string {
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name())
	}
	return names
}

// FormatByName returns the format called name, or false.
func FormatByName(name string) (Format, bool) {
	for _, f := range Formats() {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}

// Detect returns the format most sure that in is its own, and its score, or
// nil and 0 when no format claims it.
func Detect(in Input) (Format, int) {
	var best Format
	score := 0
	for _, f := range Formats() {
		if s := f.Match(in); s > score {
			best, score = f, s
		}
	}
	return best, score
}

// UnknownError is returned by Decode for a value in no known format. Hint
// says what plain base64 and URL decoding show of it.
type UnknownError struct {
	Name string
	Hint string
}

func (e *UnknownError) Error() string {
	n := e.Name
	if n == "" {
		n = "value"
	}
	return fmt.Sprintf("%s: %v (%s)", n, ErrUnknownFormat, e.Hint)
}

// Unwrap makes errors.Is(err, ErrUnknownFormat) true.
func (e *UnknownError) Unwrap() error { return ErrUnknownFormat }

// Decode detects in's format, or uses the format called force when it is
// not empty, and decodes it with keys.
func Decode(in Input, keys Keys, force string) (*Decoded, error) {
	var f Format
	if force != "" {
		var ok bool
		if f, ok = FormatByName(force); !ok {
			return nil, fmt.Errorf("unknown format %q (known: %s)", force, strings.Join(FormatNames(), ", "))
		}
	} else if f, _ = Detect(in); f == nil {
		return nil, &UnknownError{Name: in.Name, Hint: Describe(in.Value)}
	}
	d, err := f.Decode(in, keys)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Describe says what plain URL and base64 decoding show of a value in no
// known format: the first bytes as text when printable, else in hex.
func Describe(v string) string {
	var parts []string
	if strings.IndexByte(v, '%') >= 0 {
		if u, err := url.PathUnescape(v); err == nil {
			parts = append(parts, "URL-decoded: "+quoteShort(u))
			v = u
		}
	}
	if b, err := DecodeBase64(v); err == nil && len(b) > 0 {
		if utf8.Valid(b) && printable(string(b)) {
			parts = append(parts, "base64 decodes to text "+quoteShort(string(b)))
		} else {
			parts = append(parts, fmt.Sprintf("base64 decodes to %d binary bytes %s", len(b), hexShort(b)))
		}
	} else {
		parts = append(parts, "not base64")
	}
	parts = append(parts, fmt.Sprintf("%d chars", len(v)))
	return strings.Join(parts, "; ")
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func hexShort(b []byte) string {
	const n = 24
	if len(b) > n {
		return fmt.Sprintf("%x...", b[:n])
	}
	return fmt.Sprintf("%x", b)
}

// ParseInput turns one input as the user typed it, an argument or a stdin
// line, into cookies: a bare value; NAME=VALUE; a whole "Cookie:" header or
// "a=1; b=2" list; a "Set-Cookie:" line (attributes dropped). A cookie
// named "<name>.sig" is attached to the cookie called <name> of the same
// input as its signature, as cookie-session and koa-session pair them; it
// never pairs with another input's cookie.
func ParseInput(a string) []Input {
	return PairSignatures(parseArg(a))
}

// PairSignatures attaches every "<name>.sig" input to the input called
// <name> (the last one before it, or any after) and drops it from the list;
// a .sig with no partner stays as it is. ins is one group of cookies sent or
// set together (one Cookie header, one response, one site of a jar).
func PairSignatures(ins []Input) []Input {
	byName := map[string]int{}
	for i, in := range ins {
		if in.Name != "" && !strings.HasSuffix(in.Name, ".sig") {
			byName[in.Name] = i
		}
	}
	used := make([]bool, len(ins))
	for i, in := range ins {
		base, ok := strings.CutSuffix(in.Name, ".sig")
		if !ok || base == "" {
			continue
		}
		if j, ok := byName[base]; ok && !ins[j].HasSig {
			ins[j].Sig, ins[j].HasSig = in.Value, true
			used[i] = true
		}
	}
	out := ins[:0:0]
	for i, in := range ins {
		if !used[i] {
			out = append(out, in)
		}
	}
	return out
}

func parseArg(a string) []Input {
	a = strings.TrimSpace(a)
	if a == "" {
		return nil
	}
	if rest, ok := cutHeader(a, "set-cookie"); ok {
		pair, _, _ := strings.Cut(rest, ";")
		if in, ok := parsePair(strings.TrimSpace(pair)); ok {
			return []Input{in}
		}
		return []Input{{Value: strings.TrimSpace(pair)}}
	}
	if rest, ok := cutHeader(a, "cookie"); ok {
		return parseCookieList(rest)
	}
	if strings.Contains(a, "; ") || strings.HasSuffix(a, ";") {
		if ins := parseCookieList(a); len(ins) > 0 {
			return ins
		}
	}
	if in, ok := parsePair(a); ok {
		return []Input{in}
	}
	return []Input{{Value: a}}
}

func cutHeader(a, name string) (string, bool) {
	if len(a) > len(name) && strings.EqualFold(a[:len(name)], name) && a[len(name)] == ':' {
		return strings.TrimSpace(a[len(name)+1:]), true
	}
	return "", false
}

func parseCookieList(s string) []Input {
	var ins []Input
	for _, p := range strings.Split(s, ";") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if in, ok := parsePair(p); ok {
			ins = append(ins, in)
		} else {
			ins = append(ins, Input{Value: p})
		}
	}
	return ins
}

// parsePair splits NAME=VALUE when NAME is a cookie-name token and VALUE is
// more than base64 padding (so "eyJhIjoxfQ==" stays a bare value). A value
// in double quotes loses them, as browsers and the cookies module do.
func parsePair(s string) (Input, bool) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" || len(name) > 128 || !isToken(name) || strings.Trim(value, "=") == "" {
		return Input{}, false
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	return Input{Name: name, Value: value}, true
}

// isToken reports whether s is an RFC 6265 cookie-name (an RFC 2616 token).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// decodeURLBase64 decodes base64url with or without padding.
func decodeURLBase64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
