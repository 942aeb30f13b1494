package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxSessions is the memory store's default cap: about 140 MB of
// sessions at most.
const DefaultMaxSessions = 1_000_000

// MemoryStoreOptions configure a MemoryStore. The zero value means sessions
// never expire and there is no cap.
type MemoryStoreOptions struct {
	// TTL is how long a session lives after its last visit (the expiry
	// slides on each visit); 0 means forever. A handler with a MaxAge uses
	// the MaxAge instead, as connect-redis derives its TTL from the cookie.
	TTL time.Duration
	// MaxSessions caps the number of sessions held; creating one more evicts
	// the least recently used. 0 means no cap. Above 65,536 the store is
	// split into up to 64 independently locked shards, each with its share
	// of the cap and its own exact LRU order, so eviction is then
	// least-recently-used per shard.
	MaxSessions int
	// Now returns the current time; nil means time.Now. Tests inject it.
	Now func() time.Time
}

// MemoryStore keeps sessions in process memory: an index from session id to
// a slot in a slab of fixed-size entries, and an intrusive doubly linked LRU
// list through the slab with int32 links, so the garbage collector sees no
// per-session pointer (about 136 bytes per idle session, TTL and LRU
// bookkeeping included). The zero value is not usable; call NewMemoryStore
// or NewMemoryStoreWith.
type MemoryStore struct {
	shards []memoryShard
	mask   uint64
	ttl    time.Duration
	life   atomic.Int64 // session lifetime in ms, 0 = forever
	maxAge atomic.Bool  // the handler shows Expires
	now    func() time.Time
}

// memKey is a session id as the index holds it: the 24 bytes a canonical
// 32-character base64url id encodes, or the first 24 bytes of the SHA-256 of
// any other id.
type memKey [24]byte

// memEntry is one session in a shard's slab. Free slots are chained through
// next.
type memEntry struct {
	key        memKey
	sid        int32
	prev, next int32 // LRU neighbours (towards head, towards tail); -1 none
	visits     int64
	expires    int64 // unix ms; 0 never
}

type memoryShard struct {
	mu         sync.Mutex
	index      map[memKey]int32
	users      map[memKey]string // the few sessions with a user (POST /login); nil until one
	slab       []memEntry
	free       int32 // first free slot, -1 none
	head, tail int32 // most and least recently used, -1 when empty
	max        int   // 0 no cap
	_          [64]byte
}

// NewMemoryStore returns an in-memory store with DefaultTTL and
// DefaultMaxSessions.
func NewMemoryStore() *MemoryStore {
	return NewMemoryStoreWith(MemoryStoreOptions{TTL: DefaultTTL, MaxSessions: DefaultMaxSessions})
}

// NewMemoryStoreWith returns an empty in-memory store configured by opts.
func NewMemoryStoreWith(opts MemoryStoreOptions) *MemoryStore {
	n := 64
	if opts.MaxSessions > 0 {
		for n > 1 && opts.MaxSessions/n < 1024 {
			n /= 2
		}
	}
	s := &MemoryStore{shards: make([]memoryShard, n), mask: uint64(n - 1), ttl: opts.TTL, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	s.life.Store(opts.TTL.Milliseconds())
	for i := range s.shards {
		sh := &s.shards[i]
		sh.index = make(map[memKey]int32)
		sh.free, sh.head, sh.tail = -1, -1, -1
		if opts.MaxSessions > 0 {
			sh.max = opts.MaxSessions / n
			if i < opts.MaxSessions%n {
				sh.max++
			}
		}
	}
	return s
}

func (s *MemoryStore) setCookieConfig(c cookieConfig) {
	s.life.Store(c.lifetime(s.ttl).Milliseconds())
	s.maxAge.Store(c.maxAge > 0)
}

func keyOf(id string) memKey {
	var k memKey
	if len(id) == 32 && decodeID(&k, id) {
		return k
	}
	sum := sha256.Sum256([]byte(id))
	copy(k[:], sum[:])
	return k
}

// b64url maps a base64url character to its 6 bits, 0xff for others.
var b64url = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeID decodes a 32-character base64url id into k without allocating;
// false when a character is outside the alphabet.
func decodeID(k *memKey, id string) bool {
	for i := 0; i < 8; i++ {
		a, b, c, d := b64url[id[4*i]], b64url[id[4*i+1]], b64url[id[4*i+2]], b64url[id[4*i+3]]
		if a|b|c|d == 0xff || (a|b|c|d)&0xc0 != 0 {
			return false
		}
		k[3*i] = a<<2 | b>>4
		k[3*i+1] = b<<4 | c>>2
		k[3*i+2] = c<<6 | d
	}
	return true
}

// shard picks the shard from key bytes: they are uniformly random (ids
// come from crypto/rand or SHA-256).
func (s *MemoryStore) shard(k *memKey) *memoryShard {
	return &s.shards[binary.LittleEndian.Uint64(k[16:])&s.mask]
}

func (s *MemoryStore) nowMs() int64 { return s.now().UnixMilli() }

func (s *MemoryStore) expiry(now int64) int64 {
	if life := s.life.Load(); life > 0 {
		return now + life
	}
	return 0
}

func (s *MemoryStore) session(e *memEntry, expires int64, user string) Session {
	sess := Session{SID: e.sid, VisitCount: e.visits, User: user}
	if expires != 0 && s.maxAge.Load() {
		sess.Expires = time.UnixMilli(expires).UTC()
	}
	return sess
}

// Create implements Store. A new session may evict the least recently used
// one when the shard is at its cap, and drops up to two expired ones.
func (s *MemoryStore) Create(_ context.Context, id string, sess Session) error {
	k := keyOf(id)
	now := s.nowMs()
	exp := s.expiry(now)
	if !sess.Expires.IsZero() {
		exp = sess.Expires.UnixMilli()
	}
	sh := s.shard(&k)
	sh.mu.Lock()
	sh.put(k, sess.SID, sess.VisitCount, exp, now, sess.User)
	sh.mu.Unlock()
	return nil
}

// Visit implements Store.
func (s *MemoryStore) Visit(_ context.Context, id string) (Session, error) {
	k := keyOf(id)
	now := s.nowMs()
	sh := s.shard(&k)
	sh.mu.Lock()
	i, ok := sh.find(k, now)
	if !ok {
		sh.mu.Unlock()
		return Session{}, ErrNotFound
	}
	e := &sh.slab[i]
	e.visits++
	old := e.expires
	e.expires = s.expiry(now)
	sh.toFront(i)
	sess := s.session(e, old, sh.users[k])
	sh.mu.Unlock()
	return sess, nil
}

// Load implements Loader; it counts as a use for the LRU order but does not
// renew the expiry.
func (s *MemoryStore) Load(_ context.Context, id string) (Session, error) {
	k := keyOf(id)
	now := s.nowMs()
	sh := s.shard(&k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, ok := sh.find(k, now)
	if !ok {
		return Session{}, ErrNotFound
	}
	sh.toFront(i)
	e := &sh.slab[i]
	return s.session(e, e.expires, sh.users[k]), nil
}

// Rename implements Renamer.
func (s *MemoryStore) Rename(_ context.Context, oldID, newID string) (Session, error) {
	ko, kn := keyOf(oldID), keyOf(newID)
	now := s.nowMs()
	a, b := s.shard(&ko), s.shard(&kn)
	a.mu.Lock()
	i, ok := a.find(ko, now)
	if !ok {
		a.mu.Unlock()
		return Session{}, ErrNotFound
	}
	e := a.slab[i]
	user := a.users[ko]
	a.remove(i)
	a.mu.Unlock()
	// Between the two locks the session is in neither place: a concurrent
	// visit of the old id gets a fresh session, as it would just after.
	b.mu.Lock()
	b.put(kn, e.sid, e.visits, e.expires, now, user)
	b.mu.Unlock()
	return s.session(&e, e.expires, user), nil
}

// Destroy implements Store.
func (s *MemoryStore) Destroy(_ context.Context, id string) error {
	k := keyOf(id)
	sh := s.shard(&k)
	sh.mu.Lock()
	if i, ok := sh.index[k]; ok {
		sh.remove(i)
	}
	sh.mu.Unlock()
	return nil
}

// Sweep implements Sweeper: it drops every expired session.
func (s *MemoryStore) Sweep(ctx context.Context) (int, error) {
	n := 0
	for i := range s.shards {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		now := s.nowMs()
		sh := &s.shards[i]
		sh.mu.Lock()
		for j := sh.tail; j >= 0; {
			e := &sh.slab[j]
			prev := e.prev
			if e.expires != 0 && now >= e.expires {
				sh.remove(j)
				n++
			}
			j = prev
		}
		sh.mu.Unlock()
	}
	return n, nil
}

// Len returns the number of sessions held, expired ones not yet swept
// included.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.index)
		sh.mu.Unlock()
	}
	return n
}

// Close implements Store; it drops every session.
func (s *MemoryStore) Close() error {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.index = make(map[memKey]int32)
		sh.users = nil
		sh.slab = nil
		sh.free, sh.head, sh.tail = -1, -1, -1
		sh.mu.Unlock()
	}
	return nil
}

// find returns the slot of k, removing it instead when it has expired.
func (sh *memoryShard) find(k memKey, now int64) (int32, bool) {
	i, ok := sh.index[k]
	if !ok {
		return -1, false
	}
	if e := &sh.slab[i]; e.expires != 0 && now >= e.expires {
		sh.remove(i)
		return -1, false
	}
	return i, true
}

// put stores a session under k as the most recently used.
func (sh *memoryShard) put(k memKey, sid int32, visits, expires, now int64, user string) {
	sh.setUser(k, user)
	if i, ok := sh.index[k]; ok {
		e := &sh.slab[i]
		e.sid, e.visits, e.expires = sid, visits, expires
		sh.toFront(i)
		return
	}
	// Amortised sweep: with one lifetime for all, the LRU tail expires
	// first.
	for range 2 {
		if t := sh.tail; t >= 0 && sh.slab[t].expires != 0 && now >= sh.slab[t].expires {
			sh.remove(t)
		}
	}
	if sh.max > 0 && len(sh.index) >= sh.max {
		sh.remove(sh.tail)
	}
	var i int32
	if sh.free >= 0 {
		i = sh.free
		sh.free = sh.slab[i].next
	} else {
		i = int32(len(sh.slab))
		sh.slab = append(sh.slab, memEntry{})
	}
	sh.slab[i] = memEntry{key: k, sid: sid, visits: visits, expires: expires, prev: -1, next: -1}
	sh.index[k] = i
	sh.pushFront(i)
}

// setUser keeps or drops the user of the session under k.
func (sh *memoryShard) setUser(k memKey, user string) {
	switch {
	case user != "":
		if sh.users == nil {
			sh.users = make(map[memKey]string)
		}
		sh.users[k] = user
	case sh.users != nil:
		delete(sh.users, k)
	}
}

func (sh *memoryShard) remove(i int32) {
	delete(sh.index, sh.slab[i].key)
	if sh.users != nil {
		delete(sh.users, sh.slab[i].key)
	}
	sh.unlink(i)
	sh.slab[i] = memEntry{next: sh.free}
	sh.free = i
}

func (sh *memoryShard) unlink(i int32) {
	e := &sh.slab[i]
	if e.prev >= 0 {
		sh.slab[e.prev].next = e.next
	} else {
		sh.head = e.next
	}
	if e.next >= 0 {
		sh.slab[e.next].prev = e.prev
	} else {
		sh.tail = e.prev
	}
	e.prev, e.next = -1, -1
}

func (sh *memoryShard) pushFront(i int32) {
	e := &sh.slab[i]
	e.prev, e.next = -1, sh.head
	if sh.head >= 0 {
		sh.slab[sh.head].prev = i
	}
	sh.head = i
	if sh.tail < 0 {
		sh.tail = i
	}
}

func (sh *memoryShard) toFront(i int32) {
	if sh.head == i {
		return
	}
	sh.unlink(i)
	sh.pushFront(i)
}
