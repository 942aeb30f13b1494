package cookie

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Express is the format of express-session ids and cookie-parser signed
// values: "s:" + value + "." + base64(HMAC-SHA256(secret, value)) without
// padding, usually URL-encoded; a value "j:<json>" is cookie-parser's JSON
// cookie, signed or not.
type Express struct{}

// Name returns "express".
func (Express) Name() string { return "express" }

// splitExpress returns the signed value and signature of an "s:" value
// (already URL-decoded).
func splitExpress(v string) (value, sig string, ok bool) {
	rest, ok := strings.CutPrefix(v, "s:")
	if !ok {
		return "", "", false
	}
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 {
		return "", "", false
	}
	return rest[:dot], rest[dot+1:], true
}

func isExpressSig(sig string) bool {
	if len(sig) != sigLen {
		return false
	}
	_, err := base64.RawStdEncoding.DecodeString(sig)
	return err == nil
}

// Match is 95 for "s:<value>.<43-char signature>", 40 for another "s:"
// value with a dot, 85 for an unsigned "j:<json>".
func (Express) Match(in Input) int {
	v := DecodeCookieValue(in.Value)
	if value, sig, ok := splitExpress(v); ok {
		if isExpressSig(sig) {
			return 95
		}
		if value != "" {
			return 40
		}
		return 0
	}
	if j, ok := strings.CutPrefix(v, "j:"); ok && json.Valid([]byte(j)) {
		return 85
	}
	return 0
}

// Decode URL-decodes in.Value when it holds a "%", checks the signature
// with every secret (rotation: any verifies) and shows the session id or
// the cookie-parser value.
func (Express) Decode(in Input, keys Keys) (*Decoded, error) {
	d := newDecoded(in, "express")
	v := DecodeCookieValue(in.Value)
	if v != in.Value {
		d.field("url_encoded", "yes")
	}
	value, sig, signed := splitExpress(v)
	if !signed {
		j, ok := strings.CutPrefix(v, "j:")
		if !ok || !json.Valid([]byte(j)) {
			return nil, fmt.Errorf("express: %w: no \"s:\" prefix and no \"j:\" JSON", ErrMalformed)
		}
		d.Signature = Unsigned
		d.opt("signed", "false")
		d.Payload = json.RawMessage(j)
		d.field("kind", "cookie-parser JSON cookie (j:)")
		d.warn(WarnUnsigned)
		d.warn(WarnClientReadable)
		return d, nil
	}
	if !isExpressSig(sig) {
		return nil, fmt.Errorf("express: %w: signature %q is not 43 base64 characters", ErrMalformed, sig)
	}
	d.field("algorithm", "HMAC-SHA256 (cookie-signature)")
	switch {
	case len(keys.Secrets) == 0:
		d.Signature = Unverified
	default:
		s, _ := NewExpressSigner(keys.Secrets...)
		if _, i, ok := s.Unsign(v[2:]); ok {
			d.Signature, d.SecretIndex = Valid, i
		} else {
			d.Signature = Invalid
		}
	}
	if j, ok := strings.CutPrefix(value, "j:"); ok && json.Valid([]byte(j)) {
		d.field("kind", "cookie-parser signed JSON cookie (s:j:)")
		d.Payload = json.RawMessage(j)
		d.warn(WarnClientReadable)
		return d, nil
	}
	d.Payload = value
	if in.Name == ExpressSessionName || in.Name == "" && isUIDSafe(value) {
		d.field("kind", "express-session id (the session data is on the server)")
	} else {
		d.field("kind", "cookie-parser signed value")
		d.warn(WarnClientReadable)
	}
	return d, nil
}

// isUIDSafe reports whether id looks like uid-safe's uid(24), express-session's
// default id: 32 base64url characters.
func isUIDSafe(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// Prepare returns a target that tries a secret as the HMAC-SHA256 key of
// the signed value.
func (Express) Prepare(in Input) (Target, error) {
	value, sig, ok := splitExpress(DecodeCookieValue(in.Value))
	if !ok || !isExpressSig(sig) {
		return nil, fmt.Errorf("express: %w: not a signed value", ErrMalformed)
	}
	want, _ := base64.RawStdEncoding.DecodeString(sig)
	return newMacTarget("sha256", []byte(value), want), nil
}
