package cookie

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	jose "github.com/go-jose/go-jose/v4"
)

// DefaultName returns "authjs.session-token", Auth.js's session cookie
// over HTTP ("__Secure-authjs.session-token" over HTTPS: pass --name).
func (AuthJS) DefaultName() string { return authJSCookie }

// Sign encrypts the payload as @auth/core's jwt.encode does: alg "dir",
// enc A256CBC-HS512 (option enc=A256GCM for the other content encryption
// Auth.js reads), kid the key's thumbprint, the key HKDF-derived from
// --secret with the cookie name as salt (option salt overrides it). The
// claims are the payload with iat (the issue time, over the payload's own
// only with --issued-at), exp (kept, else the request's expiry, else 30
// days after iat) and jti (kept, else a random UUID).
func (AuthJS) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	if err := r.payloadObject("authjs"); err != nil {
		return nil, err
	}
	enc, err := r.optOneOf("authjs", "enc", "A256CBC-HS512", "A256CBC-HS512", "A256GCM")
	if err != nil {
		return nil, err
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(r.Payload, &claims); err != nil {
		return nil, fmt.Errorf("authjs: %w: %v", ErrPayload, err)
	}
	iat := r.IssuedAt.Unix()
	if _, ok := claims["iat"]; !ok || r.issuedAtGiven {
		claims["iat"] = json.RawMessage(fmt.Sprint(iat))
	}
	if _, ok := claims["exp"]; !ok {
		exp := iat + authJSMaxAge
		if r.ExpiresAt != nil {
			exp = r.ExpiresAt.Unix()
		}
		claims["exp"] = json.RawMessage(fmt.Sprint(exp))
	}
	if _, ok := claims["jti"]; !ok {
		u := make([]byte, 16)
		if _, err := io.ReadFull(r.Rand, u); err != nil {
			return nil, fmt.Errorf("authjs: jti: %w", err)
		}
		u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
		h := hex.EncodeToString(u)
		claims["jti"], _ = json.Marshal(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
	}
	plain, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("authjs: %w: %v", ErrPayload, err)
	}
	key := authJSKey(enc, secret, r.opt("salt", r.Name))
	e, err := jose.NewEncrypter(jose.ContentEncryption(enc), jose.Recipient{Algorithm: jose.DIRECT, Key: key, KeyID: authJSThumbprint(key)}, nil)
	if err != nil {
		return nil, fmt.Errorf("authjs: %w", err)
	}
	obj, err := e.Encrypt(plain)
	if err != nil {
		return nil, fmt.Errorf("authjs: %w", err)
	}
	v, err := obj.CompactSerialize()
	if err != nil {
		return nil, fmt.Errorf("authjs: %w", err)
	}
	return []SignedCookie{{Name: r.Name, Value: v}}, nil
}
