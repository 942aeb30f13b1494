package cookie

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
)

// DefaultName returns "session", SessionMiddleware's session_cookie.
func (Starlette) DefaultName() string { return "session" }

// Sign makes what SessionMiddleware sets: the session as json.dumps writes
// it by default (ASCII, ", " and ": "), in padded standard base64, under
// itsdangerous' TimestampSigner keyed with secret_key. It has no options.
func (Starlette) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	if err := r.payloadObject("starlette"); err != nil {
		return nil, err
	}
	data := base64.StdEncoding.EncodeToString(pythonJSON(r.Payload))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(max(r.IssuedAt.Unix(), 1)))
	signed := data + "." + base64.RawURLEncoding.EncodeToString(bytes.TrimLeft(ts[:], "\x00"))
	sig := base64.RawURLEncoding.EncodeToString(hmacSum("sha1", starletteKey(secret), []byte(signed)))
	return []SignedCookie{{Name: r.Name, Value: signed + "." + sig}}, nil
}

// pythonJSON writes b as Python's json.dumps does by default: ASCII, with
// ", " between items and ": " after keys.
func pythonJSON(b []byte) []byte {
	b = asciiJSON(b)
	var out bytes.Buffer
	inStr, esc := false, false
	for _, c := range b {
		out.WriteByte(c)
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ',' || c == ':'):
			out.WriteByte(' ')
		}
	}
	return out.Bytes()
}
