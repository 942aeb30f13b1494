package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessctl/sessctl/internal/redact"
)

// RedisStoreOptions configure a RedisStore.
type RedisStoreOptions struct {
	// Prefix goes before the session id in keys; empty means "sess:",
	// connect-redis' default.
	Prefix string
	// TTL is the key's expiry (EX) when the cookie has no MaxAge, renewed
	// on every visit; 0 means DefaultTTL (86,400 s, connect-redis'
	// default). With a MaxAge the TTL is the cookie's, as connect-redis
	// derives it.
	TTL time.Duration
	// MaxSessions, when above 0, caps the sessions by count as well: past
	// it, creating a session drops the least recently used of ten sampled
	// at random, as Redis' own maxmemory eviction samples; the least
	// recently used is the one expiring first (PTTL, to the millisecond),
	// since every visit renews the TTL to one lifetime. The count is the database's key count (DBSIZE): give
	// the sessions a database of their own. On a cluster each master holds
	// its share of the cap.
	MaxSessions int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// RedisStore keeps sessions in Redis in connect-redis' layout: the JSON
// express-session stores (res.send(req.session)'s bytes) under
// "sess:<id>", SET with EX ttl, so an Express app with express-session and
// connect-redis on the same Redis and secret shares the sessions. Visits
// are one Lua script (GET, increment visitCount in place, SET ... EX), so
// they are atomic across every process sharing the Redis.
type RedisStore struct {
	client  redis.UniversalClient
	cluster *redis.ClusterClient // the same client, on a Redis Cluster; nil otherwise
	addr    string
	max     int
	prefix  string
	storedJSON
}

// visitScript increments visitCount inside the stored JSON without
// re-encoding it (cjson would reorder the keys), renews cookie.expires when
// ARGV[2] is not empty and the key's TTL (ARGV[1] seconds), and returns the
// JSON as it was before, or false when the key is missing or holds no
// visitCount.
var visitScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
local head, n, tail = string.match(v, '^(.*"visitCount":)(%d+)(.*)$')
if not n then return false end
local nv = head .. string.format('%d', tonumber(n) + 1) .. tail
if ARGV[2] ~= '' then
  nv = string.gsub(nv, '"expires":"[^"]*"', '"expires":"' .. ARGV[2] .. '"', 1)
end
redis.call('SET', KEYS[1], nv, 'EX', ARGV[1])
return v
`)

// renameScript moves a session to a new key, keeping its TTL.
var renameScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RENAME', KEYS[1], KEYS[2])
return redis.call('GET', KEYS[2])
`)

// quietRedis silences go-redis' own logger (it prints to stderr): the
// handler reports outages itself, once per outage.
var quietRedis sync.Once

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

// NewRedisStore returns a store on the Redis that rawURL names: one server
// (redis://HOST:PORT/DB, as go-redis' ParseURL reads it), a Redis Cluster
// (redis+cluster://HOST:PORT,HOST:PORT/) or the master Sentinel names
// (redis+sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]); rediss for TLS. It
// does not connect: a Redis that is down now makes requests fail (503)
// until it is up.
func NewRedisStore(rawURL string, opts RedisStoreOptions) (*RedisStore, error) {
	t, err := parseRedisURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis url %q: %w", redact.URL(rawURL), err)
	}
	return newRedisStore(t, opts), nil
}

func newRedisStore(t redisTarget, opts RedisStoreOptions) *RedisStore {
	o := t.opts
	// Fail fast while Redis is down: a request gets its 503 within about
	// a second instead of hanging, and a restarted Redis is picked up on
	// the next request.
	o.DialTimeout = 500 * time.Millisecond
	o.ReadTimeout = time.Second
	o.WriteTimeout = time.Second
	o.MaxRetries = 2
	o.MinRetryBackoff = 8 * time.Millisecond
	o.MaxRetryBackoff = 64 * time.Millisecond
	o.DialerRetries = 1
	o.DialerRetryTimeout = 10 * time.Millisecond
	o.DisableIdentity = true
	quietRedis.Do(func() { redis.SetLogger(discardLogger{}) })
	s := &RedisStore{addr: t.label, prefix: opts.Prefix, max: max(opts.MaxSessions, 0)}
	switch t.kind {
	case "cluster":
		c := redis.NewClusterClient(o.Cluster())
		s.client, s.cluster = c, c
	case "sentinel":
		s.client = redis.NewFailoverClient(o.Failover())
	default:
		s.client = redis.NewClient(o.Simple())
	}
	if s.prefix == "" {
		s.prefix = "sess:"
	}
	s.init(opts.TTL, opts.Now)
	return s
}

// Addr returns the Redis address, host:port (for a cluster or Sentinel, the
// kind and the seed addresses).
func (s *RedisStore) Addr() string { return s.addr }

func (s *RedisStore) wrap(op string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("redis %s at %s: %w", op, s.addr, err)
}

// ttlSeconds is connect-redis' TTL: ceil((expires - now) / 1 s), or the
// store's TTL when the session has no expiry.
func ttlSeconds(expires, now time.Time, ttl time.Duration) int64 {
	if expires.IsZero() {
		return int64(math.Ceil(ttl.Seconds()))
	}
	return int64(math.Ceil(expires.Sub(now).Seconds()))
}

// Create implements Store: SET sess:<id> <json> EX <ttl>.
func (s *RedisStore) Create(ctx context.Context, id string, sess Session) error {
	rc := s.cc.Load()
	now := s.now()
	if sess.Expires.IsZero() {
		sess.Expires = rc.cc.expiresAt(now)
	}
	ttl := ttlSeconds(sess.Expires, now, s.ttl)
	if ttl <= 0 {
		// connect-redis destroys a session whose cookie has expired
		return s.Destroy(ctx, id)
	}
	if s.max > 0 {
		if err := s.makeRoom(ctx, s.prefix+id); err != nil {
			return s.wrap("evict", err)
		}
	}
	val := rc.json.append(make([]byte, 0, 192), sess)
	if err := s.client.Set(ctx, s.prefix+id, val, time.Duration(ttl)*time.Second).Err(); err != nil {
		return s.wrap("set", err)
	}
	return nil
}

// evictSamples is how many keys makeRoom samples per eviction (Redis'
// maxmemory-samples is 5; 10 is its "close to true LRU").
const evictSamples = 10

// makeRoom is the count cap, before key is created: while the node that
// will hold key is at its share of MaxSessions, it deletes the idlest of a
// few random session keys: the one expiring first. A key that exists already is a save, not a new
// session.
func (s *RedisStore) makeRoom(ctx context.Context, key string) error {
	var node redis.Cmdable = s.client
	limit := s.max
	if s.cluster != nil {
		m, err := s.cluster.MasterForKey(ctx, key)
		if err != nil {
			return err
		}
		masters := 0
		s.cluster.ForEachMaster(ctx, func(context.Context, *redis.Client) error { masters++; return nil })
		node, limit = m, (s.max+max(masters, 1)-1)/max(masters, 1)
	}
	if n, err := node.Exists(ctx, key).Result(); err != nil || n > 0 {
		return err
	}
	for range 3 { // bounded: concurrent creates may each take a turn
		n, err := node.DBSize(ctx).Result()
		if err != nil || n < int64(limit) {
			return err
		}
		var victim string
		var soonest time.Duration
		for range evictSamples {
			k, err := node.RandomKey(ctx).Result()
			if err != nil || !strings.HasPrefix(k, s.prefix) || k == key {
				continue
			}
			if ttl, err := node.PTTL(ctx, k).Result(); err == nil && ttl > 0 && (victim == "" || ttl < soonest) {
				victim, soonest = k, ttl
			}
		}
		if victim == "" {
			return nil
		}
		if err := node.Del(ctx, victim).Err(); err != nil {
			return err
		}
	}
	return nil
}

// Visit implements Store with one Lua script.
func (s *RedisStore) Visit(ctx context.Context, id string) (Session, error) {
	rc := s.cc.Load()
	now := s.now()
	var expires string
	exp := rc.cc.expiresAt(now)
	if !exp.IsZero() {
		expires = exp.Format(isoMillis)
	}
	ttl := ttlSeconds(exp, now, s.ttl)
	v, err := visitScript.Run(ctx, s.client, []string{s.prefix + id}, ttl, expires).Text()
	sess, err := s.session("visit", []byte(v), err)
	if err != nil {
		return sess, err
	}
	sess.VisitCount++
	return sess, nil
}

// session reads a reply that holds a stored session: redis.Nil and an
// unreadable session are ErrNotFound.
func (s *RedisStore) session(op string, v []byte, err error) (Session, error) {
	switch {
	case errors.Is(err, redis.Nil):
		return Session{}, ErrNotFound
	case err != nil:
		return Session{}, s.wrap(op, err)
	}
	sess, ok := parseStoredJSON(v)
	if !ok {
		return Session{}, ErrNotFound
	}
	return sess, nil
}

// Load implements Loader: GET and parse.
func (s *RedisStore) Load(ctx context.Context, id string) (Session, error) {
	v, err := s.client.Get(ctx, s.prefix+id).Bytes()
	return s.session("get", v, err)
}

// Rename implements Renamer with RENAME, which keeps the TTL. On a Redis
// Cluster the two keys are in different slots, where RENAME is refused:
// there the value is copied with its TTL and the old key deleted, so a visit
// of the old id in between still finds it.
func (s *RedisStore) Rename(ctx context.Context, oldID, newID string) (Session, error) {
	if s.cluster != nil {
		return s.copyRename(ctx, s.prefix+oldID, s.prefix+newID)
	}
	v, err := renameScript.Run(ctx, s.client, []string{s.prefix + oldID, s.prefix + newID}).Text()
	return s.session("rename", []byte(v), err)
}

func (s *RedisStore) copyRename(ctx context.Context, from, to string) (Session, error) {
	v, err := s.client.Get(ctx, from).Bytes()
	sess, err := s.session("rename", v, err)
	if err != nil {
		return sess, err
	}
	ttl, err := s.client.PTTL(ctx, from).Result()
	if err != nil {
		return Session{}, s.wrap("rename", err)
	}
	if ttl <= 0 {
		return Session{}, ErrNotFound // expired meanwhile
	}
	if err := s.client.Set(ctx, to, v, ttl).Err(); err != nil {
		return Session{}, s.wrap("rename", err)
	}
	if err := s.client.Del(ctx, from).Err(); err != nil {
		return Session{}, s.wrap("rename", err)
	}
	return sess, nil
}

// Destroy implements Store: DEL sess:<id>.
func (s *RedisStore) Destroy(ctx context.Context, id string) error {
	if err := s.client.Del(ctx, s.prefix+id).Err(); err != nil {
		return s.wrap("del", err)
	}
	return nil
}

// Ping implements Pinger.
func (s *RedisStore) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return s.wrap("ping", err)
	}
	return nil
}

// Close implements Store: it closes the connections, not the sessions.
func (s *RedisStore) Close() error { return s.client.Close() }
