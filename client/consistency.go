package client

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
)

// observation is what the checker needs from one successful response.
type observation struct {
	counter int64
	id      []byte // raw JSON value of the id field; nil when absent
	// fresh is set when the response starts a new session: status 201, or a
	// Set-Cookie that gave a cookie a new value.
	fresh bool
}

// anomalies are the checker's counts; each worker keeps its own and they are
// summed at the end, so the hot loop takes no lock.
type anomalies struct {
	checked, created                        int64
	gaps, repeats, regressions, resets, ids int64
	duplicates                              int64
}

func (a *anomalies) add(b *anomalies) {
	a.checked += b.checked
	a.created += b.created
	a.gaps += b.gaps
	a.repeats += b.repeats
	a.regressions += b.regressions
	a.resets += b.resets
	a.ids += b.ids
	a.duplicates += b.duplicates
}

// seqState follows one session whose requests are sequential: the last
// counter it read and its id. It keeps no history, so memory stays flat.
type seqState struct {
	started bool
	// resync is set after a failed request: the server may or may not have
	// counted it, so the next response sets the base without a check.
	resync bool
	last   int64
	id     []byte
	hasID  bool
}

func (s *seqState) setID(id []byte) {
	if id == nil {
		s.hasID = false
		return
	}
	s.id = append(s.id[:0], id...)
	s.hasID = true
}

// observeSequential checks one response of a session whose requests are
// sequential: the counter must be the previous one plus 1.
func (a *anomalies) observeSequential(s *seqState, o observation) {
	a.checked++
	v := o.counter
	if !s.started || s.resync {
		if o.fresh || !s.started {
			a.created++
		}
		s.started, s.resync, s.last = true, false, v
		s.setID(o.id)
		return
	}
	next := s.last + 1
	if o.fresh && v != next {
		a.resets++
		a.created++
		s.last = v
		s.setID(o.id)
		return
	}
	if o.id != nil && s.hasID && !bytes.Equal(o.id, s.id) {
		a.ids++
		s.setID(o.id)
	}
	switch {
	case v == next:
	case v > next:
		a.gaps++
	case v == s.last:
		a.repeats++
	default:
		a.regressions++
	}
	s.last = v
}

// sharedCheck is the state of the shared-mode check that every worker reads:
// the session's initial counter and id, and the counter values seen.
type sharedCheck struct {
	initial int64
	id      []byte
	seen    bitset
}

// observeShared checks one response on the shared session: its counter
// must not have been seen before and must not be below the initial value.
func (a *anomalies) observeShared(sc *sharedCheck, o observation) {
	a.checked++
	if o.fresh {
		// A fresh session where the shared one should continue; its counter
		// belongs to another session, so it does not go into the bitset.
		a.resets++
		a.created++
		return
	}
	if o.id != nil && sc.id != nil && !bytes.Equal(o.id, sc.id) {
		a.ids++
	}
	i := o.counter - sc.initial
	switch {
	case i <= 0:
		// The first request after creation reads initial+1; anything at or
		// below the initial value went back.
		a.regressions++
	case sc.seen.set(i):
		a.duplicates++
	}
}

// bitset records which counter values were seen, one bit each, in 8 KiB
// chunks allocated on first use: memory grows with the counter's range, not
// with the number of requests, and workers set bits without a lock.
type bitset struct {
	chunks [bitsetChunks]atomic.Pointer[[bitsetWords]uint64]
}

const (
	bitsetWords  = 1024                            // words per chunk: 65536 bits
	bitsetChunks = 1 << 15                         // 2^31 values in all
	bitsetMax    = bitsetChunks * bitsetWords * 64 // first value not tracked
)

// set marks i and reports whether it was already marked. Values at or
// beyond bitsetMax are not tracked (reported as new).
func (b *bitset) set(i int64) bool {
	if i < 0 || i >= bitsetMax {
		return false
	}
	p := &b.chunks[i>>16]
	c := p.Load()
	if c == nil {
		n := new([bitsetWords]uint64)
		if p.CompareAndSwap(nil, n) {
			c = n
		} else {
			c = p.Load()
		}
	}
	bit := uint64(1) << (i & 63)
	return atomic.OrUint64(&c[(i>>6)&(bitsetWords-1)], bit)&bit != 0
}

// consistency turns the summed counts into the report's Consistency.
func (a *anomalies) consistency(mode string, sessions int) Consistency {
	c := Consistency{
		Mode:            mode,
		Checked:         a.checked,
		Sessions:        sessions,
		SessionsCreated: a.created,
		Gaps:            a.gaps,
		Repeats:         a.repeats,
		Regressions:     a.regressions,
		Resets:          a.resets,
		IDChanges:       a.ids,
		Duplicates:      a.duplicates,
	}
	if extra := a.created - int64(sessions); extra > 0 {
		c.ExtraSessions = extra
	}
	return c
}

// setVerdict decides the verdict from the counts; in shared mode the lost
// updates must have been filled in first.
func (c *Consistency) setVerdict() {
	switch {
	case c.Mode == ModeNone || c.Checked == 0:
		c.Verdict = VerdictUnchecked
	case c.Gaps+c.Repeats+c.Regressions+c.Resets+c.IDChanges+c.Duplicates+c.LostUpdates > 0:
		c.Verdict = VerdictInconsistent
	default:
		c.Verdict = VerdictConsistent
	}
}

// setLost fills in the shared mode's lost updates from the final counter.
func (c *Consistency) setLost(final int64) {
	c.FinalCounter = final
	onSession := c.Checked - c.Resets
	c.ExpectedFinal = c.InitialCounter + onSession
	if lost := c.ExpectedFinal - final; lost > 0 {
		c.LostUpdates = lost
		if onSession > 0 {
			c.LostUpdatesPct = float64(lost) * 100 / float64(onSession)
		}
	}
}

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
