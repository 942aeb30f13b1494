package demo

import (
	"crypto/rand"
	"encoding/base64"
)

// newSessionID returns 24 random bytes as unpadded base64url: 32 characters
// and 192 bits, the shape of express-session's uid-safe ids.
func newSessionID() string {
	var b [24]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
