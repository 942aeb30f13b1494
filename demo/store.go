package demo

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Session is the app state the reference example keeps per session: a random
// sid in [0, 10000) and the visit counter.
type Session struct {
	SID        int32
	VisitCount int64
	// User is who POST /login signed in; empty means nobody (and no "user"
	// key in the JSON).
	User string
	// Expires is the session cookie's expiry as the store held it before the
	// request (express-session's req.session.cookie.expires, shown in the
	// JSON when the handler has a MaxAge). Zero means none. Stores set a
	// visited session's new expiry themselves, from their cookie settings.
	Expires time.Time
}

// ErrNotFound is returned by a Store for a session id it does not hold (never
// created, destroyed, expired or evicted).
var ErrNotFound = errors.New("session not found")

// Store keeps sessions by id. Every method is safe for concurrent use, and
// Visit is atomic: N concurrent Visits of one session raise its counter by
// exactly N, also across processes sharing one store.
type Store interface {
	// Create stores s under id, replacing what was there.
	Create(ctx context.Context, id string, s Session) error
	// Visit increments the session's VisitCount, renews its expiry and
	// returns the session as it is after the increment (Expires as it was
	// before), or ErrNotFound.
	Visit(ctx context.Context, id string) (Session, error)
	// Destroy removes the session; destroying an unknown id is not an error.
	Destroy(ctx context.Context, id string) error
	// Close releases the store's resources.
	Close() error
}

// Loader is a Store that can read a session without changing it, which
// racy mode needs for its load-modify-save. Every store in this package is
// one.
type Loader interface {
	// Load returns the session held under id, or ErrNotFound.
	Load(ctx context.Context, id string) (Session, error)
}

// Renamer is a Store that can move a session to a new id atomically, which
// POST /regenerate needs. Every store in this package is one.
type Renamer interface {
	// Rename moves the session under oldID to newID and returns it, or
	// ErrNotFound.
	Rename(ctx context.Context, oldID, newID string) (Session, error)
}

// Pinger is a Store that can tell whether its backend is reachable, which
// /healthz reports.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Sweeper is a Store that drops expired sessions when asked; Server calls
// Sweep every SweepInterval.
type Sweeper interface {
	// Sweep removes expired sessions and returns how many it removed.
	Sweep(ctx context.Context) (int, error)
}

// cookieConfigurer is a Store that keeps sessions as express-session's JSON
// and so must know the cookie settings the handler renders; NewHandler tells
// it.
type cookieConfigurer interface {
	setCookieConfig(c cookieConfig)
}

// storedJSON is what the Redis and file stores share: sessions kept as
// express-session's JSON, whose cookie part follows the handler's cookie
// options, with a TTL for sessions whose cookie has no MaxAge and a clock.
type storedJSON struct {
	ttl time.Duration
	now func() time.Time
	cc  atomic.Pointer[storedCookie]
}

// storedCookie is a cookieConfig with its session JSON writer.
type storedCookie struct {
	cc   cookieConfig
	json sessionJSON
}

// init sets the TTL (DefaultTTL when not above 0), the clock (time.Now when
// nil) and the default cookie options.
func (j *storedJSON) init(ttl time.Duration, now func() time.Time) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	j.ttl, j.now = ttl, now
	j.setCookieConfig(cookieConfig{})
}

func (j *storedJSON) setCookieConfig(c cookieConfig) {
	j.cc.Store(&storedCookie{cc: c, json: newSessionJSON(c)})
}

// DefaultTTL is how long an unvisited session lives in the memory store and
// in Redis (connect-redis' default, one day) when the cookie has no MaxAge.
const DefaultTTL = 24 * time.Hour
