package demo

import (
	"context"
	"hash/maphash"
	"sync"
)

// memoryShards spreads sessions over independently locked maps so that
// concurrent requests on different sessions rarely contend.
const memoryShards = 64

// MemoryStore keeps sessions in process memory, sharded by id. The zero value
// is not usable; call NewMemoryStore.
type MemoryStore struct {
	seed   maphash.Seed
	shards [memoryShards]memoryShard
}

type memoryShard struct {
	mu sync.Mutex
	m  map[string]Session
	_  [40]byte // keep shards on separate cache lines
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore {
	s := &MemoryStore{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = make(map[string]Session)
	}
	return s
}

func (s *MemoryStore) shard(id string) *memoryShard {
	return &s.shards[maphash.String(s.seed, id)%memoryShards]
}

// Create implements Store.
func (s *MemoryStore) Create(_ context.Context, id string, sess Session) error {
	sh := s.shard(id)
	sh.mu.Lock()
	sh.m[id] = sess
	sh.mu.Unlock()
	return nil
}

// Visit implements Store.
func (s *MemoryStore) Visit(_ context.Context, id string) (Session, error) {
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sess, ok := sh.m[id]
	if !ok {
		return Session{}, ErrNotFound
	}
	sess.VisitCount++
	sh.m[id] = sess
	return sess, nil
}

// Destroy implements Store.
func (s *MemoryStore) Destroy(_ context.Context, id string) error {
	sh := s.shard(id)
	sh.mu.Lock()
	delete(sh.m, id)
	sh.mu.Unlock()
	return nil
}

// Len returns the number of sessions held.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// Close implements Store; it drops every session.
func (s *MemoryStore) Close() error {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.m = make(map[string]Session)
		sh.mu.Unlock()
	}
	return nil
}
