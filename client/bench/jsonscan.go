package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// jsonPath is a dotted path into a JSON body ("visitCount", "user.visits"),
// split once.
type jsonPath [][]byte

func parseJSONPath(p string) jsonPath {
	if p == "" {
		return nil
	}
	var segs jsonPath
	for _, s := range strings.Split(p, ".") {
		segs = append(segs, []byte(s))
	}
	return segs
}

// LookupJSON returns the raw JSON value at the dotted path ("visitCount",
// "user.token") in body, as the counter is read: a string keeps its quotes.
func LookupJSON(body []byte, path string) ([]byte, bool) {
	return parseJSONPath(path).lookup(body)
}

// lookup returns the raw JSON value at p in body. It scans the bytes
// without building the document and without allocating; only a document it
// cannot follow that way (escapes in keys) goes through encoding/json.
func (p jsonPath) lookup(body []byte) ([]byte, bool) {
	v, ok, simple := p.scan(body)
	if simple {
		return v, ok
	}
	return p.decode(body)
}

// pathCache remembers the bytes of the last body up to where a path's value
// started. A body with the very same bytes up to there has the same
// structure up to there, so the value starts at the same offset: the
// scanner only has to compare the prefix (memcmp) and skip the value.
type pathCache struct {
	prefix []byte
	valid  bool
}

// lookupCached is lookup with a pathCache.
func (p jsonPath) lookupCached(body []byte, c *pathCache) ([]byte, bool) {
	if n := len(c.prefix); c.valid && len(body) > n && bytes.Equal(body[:n], c.prefix) {
		s := jsonScanner{b: body, i: n}
		if s.skip() {
			return body[n:s.i], true
		}
	}
	v, ok, simple := p.scan(body)
	if !simple {
		c.valid = false
		return p.decode(body)
	}
	if ok {
		start := cap(body) - cap(v) // v is a slice of body
		c.prefix = append(c.prefix[:0], body[:start]...)
		c.valid = true
	}
	return v, ok
}

func (p jsonPath) scan(b []byte) (val []byte, ok, simple bool) {
	s := jsonScanner{b: b}
	for _, seg := range p {
		s.ws()
		if !s.eat('{') {
			return nil, false, true
		}
		for {
			s.ws()
			if s.eat('}') {
				return nil, false, true
			}
			key, escaped, good := s.str()
			if !good {
				return nil, false, true
			}
			if escaped {
				return nil, false, false
			}
			s.ws()
			if !s.eat(':') {
				return nil, false, true
			}
			s.ws()
			if bytes.Equal(key, seg) {
				break
			}
			if !s.skip() {
				return nil, false, true
			}
			s.ws()
			if !s.eat(',') {
				return nil, false, true
			}
		}
	}
	start := s.i
	if !s.skip() {
		return nil, false, true
	}
	return b[start:s.i], true, true
}

// decode is lookup's slow path, through encoding/json.
func (p jsonPath) decode(body []byte) ([]byte, bool) {
	var doc any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil, false
	}
	for _, seg := range p {
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, false
		}
		if doc, ok = m[string(seg)]; !ok {
			return nil, false
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, false
	}
	return raw, true
}

// jsonScanner walks JSON text just enough to skip values.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string and returns its contents between the quotes.
func (s *jsonScanner) str() (raw []byte, escaped, ok bool) {
	if !s.eat('"') {
		return nil, false, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, true
		case '\\':
			escaped = true
			s.i += 2
		default:
			s.i++
		}
	}
	return nil, false, false
}

// skip moves past one value of any kind.
func (s *jsonScanner) skip() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, _, ok := s.str()
		return ok
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '{', '[':
				depth++
				s.i++
			case '}', ']':
				depth--
				s.i++
				if depth == 0 {
					return true
				}
			case '"':
				if _, _, ok := s.str(); !ok {
					return false
				}
			default:
				s.i++
			}
		}
		return false
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return s.i > start
			}
			s.i++
		}
		return s.i > start
	}
}

// parseCounter reads an integer counter from a raw JSON value: a number, or
// a string holding one.
func parseCounter(v []byte) (int64, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if len(v) == 0 || len(v) > 19 {
		return parseCounterSlow(v)
	}
	neg := v[0] == '-'
	d := v
	if neg {
		d = v[1:]
		if len(d) == 0 {
			return 0, false
		}
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return parseCounterSlow(v)
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseCounterSlow accepts integral numbers written as floats (3.0, 1e3).
func parseCounterSlow(v []byte) (int64, bool) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// describeNumbers says which numeric fields a body does have, for an error
// about a counter not found: "its numeric fields: count (3), user.visits
// (7)", at most maxListed of them, or why there are none. It runs once per
// run for the sample message, so it may allocate.
func describeNumbers(body []byte) string {
	var doc any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return fmt.Sprintf("the body is not JSON: %.60q", body)
	}
	var found []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := printableKey(k)
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, v[k])
			}
		case json.Number:
			found = append(found, fmt.Sprintf("%s (%s)", prefix, v))
		case string:
			if _, err := strconv.ParseInt(v, 10, 64); err == nil && prefix != "" {
				found = append(found, fmt.Sprintf("%s (%q)", prefix, v))
			}
		}
	}
	walk("", doc)
	switch {
	case len(found) == 0:
		return "the body has no numeric field"
	case len(found) > maxListed:
		return fmt.Sprintf("its numeric fields: %s, ... (%d in all)", strings.Join(found[:maxListed], ", "), len(found))
	}
	return "its numeric fields: " + strings.Join(found, ", ")
}

// maxListed bounds the fields describeNumbers names.
const maxListed = 8

// printableKey is a JSON key as a message shows it: quoted when it holds a
// control byte or anything but printable ASCII (a server's key must not
// reach a terminal raw).
func printableKey(k string) string {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '.' || c == ' ' {
			return strconv.QuoteToASCII(k)
		}
	}
	return k
}
