package cookie

import "encoding/base64"

// DefaultName returns "session", cookie-session's cookie name.
func (CookieSession) DefaultName() string { return "session" }

// Sign makes cookie-session's pair: the session as base64 JSON, and
// "<name>.sig" holding keygrip's digest of "<name>=<value>".
func (CookieSession) Sign(r SignRequest) ([]SignedCookie, error) {
	return signKeygripSession(r, "cookie-session")
}

// DefaultName returns "koa.sess", koa-session's cookie name.
func (Koa) DefaultName() string { return KoaSessionName }

// Sign makes koa-session's pair, as cookie-session's: the payload carries
// koa's own _expire and _maxAge keys when it has them (decode shows them).
func (Koa) Sign(r SignRequest) ([]SignedCookie, error) { return signKeygripSession(r, "koa-session") }

// signKeygripSession encodes the session as both packages do
// (Buffer.from(JSON.stringify(session)).toString("base64")) and signs it
// with keygrip: option digest (sha1, the default, sha256, sha384, sha512),
// encoding (base64url, keygrip's, or hex) and signed=false for an
// unsigned cookie (signed: false in the middleware's options).
func signKeygripSession(r SignRequest, format string) ([]SignedCookie, error) {
	if err := r.payloadObject(format); err != nil {
		return nil, err
	}
	digest, err := r.optOneOf(format, "digest", "sha1", "sha1", "sha256", "sha384", "sha512")
	if err != nil {
		return nil, err
	}
	enc, err := r.optOneOf(format, "encoding", "base64url", "base64url", "hex")
	if err != nil {
		return nil, err
	}
	signed, err := r.optBool(format, "signed", true)
	if err != nil {
		return nil, err
	}
	value := base64.StdEncoding.EncodeToString(compactJSON(r.Payload))
	out := []SignedCookie{{Name: r.Name, Value: value}}
	if !signed {
		return out, nil
	}
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	kg, _ := NewKeygrip(digest, secret)
	if enc == "hex" {
		kg = kg.WithHex()
	}
	return append(out, SignedCookie{Name: r.Name + ".sig", Value: kg.Sign(r.Name + "=" + value)}), nil
}
