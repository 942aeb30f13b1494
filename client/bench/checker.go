package bench

import (
	"bytes"
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
	// late counts the requests sent that never had an answer (timed out,
	// cut by a closed connection): the server may still count each one,
	// even after later requests, so a later jump by up to late is no gap.
	late  int64
	last  int64
	id    []byte
	hasID bool
}

// countedLate takes a jump of the counter by extra past the expected value
// as that many late requests, and reports whether they account for it.
func (s *seqState) countedLate(extra int64) bool {
	if extra <= 0 {
		return true
	}
	took := min(extra, s.late)
	s.late -= took
	return took == extra
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
		switch {
		case o.fresh || !s.started:
			a.created++
			s.late = 0 // they were another session's
		default:
			s.countedLate(v - s.last - 1)
		}
		s.started, s.resync, s.last = true, false, v
		s.setID(o.id)
		return
	}
	next := s.last + 1
	if o.fresh && v != next {
		a.resets++
		a.created++
		s.last, s.late = v, 0
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
		if !s.countedLate(v - next) {
			a.gaps++
		}
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
	// session is a digest of the session cookie the run was given to
	// continue (sessionDigest; "" when none): agents of one test share it.
	session string
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

// setLost fills in the shared mode's lost updates from the final counter
// and the increments of probes (other agents') that the counts leave out.
func (c *Consistency) setLost(final, probes int64) {
	c.FinalCounter = final
	onSession := c.Checked - c.Resets
	c.ExpectedFinal = c.InitialCounter + onSession + probes
	if lost := c.ExpectedFinal - final; lost > 0 {
		c.LostUpdates = lost
		if onSession > 0 {
			c.LostUpdatesPct = float64(lost) * 100 / float64(onSession)
		}
	}
}
