package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// StoreURL is a parsed --store value: "memory", "redis://HOST:PORT/DB"
// (rediss:// for TLS) or "file:PATH".
type StoreURL struct {
	// Scheme is "memory", "redis" or "file".
	Scheme string
	// Raw is the value as given.
	Raw string
	// Path is the file store's path.
	Path string
}

// StoreURLForms lists the forms ParseStoreURL accepts, for help texts.
const StoreURLForms = "memory, redis://HOST:PORT/DB or file:PATH (rediss:// for Redis over TLS)"

// ParseStoreURL reads a store URL; the error says what is wrong and which
// forms are accepted.
func ParseStoreURL(raw string) (StoreURL, error) {
	u := StoreURL{Raw: raw}
	switch {
	case raw == "memory":
		u.Scheme = "memory"
	case strings.HasPrefix(raw, "redis://"), strings.HasPrefix(raw, "rediss://"):
		if _, err := redis.ParseURL(raw); err != nil {
			return u, fmt.Errorf("redis url %q: %w", raw, err)
		}
		u.Scheme = "redis"
	case strings.HasPrefix(raw, "file:"):
		u.Scheme, u.Path = "file", strings.TrimPrefix(raw, "file:")
		if u.Path == "" {
			return u, fmt.Errorf("store %q needs a path, as in file:sessions.db", raw)
		}
	default:
		return u, fmt.Errorf("store %q: want %s", raw, StoreURLForms)
	}
	return u, nil
}

// StoreOptions configure the store OpenStore opens.
type StoreOptions struct {
	// TTL is how long a session lives after its last visit when the cookie
	// has no MaxAge; 0 means DefaultTTL for Redis and the file, forever in
	// memory.
	TTL time.Duration
	// MaxSessions caps the memory store (see MemoryStoreOptions); 0 means
	// no cap.
	MaxSessions int
}

// OpenStore opens the store u names.
func OpenStore(u StoreURL, opts StoreOptions) (Store, error) {
	switch u.Scheme {
	case "memory":
		return NewMemoryStoreWith(MemoryStoreOptions{TTL: opts.TTL, MaxSessions: opts.MaxSessions}), nil
	case "file":
		return OpenFileStore(u.Path, FileStoreOptions{TTL: opts.TTL})
	case "redis":
		return NewRedisStore(u.Raw, RedisStoreOptions{TTL: opts.TTL})
	}
	return nil, fmt.Errorf("store %q: want %s", u.Raw, StoreURLForms)
}
