package demo

import (
	"context"
	"errors"
)

// Session is the app state the reference example keeps per session: a random
// sid in [0, 10000) and the visit counter.
type Session struct {
	SID        int32
	VisitCount int64
}

// ErrNotFound is returned by a Store for a session id it does not hold (never
// created, destroyed, expired or evicted).
var ErrNotFound = errors.New("session not found")

// Store keeps sessions by id. Every method is safe for concurrent use, and
// Visit is atomic: N concurrent Visits of one session raise its counter by
// exactly N.
type Store interface {
	// Create stores a new session under id.
	Create(ctx context.Context, id string, s Session) error
	// Visit increments the session's VisitCount and returns the session as
	// it is after the increment, or ErrNotFound.
	Visit(ctx context.Context, id string) (Session, error)
	// Destroy removes the session; destroying an unknown id is not an error.
	Destroy(ctx context.Context, id string) error
	// Close releases the store's resources.
	Close() error
}
