package cookie

import (
	"encoding/json"
	"fmt"
	"time"
)

// KoaSessionName is koa-session's default cookie name.
const KoaSessionName = "koa.sess"

// Koa is koa-session's cookie: base64 JSON of the session plus _expire
// (epoch ms) and _maxAge (ms), signed as cookie-session is (keygrip over
// "<name>=<value>" in the "<name>.sig" cookie).
type Koa struct{}

// Name returns "koa-session".
func (Koa) Name() string { return "koa-session" }

// Match is 96 for base64 JSON named koa.sess, 92 for base64 JSON with an
// _expire or _maxAge key.
func (Koa) Match(in Input) int {
	p, ok := base64JSON(in.Value)
	if !ok {
		return 0
	}
	if in.Name == KoaSessionName {
		return 96
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(p, &m) == nil {
		if _, ok := m["_expire"]; ok {
			return 92
		}
		if _, ok := m["_maxAge"]; ok {
			return 92
		}
	}
	return 0
}

// Decode shows the JSON, its _expire as the expiry time, and checks the
// .sig companion with keygrip.
func (Koa) Decode(in Input, keys Keys) (*Decoded, error) {
	d, err := decodeKeygripSession(in, keys, "koa-session")
	if err != nil {
		return nil, err
	}
	var m struct {
		Expire  *float64        `json:"_expire"`
		MaxAge  json.RawMessage `json:"_maxAge"`
		Session *bool           `json:"_session"`
	}
	if err := json.Unmarshal(d.Payload.(json.RawMessage), &m); err != nil {
		return nil, fmt.Errorf("koa-session: %w: %v", ErrMalformed, err)
	}
	if m.MaxAge != nil {
		d.field("_maxAge", string(m.MaxAge))
	}
	switch {
	case m.Expire != nil && unixTime(int64(*m.Expire/1000)) != nil:
		t := time.UnixMilli(int64(*m.Expire)).UTC()
		d.ExpiresAt = &t
	case m.Expire != nil:
		d.field("_expire", "out of range")
	case m.Session != nil && *m.Session:
		d.field("_session", "true (browser-session cookie)")
		d.warn(WarnNoExpiry)
	default:
		d.warn(WarnNoExpiry)
	}
	return d, nil
}

// Prepare returns a target that tries a secret as the keygrip key.
func (Koa) Prepare(in Input) (Target, error) { return prepareKeygrip(in) }
