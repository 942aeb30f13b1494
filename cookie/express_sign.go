package cookie

import (
	"fmt"
	"strings"
)

// DefaultName returns "connect.sid", express-session's cookie name.
func (Express) DefaultName() string { return ExpressSessionName }

// Sign makes what express-session and cookie-parser set: a string payload
// as "s:" + cookie-signature's sign(value, secret), any other JSON as
// cookie-parser's signed JSON cookie "s:j:<json>"; with option
// signed=false, cookie-parser's unsigned JSON cookie "j:<json>". The value
// is URL-encoded as the npm cookie module's encodeURIComponent does.
func (Express) Sign(r SignRequest) ([]SignedCookie, error) {
	signed, err := r.optBool("express", "signed", true)
	if err != nil {
		return nil, err
	}
	value, isString := r.payloadString()
	if !isString {
		value = "j:" + string(compactJSON(r.Payload))
	}
	if !signed {
		if isString {
			return nil, fmt.Errorf("express: %w: an unsigned cookie-parser value must be JSON (j:), not a string", ErrPayload)
		}
		return []SignedCookie{{Name: r.Name, Value: EncodeURIComponent(value)}}, nil
	}
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	if isString && strings.HasPrefix(value, "j:") {
		return nil, fmt.Errorf("express: %w: a string starting with \"j:\" reads back as JSON", ErrPayload)
	}
	s, _ := NewExpressSigner(secret)
	return []SignedCookie{{Name: r.Name, Value: EncodeURIComponent("s:" + s.Sign(value))}}, nil
}
