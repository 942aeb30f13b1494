package demo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
)

// IDScheme says how the demo makes session ids. All but IDRandom are weak on
// purpose, for sessctl audit to find.
type IDScheme string

// ID schemes.
const (
	// IDRandom is 24 random bytes as unpadded base64url: 32 characters and
	// 192 bits, the shape of express-session's uid-safe ids (the default).
	IDRandom IDScheme = "random"
	// IDShort is 4 random bytes as 8 hex digits: 32 bits, under the 64 bits
	// OWASP asks for, so ids can be guessed and collide.
	IDShort IDScheme = "short"
	// IDSequential is a counter from 1 per handler, in decimal: the next id
	// is the last one plus one.
	IDSequential IDScheme = "sequential"
	// IDTime is the creation time in Unix nanoseconds, in hex, made strictly
	// increasing: whoever knows roughly when a session was made can guess it.
	IDTime IDScheme = "time"
)

// idMaker makes session ids by one scheme.
type idMaker struct {
	scheme IDScheme
	last   atomic.Int64 // IDSequential's counter, IDTime's last time
	now    func() time.Time
}

// ParseIDScheme returns the scheme named s; empty means IDRandom.
func ParseIDScheme(s string) (IDScheme, error) {
	switch id := IDScheme(s); id {
	case "":
		return IDRandom, nil
	case IDRandom, IDShort, IDSequential, IDTime:
		return id, nil
	}
	return "", fmt.Errorf("id scheme %q: want random, short, sequential or time", s)
}

func newIDMaker(scheme IDScheme, now func() time.Time) (*idMaker, error) {
	scheme, err := ParseIDScheme(string(scheme))
	if err != nil {
		return nil, err
	}
	return &idMaker{scheme: scheme, now: now}, nil
}

// next returns a new session id.
func (m *idMaker) next() string {
	switch m.scheme {
	case IDShort:
		var b [4]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	case IDSequential:
		return strconv.FormatInt(m.last.Add(1), 10)
	case IDTime:
		t := m.now().UnixNano()
		for {
			last := m.last.Load()
			if t <= last {
				t = last + 1
			}
			if m.last.CompareAndSwap(last, t) {
				return strconv.FormatInt(t, 16)
			}
		}
	}
	return newSessionID()
}

// newSessionID returns an IDRandom id.
func newSessionID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
