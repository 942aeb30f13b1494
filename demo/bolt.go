package demo

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileStoreOptions configure a FileStore.
type FileStoreOptions struct {
	// TTL is how long a session lives after its last visit when the cookie
	// has no MaxAge; 0 means DefaultTTL.
	TTL time.Duration
	// MaxSessions caps the number of sessions in the file; 0 means no cap.
	// Past it, creating a session drops the least recently used one (the
	// one expiring first: every session lives one lifetime from its last
	// use), after up to two expired ones, as MemoryStore does.
	MaxSessions int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// FileStore keeps sessions in a bbolt file, so they survive a restart. Every
// change is committed (fsync) before the method returns, and so before the
// handler answers: a kill -9 loses no visit a client saw acknowledged.
// Concurrent visits are grouped into one transaction (bbolt's Batch) to
// share the fsync. A value is the expiry (8 bytes, unix ms, big endian)
// followed by express-session's JSON of the session. An index bucket orders
// the sessions by expiry (key: expiry, then id), for the cap and the sweep,
// and a meta bucket keeps their count.
type FileStore struct {
	db   *bolt.DB
	path string
	max  int
	storedJSON
}

var (
	sessionsBucket = []byte("sessions")
	expiryBucket   = []byte("expiry")
	metaBucket     = []byte("meta")
	countKey       = []byte("count")
)

// OpenFileStore opens (creating if needed) the bbolt file at path. A file
// another process holds open fails after a second; a damaged file (bbolt
// panics on some, e.g. "invalid freelist page") is a *DamagedFileError.
// Every page is checked once here, so that damage is found now rather than
// as a panic in a request later.
func OpenFileStore(path string, opts FileStoreOptions) (*FileStore, error) {
	db, err := openBolt(path)
	if err != nil {
		return nil, err
	}
	db.MaxBatchDelay = time.Millisecond
	s := &FileStore{db: db, path: path, max: max(opts.MaxSessions, 0)}
	s.init(opts.TTL, opts.Now)
	return s, nil
}

// DamagedFileError is a file store whose file bbolt cannot read.
type DamagedFileError struct {
	Path   string
	Reason string // what bbolt found
}

func (e *DamagedFileError) Error() string {
	return fmt.Sprintf("file store %s is damaged (%s): move it away (mv %s %s.damaged) and start again, which makes a new empty file; the sessions in it are lost",
		e.Path, e.Reason, e.Path, e.Path)
}

// openBolt opens the file and checks it, turning bbolt's panics into a
// DamagedFileError.
func openBolt(path string) (db *bolt.DB, err error) {
	defer func() {
		if p := recover(); p != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, &DamagedFileError{Path: path, Reason: fmt.Sprint(p)}
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open file store %s: locked by another process", path)
		}
		if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrChecksum) || errors.Is(err, bolt.ErrVersionMismatch) {
			return nil, &DamagedFileError{Path: path, Reason: err.Error()}
		}
		return nil, fmt.Errorf("open file store %s: %w", path, err)
	}
	var damage error
	db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() { // drained: the checker runs until it is done
			if damage == nil {
				damage = err
			}
		}
		return nil
	})
	if damage != nil {
		db.Close()
		return nil, &DamagedFileError{Path: path, Reason: damage.Error()}
	}
	if err := db.Update(prepareFile); err != nil {
		db.Close()
		return nil, fmt.Errorf("open file store %s: %w", path, err)
	}
	return db, nil
}

// Path returns the file's path.
func (s *FileStore) Path() string { return s.path }

func (s *FileStore) wrap(op string, err error) error {
	return fmt.Errorf("file store %s: %s: %w", s.path, op, err)
}

func (s *FileStore) encode(rc *storedCookie, sess Session, expires int64) []byte {
	b := make([]byte, 8, 200)
	binary.BigEndian.PutUint64(b, uint64(expires))
	return rc.json.append(b, sess)
}

// decode returns the session in a value, or false when it is unreadable or
// expired at now (ms).
func decodeFileValue(v []byte, now int64) (Session, int64, bool) {
	if len(v) < 8 {
		return Session{}, 0, false
	}
	exp := int64(binary.BigEndian.Uint64(v))
	if exp != 0 && now >= exp {
		return Session{}, exp, false
	}
	sess, ok := parseStoredJSON(v[8:])
	return sess, exp, ok
}

func (s *FileStore) expiry(rc *storedCookie, now time.Time) (time.Time, int64) {
	if t := rc.cc.expiresAt(now); !t.IsZero() {
		return t, t.UnixMilli()
	}
	return time.Time{}, now.Add(s.ttl).UnixMilli()
}

// prepareFile creates the buckets, and the index and count of a file
// written before they existed.
func prepareFile(tx *bolt.Tx) error {
	sessions, err := tx.CreateBucketIfNotExists(sessionsBucket)
	if err != nil {
		return err
	}
	if tx.Bucket(expiryBucket) != nil && tx.Bucket(metaBucket) != nil {
		return nil
	}
	f := fileTx{sessions: sessions}
	if f.index, err = tx.CreateBucketIfNotExists(expiryBucket); err != nil {
		return err
	}
	if f.meta, err = tx.CreateBucketIfNotExists(metaBucket); err != nil {
		return err
	}
	n := 0
	err = sessions.ForEach(func(k, v []byte) error {
		n++
		return f.index.Put(indexKey(v, k), nil)
	})
	if err != nil {
		return err
	}
	return f.setCount(n)
}

// fileTx is the three buckets within one transaction; its methods keep the
// index and the count in step with the sessions.
type fileTx struct {
	sessions, index, meta *bolt.Bucket
}

func (s *FileStore) buckets(tx *bolt.Tx) fileTx {
	return fileTx{sessions: tx.Bucket(sessionsBucket), index: tx.Bucket(expiryBucket), meta: tx.Bucket(metaBucket)}
}

// indexKey is a value's expiry (its first 8 bytes) followed by the id.
func indexKey(v, id []byte) []byte {
	k := make([]byte, 8, 8+len(id))
	copy(k, v)
	return append(k, id...)
}

func (f fileTx) count() int {
	if b := f.meta.Get(countKey); len(b) == 8 {
		return int(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (f fileTx) setCount(n int) error {
	return f.meta.Put(countKey, binary.BigEndian.AppendUint64(nil, uint64(max(n, 0))))
}

// put stores v under id, replacing what was there.
func (f fileTx) put(id, v []byte) error {
	if old := f.sessions.Get(id); old != nil {
		if err := f.index.Delete(indexKey(old, id)); err != nil {
			return err
		}
	} else if err := f.setCount(f.count() + 1); err != nil {
		return err
	}
	if err := f.sessions.Put(id, v); err != nil {
		return err
	}
	return f.index.Put(indexKey(v, id), nil)
}

// del removes the session under id, if any.
func (f fileTx) del(id []byte) error {
	old := f.sessions.Get(id)
	if old == nil {
		return nil
	}
	if err := f.index.Delete(indexKey(old, id)); err != nil {
		return err
	}
	if err := f.sessions.Delete(id); err != nil {
		return err
	}
	return f.setCount(f.count() - 1)
}

// makeRoom is the cap, before a new session: it drops up to two expired
// sessions, then the least recently used ones while the file is full.
func (f fileTx) makeRoom(max int, now int64) error {
	c := f.index.Cursor()
	for range 2 {
		k, _ := c.First()
		if k == nil || int64(binary.BigEndian.Uint64(k)) > now {
			break
		}
		if err := f.del(append([]byte(nil), k[8:]...)); err != nil {
			return err
		}
	}
	for max > 0 && f.count() >= max {
		k, _ := c.First()
		if k == nil {
			return f.setCount(0) // the count was wrong
		}
		if err := f.del(append([]byte(nil), k[8:]...)); err != nil {
			return err
		}
	}
	return nil
}

// Create implements Store. A new session past MaxSessions evicts the least
// recently used one.
func (s *FileStore) Create(_ context.Context, id string, sess Session) error {
	rc := s.cc.Load()
	exp := sess.Expires.UnixMilli()
	if sess.Expires.IsZero() {
		sess.Expires, exp = s.expiry(rc, s.now())
	}
	v := s.encode(rc, sess, exp)
	if err := s.db.Batch(func(tx *bolt.Tx) error {
		f := s.buckets(tx)
		if f.sessions.Get([]byte(id)) == nil {
			if err := f.makeRoom(s.max, s.now().UnixMilli()); err != nil {
				return err
			}
		}
		return f.put([]byte(id), v)
	}); err != nil {
		return s.wrap("create", err)
	}
	return nil
}

// Visit implements Store; it returns once the increment is on disk.
func (s *FileStore) Visit(_ context.Context, id string) (Session, error) {
	rc := s.cc.Load()
	var out Session
	var found bool
	// A missing session is not an error inside the batch: an error would
	// roll back and rerun everyone else's visits.
	err := s.db.Batch(func(tx *bolt.Tx) error {
		f := s.buckets(tx)
		now := s.now()
		sess, _, ok := decodeFileValue(f.sessions.Get([]byte(id)), now.UnixMilli())
		if found = ok; !ok {
			return nil
		}
		sess.VisitCount++
		out = sess
		save := sess
		var exp int64
		save.Expires, exp = s.expiry(rc, now)
		return f.put([]byte(id), s.encode(rc, save, exp))
	})
	switch {
	case err != nil:
		return Session{}, s.wrap("visit", err)
	case !found:
		return Session{}, ErrNotFound
	}
	return out, nil
}

// Load implements Loader.
func (s *FileStore) Load(_ context.Context, id string) (Session, error) {
	var out Session
	err := s.db.View(func(tx *bolt.Tx) error {
		sess, _, ok := decodeFileValue(tx.Bucket(sessionsBucket).Get([]byte(id)), s.now().UnixMilli())
		if !ok {
			return ErrNotFound
		}
		out = sess
		return nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return Session{}, ErrNotFound
	case err != nil:
		return Session{}, s.wrap("load", err)
	}
	return out, nil
}

// Rename implements Renamer in one transaction.
func (s *FileStore) Rename(_ context.Context, oldID, newID string) (Session, error) {
	var out Session
	var found bool
	err := s.db.Batch(func(tx *bolt.Tx) error {
		f := s.buckets(tx)
		v := f.sessions.Get([]byte(oldID))
		sess, _, ok := decodeFileValue(v, s.now().UnixMilli())
		if found = ok; !ok {
			return nil
		}
		out = sess
		v = append([]byte(nil), v...) // v is only valid until the bucket changes
		if err := f.del([]byte(oldID)); err != nil {
			return err
		}
		return f.put([]byte(newID), v)
	})
	switch {
	case err != nil:
		return Session{}, s.wrap("rename", err)
	case !found:
		return Session{}, ErrNotFound
	}
	return out, nil
}

// Destroy implements Store.
func (s *FileStore) Destroy(_ context.Context, id string) error {
	if err := s.db.Batch(func(tx *bolt.Tx) error {
		return s.buckets(tx).del([]byte(id))
	}); err != nil {
		return s.wrap("destroy", err)
	}
	return nil
}

// Sweep implements Sweeper: it deletes every expired session in one
// transaction, walking the expiry index from its start.
func (s *FileStore) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		now := s.now().UnixMilli()
		f := s.buckets(tx)
		var expired [][]byte
		c := f.index.Cursor()
		for k, _ := c.First(); k != nil && int64(binary.BigEndian.Uint64(k)) <= now; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			expired = append(expired, append([]byte(nil), k[8:]...))
		}
		for _, id := range expired {
			if err := f.del(id); err != nil {
				return err
			}
		}
		n = len(expired)
		return nil
	})
	if err != nil {
		return 0, s.wrap("sweep", err)
	}
	return n, nil
}

// Len returns the number of sessions in the file, expired ones not yet
// swept included.
func (s *FileStore) Len() int {
	n := 0
	s.db.View(func(tx *bolt.Tx) error {
		n = s.buckets(tx).count()
		return nil
	})
	return n
}

// Close implements Store: it closes the file.
func (s *FileStore) Close() error { return s.db.Close() }
