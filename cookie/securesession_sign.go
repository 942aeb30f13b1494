package cookie

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"

	"golang.org/x/crypto/nacl/secretbox"
)

// DefaultName returns "session", the plugin's default cookieName.
func (SecureSession) DefaultName() string { return "session" }

// Sign boxes the payload as encodeSecureSession does, with "__ts" set to
// the issue time when the payload has none (or when --issued-at is
// given), and URL-encodes the value as @fastify/cookie sets it. The key is
// --enc-key (the key option, 32 bytes) or else --secret (the secret
// option, at least 32 bytes, through crypto_pwhash); option salt (16
// characters) replaces the plugin's default salt for --secret.
func (SecureSession) Sign(r SignRequest) ([]SignedCookie, error) {
	if err := r.payloadObject("secure-session"); err != nil {
		return nil, err
	}
	var key []byte
	switch {
	case len(r.Key.EncKey) > 0:
		if len(r.Key.EncKey) != 32 {
			return nil, &KeyError{Key: KeyEncKey, Err: fmt.Errorf("secure-session's key is 32 bytes, got %d", len(r.Key.EncKey))}
		}
		key = r.Key.EncKey
	case len(r.Key.Secret) > 0:
		if len(r.Key.Secret) < 32 {
			return nil, &KeyError{Key: KeySecret, Err: fmt.Errorf("secure-session's secret is at least 32 bytes, got %d", len(r.Key.Secret))}
		}
		salt, err := secureSessionSalt(r.opt("salt", ""))
		if err != nil {
			return nil, &OptionError{Format: "secure-session", Option: "salt", Value: r.opt("salt", ""), Want: []string{"16 characters"}}
		}
		key = secureSessionKey(r.Key.Secret, salt)
	default:
		return nil, &KeyError{Key: KeyEncKey, Err: fmt.Errorf("give --enc-key (the key option) or --secret (the secret option): %w", ErrNoSecret)}
	}
	payload, err := withTS(r)
	if err != nil {
		return nil, err
	}
	var nonce [24]byte
	if _, err := io.ReadFull(r.Rand, nonce[:]); err != nil {
		return nil, fmt.Errorf("secure-session: nonce: %w", err)
	}
	var k [32]byte
	copy(k[:], key)
	box := secretbox.Seal(nil, payload, &nonce, &k)
	v := base64.StdEncoding.EncodeToString(box) + ";" + base64.StdEncoding.EncodeToString(nonce[:])
	return []SignedCookie{{Name: r.Name, Value: url.QueryEscape(v)}}, nil
}

// withTS returns the payload, compact, with "__ts" (epoch seconds) set to
// the issue time unless it has one and no --issued-at was given.
func withTS(r SignRequest) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Payload, &m); err != nil {
		return nil, fmt.Errorf("secure-session: %w: %v", ErrPayload, err)
	}
	p := compactJSON(r.Payload)
	if _, ok := m["__ts"]; ok && !r.issuedAtGiven {
		return p, nil
	}
	ts := fmt.Sprintf(`"__ts":%d`, r.IssuedAt.Unix())
	if _, ok := m["__ts"]; ok {
		m["__ts"] = json.RawMessage(fmt.Sprint(r.IssuedAt.Unix()))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m); err != nil {
			return nil, err
		}
		return bytes.TrimSpace(buf.Bytes()), nil
	}
	if len(m) == 0 {
		return []byte("{" + ts + "}"), nil
	}
	return append(append([]byte("{"), ts+","...), p[1:]...), nil
}
