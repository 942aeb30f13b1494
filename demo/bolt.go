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
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// FileStore keeps sessions in a bbolt file, so they survive a restart. Every
// change is committed (fsync) before the method returns, and so before the
// handler answers: a kill -9 loses no visit a client saw acknowledged.
// Concurrent visits are grouped into one transaction (bbolt's Batch) to
// share the fsync. A value is the expiry (8 bytes, unix ms, big endian)
// followed by express-session's JSON of the session.
type FileStore struct {
	db   *bolt.DB
	path string
	storedJSON
}

var sessionsBucket = []byte("sessions")

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
	s := &FileStore{db: db, path: path}
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
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(sessionsBucket)
		return err
	}); err != nil {
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

// Create implements Store.
func (s *FileStore) Create(_ context.Context, id string, sess Session) error {
	rc := s.cc.Load()
	exp := sess.Expires.UnixMilli()
	if sess.Expires.IsZero() {
		sess.Expires, exp = s.expiry(rc, s.now())
	}
	v := s.encode(rc, sess, exp)
	if err := s.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(sessionsBucket).Put([]byte(id), v)
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
		b := tx.Bucket(sessionsBucket)
		now := s.now()
		sess, _, ok := decodeFileValue(b.Get([]byte(id)), now.UnixMilli())
		if found = ok; !ok {
			return nil
		}
		sess.VisitCount++
		out = sess
		save := sess
		var exp int64
		save.Expires, exp = s.expiry(rc, now)
		return b.Put([]byte(id), s.encode(rc, save, exp))
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
		b := tx.Bucket(sessionsBucket)
		v := b.Get([]byte(oldID))
		sess, _, ok := decodeFileValue(v, s.now().UnixMilli())
		if found = ok; !ok {
			return nil
		}
		out = sess
		v = append([]byte(nil), v...) // v is only valid until the bucket changes
		if err := b.Delete([]byte(oldID)); err != nil {
			return err
		}
		return b.Put([]byte(newID), v)
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
		return tx.Bucket(sessionsBucket).Delete([]byte(id))
	}); err != nil {
		return s.wrap("destroy", err)
	}
	return nil
}

// Sweep implements Sweeper: it deletes every expired session in one
// transaction.
func (s *FileStore) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		now := s.now().UnixMilli()
		b := tx.Bucket(sessionsBucket)
		var expired [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(v) >= 8 {
				if exp := int64(binary.BigEndian.Uint64(v)); exp != 0 && now >= exp {
					expired = append(expired, append([]byte(nil), k...))
				}
			}
		}
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
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
		n = tx.Bucket(sessionsBucket).Stats().KeyN
		return nil
	})
	return n
}

// Close implements Store: it closes the file.
func (s *FileStore) Close() error { return s.db.Close() }
