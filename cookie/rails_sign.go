package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"time"
)

// DefaultName returns "_app_session", the cookie store's key for an app
// called App (Rails names it "_<app>_session").
func (Rails) DefaultName() string { return "_app_session" }

// Sign makes a Rails cookie-store value as ActionDispatch's cookie jars
// write it, Rack-escaped. Options:
//   - kind: gcm (encrypted, Rails >= 5.2, the default), cbc (encrypted
//     then signed, Rails 4.0-5.1) or signed (cookies.signed);
//   - key_derivation: sha256 (PBKDF2-HMAC-SHA256, Rails >= 7.0, the
//     default), sha1 (Rails < 7.0), or none for signed with Rails 3's
//     secret_token as the HMAC key;
//   - digest: the HMAC of cbc and signed values, sha1 (the default) or
//     sha256;
//   - envelope: data (Rails 7.1 metadata, the default), message (6.0-7.0)
//     or none (before 6.0);
//   - purpose: default "cookie.<name>";
//   - session_id: true (the default for gcm and cbc) adds a random
//     "session_id" to a session without one, as the CookieStore needs to
//     load it; false leaves the payload as it is.
//
// ExpiresAt goes into the envelope's exp.
func (Rails) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	kind, err := r.optOneOf("rails", "kind", "gcm", "gcm", "cbc", "signed")
	if err != nil {
		return nil, err
	}
	kdf, err := r.optOneOf("rails", "key_derivation", "sha256", "sha256", "sha1", "none")
	if err != nil {
		return nil, err
	}
	if kdf == "none" && kind != "signed" {
		return nil, &OptionError{Format: "rails", Option: "key_derivation", Value: kdf, Want: []string{"sha256", "sha1"}}
	}
	envelope, err := r.optOneOf("rails", "envelope", "data", "data", "message", "none")
	if err != nil {
		return nil, err
	}
	if _, err := r.optOneOf("rails", "serialization", "json", "json"); err != nil {
		return nil, err
	}
	addID, err := r.optBool("rails", "session_id", kind != "signed")
	if err != nil {
		return nil, err
	}
	session := compactJSON(r.Payload)
	if addID && session[0] == '{' {
		if session, err = railsSessionID(session, r.Rand); err != nil {
			return nil, err
		}
	}
	plain, err := railsWrap(session, envelope, r.opt("purpose", "cookie."+r.Name), r.ExpiresAt)
	if err != nil {
		return nil, err
	}
	di := 0
	if kdf == "sha1" {
		di = 1
	}
	var value string
	switch kind {
	case "gcm":
		value, err = railsSealGCM(railsKey(di, railsSalt, 32, secret), plain, r.Rand)
	case "cbc":
		value, err = railsSealCBC(di, secret, plain, r)
	default:
		key := secret
		if kdf != "none" {
			key = railsKey(di, railsSignedSalt, 64, secret)
		}
		value, err = railsVerifierGenerate(key, plain, r)
	}
	if err != nil {
		return nil, err
	}
	return []SignedCookie{{Name: r.Name, Value: url.QueryEscape(value)}}, nil
}

// railsSessionID adds a "session_id" of 32 random hex digits, as the
// cookie store's generate_sid makes, to a session object without one: the
// CookieStore loads no session from a cookie that lacks it.
func railsSessionID(session []byte, rnd io.Reader) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(session, &m); err != nil {
		return nil, fmt.Errorf("rails: %w: %v", ErrPayload, err)
	}
	if _, ok := m["session_id"]; ok {
		return session, nil
	}
	id := make([]byte, 16)
	if _, err := io.ReadFull(rnd, id); err != nil {
		return nil, fmt.Errorf("rails: session id: %w", err)
	}
	field := `"session_id":"` + hex.EncodeToString(id) + `"`
	if len(m) == 0 {
		return []byte("{" + field + "}"), nil
	}
	return append([]byte("{"+field+","), session[1:]...), nil
}

// railsWrap puts the serialized session into ActiveSupport's
// Messages::Metadata envelope.
func railsWrap(session []byte, envelope, purpose string, exp *time.Time) ([]byte, error) {
	var expiry any
	if exp != nil {
		// ActiveSupport writes expires_at.utc.iso8601(3).
		expiry = exp.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	switch envelope {
	case "none":
		return session, nil
	case "message":
		// 6.0-7.0: {"_rails":{"message":<base64>,"exp":<time or null>,"pur":...}}
		return json.Marshal(map[string]any{"_rails": struct {
			Message string `json:"message"`
			Exp     any    `json:"exp"`
			Pur     string `json:"pur"`
		}{base64.StdEncoding.EncodeToString(session), expiry, purpose}})
	}
	// 7.1: {"_rails":{"data":<session>,"exp":...,"pur":...}}, exp left out
	// when there is none.
	return json.Marshal(map[string]any{"_rails": struct {
		Data json.RawMessage `json:"data"`
		Exp  any             `json:"exp,omitempty"`
		Pur  string          `json:"pur,omitempty"`
	}{json.RawMessage(session), expiry, purpose}})
}

// railsSealGCM is MessageEncryptor#encrypt_and_sign with aes-256-gcm:
// "<ciphertext>--<iv>--<tag>", each strict base64.
func railsSealGCM(key, plain []byte, rnd io.Reader) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	gcm, _ := cipher.NewGCM(block)
	iv := make([]byte, gcm.NonceSize())
	if _, err := io.ReadFull(rnd, iv); err != nil {
		return "", fmt.Errorf("rails: IV: %w", err)
	}
	sealed := gcm.Seal(nil, iv, plain, nil)
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	b64 := base64.StdEncoding.EncodeToString
	return b64(ct) + "--" + b64(iv) + "--" + b64(tag), nil
}

// railsSealCBC is the MessageEncryptor of Rails 4.0-5.1: AES-256-CBC
// (PKCS#7) "<ciphertext>--<iv>" in base64, signed by a MessageVerifier
// keyed from "signed encrypted cookie".
func railsSealCBC(di int, secret, plain []byte, r SignRequest) (string, error) {
	block, err := aes.NewCipher(railsKey(di, railsCBCSalt, 32, secret))
	if err != nil {
		return "", err
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte(nil), plain...), make([]byte, n)...)
	for i := len(plain); i < len(padded); i++ {
		padded[i] = byte(n)
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(r.Rand, iv); err != nil {
		return "", fmt.Errorf("rails: IV: %w", err)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(padded, padded)
	b64 := base64.StdEncoding.EncodeToString
	return railsVerifierGenerate(railsKey(di, railsCBCSignSalt, 64, secret), []byte(b64(padded)+"--"+b64(iv)), r)
}

// railsVerifierGenerate is MessageVerifier#generate with the
// NullSerializer: "<base64 data>--<hex HMAC of the base64>".
func railsVerifierGenerate(key, msg []byte, r SignRequest) (string, error) {
	digest, err := r.optOneOf("rails", "digest", "sha1", "sha1", "sha256")
	if err != nil {
		return "", err
	}
	data := base64.StdEncoding.EncodeToString(msg)
	return data + "--" + hex.EncodeToString(hmacSum(digest, key, []byte(data))), nil
}

// markRailsSessionID sets option session_id=false on an encrypted cookie
// whose JSON object has no "session_id" (not a cookie-store session, or
// one made by hand), so that sign leaves it so.
func markRailsSessionID(d *Decoded) {
	raw, ok := d.Payload.(json.RawMessage)
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		if _, ok := m["session_id"]; !ok {
			d.opt("session_id", "false")
		}
	}
}
