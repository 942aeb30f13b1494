package demo

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessctl/sessctl/internal/redact"
)

// StoreURL is a parsed --store value: "memory", "file:PATH", or a Redis:
// "redis://HOST:PORT/DB" (rediss:// for TLS), a Redis Cluster
// "redis+cluster://HOST:PORT,HOST:PORT/" or masters behind Sentinel
// "redis+sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]" (rediss+... for TLS).
type StoreURL struct {
	// Scheme is "memory", "file" or "redis" (any Redis form).
	Scheme string
	// Raw is the value as given.
	Raw string
	// Path is the file store's path.
	Path string
	// redis is the Redis form's client options.
	redis redisTarget
}

// StoreURLForms lists the forms ParseStoreURL accepts, for help texts.
const StoreURLForms = "memory, redis://HOST:PORT/DB or file:PATH (also rediss:// for TLS, redis+cluster://HOST:PORT,HOST:PORT/ and redis+sentinel://HOST:PORT,HOST:PORT/MASTER)"

// String returns the URL with any password masked, for messages.
func (u StoreURL) String() string { return redact.URL(u.Raw) }

// ParseStoreURL reads a store URL; the error says what is wrong (with any
// password masked) and which forms are accepted.
func ParseStoreURL(raw string) (StoreURL, error) {
	u := StoreURL{Raw: raw}
	switch {
	case raw == "memory":
		u.Scheme = "memory"
	case strings.HasPrefix(raw, "file:"):
		u.Scheme, u.Path = "file", strings.TrimPrefix(raw, "file:")
		if u.Path == "" {
			return u, fmt.Errorf("store %q needs a path, as in file:sessions.db", raw)
		}
	case strings.HasPrefix(raw, "redis"):
		t, err := parseRedisURL(raw)
		if err != nil {
			return u, fmt.Errorf("redis url %q: %w", redact.URL(raw), err)
		}
		u.Scheme, u.redis = "redis", t
	default:
		return u, fmt.Errorf("store %q: want %s", redact.URL(raw), StoreURLForms)
	}
	return u, nil
}

// StoreOptions configure the store OpenStore opens.
type StoreOptions struct {
	// TTL is how long a session lives after its last visit when the cookie
	// has no MaxAge; 0 means DefaultTTL for Redis and the file, forever in
	// memory.
	TTL time.Duration
	// MaxSessions caps every store: past it, a new session evicts the least
	// recently used (exactly in memory and in the file, among a few sampled
	// in Redis); 0 means no cap (Redis: the TTL only).
	MaxSessions int
}

// OpenStore opens the store u names.
func OpenStore(u StoreURL, opts StoreOptions) (Store, error) {
	switch u.Scheme {
	case "memory":
		return NewMemoryStoreWith(MemoryStoreOptions{TTL: opts.TTL, MaxSessions: opts.MaxSessions}), nil
	case "file":
		return OpenFileStore(u.Path, FileStoreOptions{TTL: opts.TTL, MaxSessions: opts.MaxSessions})
	case "redis":
		return newRedisStore(u.redis, RedisStoreOptions{TTL: opts.TTL, MaxSessions: opts.MaxSessions}), nil
	}
	return nil, fmt.Errorf("store %q: want %s", u.String(), StoreURLForms)
}

// redisTarget is a Redis URL read into go-redis' options: one server, a
// cluster, or a master found through Sentinel.
type redisTarget struct {
	kind  string // "redis", "cluster", "sentinel"
	opts  redis.UniversalOptions
	label string // for messages: host:port, or the kind and its seed addresses
}

// parseRedisURL reads the four Redis forms. The cluster and sentinel forms
// list their seed addresses with commas and are handed to go-redis'
// ParseClusterURL and ParseFailoverURL (one address in the host, the others
// as addr= parameters), so go-redis' own query parameters work in all.
func parseRedisURL(raw string) (redisTarget, error) {
	t, err := parseRedisForms(raw)
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the URL, password and all
	}
	return t, err
}

func parseRedisForms(raw string) (redisTarget, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	base, kind, _ := strings.Cut(scheme, "+")
	if !ok || base != "redis" && base != "rediss" || kind != "" && kind != "cluster" && kind != "sentinel" {
		return redisTarget{}, fmt.Errorf("want redis://, rediss://, redis+cluster:// or redis+sentinel://")
	}
	if kind == "" {
		o, err := redis.ParseURL(raw)
		if err != nil {
			return redisTarget{}, err
		}
		return redisTarget{kind: "redis", label: o.Addr, opts: redis.UniversalOptions{
			Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
		}}, nil
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo, hosts := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hosts = authority[:i+1], authority[i+1:]
	}
	addrs := strings.Split(hosts, ",")
	for _, a := range addrs {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			return redisTarget{}, fmt.Errorf("address %q: want HOST:PORT", a)
		} else if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return redisTarget{}, fmt.Errorf("address %q: bad port", a)
		}
	}
	path, query, _ := strings.Cut(tail, "?")
	q := query
	for _, a := range addrs[1:] {
		if q != "" {
			q += "&"
		}
		q += "addr=" + a
	}
	t := redisTarget{kind: kind, label: kind + " " + hosts}
	switch kind {
	case "cluster":
		if path != "" && path != "/" {
			return redisTarget{}, fmt.Errorf("path %q: a cluster has no database number (want .../)", path)
		}
		o, err := redis.ParseClusterURL(base + "://" + userinfo + addrs[0] + "?" + q)
		if err != nil {
			return redisTarget{}, err
		}
		t.opts = redis.UniversalOptions{Addrs: o.Addrs, Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig}
	case "sentinel":
		master, db, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if master == "" {
			return redisTarget{}, fmt.Errorf("no master name: want redis+sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]")
		}
		if q != "" {
			q += "&"
		}
		o, err := redis.ParseFailoverURL(base + "://" + userinfo + addrs[0] + "/" + db + "?" + q + "master_name=" + master)
		if err != nil {
			return redisTarget{}, err
		}
		t.label = "sentinel " + master + "@" + hosts
		t.opts = redis.UniversalOptions{Addrs: o.SentinelAddrs, MasterName: o.MasterName, DB: o.DB,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword, TLSConfig: o.TLSConfig}
	}
	return t, nil
}
