package cookie

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// CookieSession is the format of the npm cookie-session package: the
// session as base64 JSON in the cookie, and a companion cookie
// "<name>.sig" holding keygrip's signature of "<name>=<value>"
// (HMAC-SHA1 by default, base64url without padding).
type CookieSession struct{}

// Name returns "cookie-session".
func (CookieSession) Name() string { return "cookie-session" }

// base64JSON decodes a cookie-session style value: base64 (any alphabet,
// padded or not) of a JSON object.
func base64JSON(v string) (json.RawMessage, bool) {
	b, err := DecodeBase64(DecodeCookieValue(v))
	if err != nil {
		return nil, false
	}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || !json.Valid(b) {
		return nil, false
	}
	return json.RawMessage(b), true
}

// Match is 90 for base64 JSON with a .sig companion, 50 without one when
// the cookie is named "session", 30 otherwise.
func (CookieSession) Match(in Input) int {
	if _, ok := base64JSON(in.Value); !ok {
		return 0
	}
	switch {
	case in.HasSig:
		return 90
	case in.Name == "session":
		return 50
	}
	return 30
}

// Decode shows the JSON and checks the .sig companion with keygrip.
func (CookieSession) Decode(in Input, keys Keys) (*Decoded, error) {
	d, err := decodeKeygripSession(in, keys, "cookie-session")
	if err == nil {
		d.warn(WarnNoExpiry)
	}
	return d, err
}

func decodeKeygripSession(in Input, keys Keys, format string) (*Decoded, error) {
	payload, ok := base64JSON(in.Value)
	if !ok {
		return nil, fmt.Errorf("%s: %w: value is not base64 of a JSON object", format, ErrMalformed)
	}
	d := newDecoded(in, format)
	d.Payload = payload
	d.warn(WarnClientReadable)
	checkKeygrip(d, in, keys)
	return d, nil
}

// keygripAlg returns the hash and encoding a keygrip digest was made with,
// told by its length.
func keygripAlg(sig string) (alg string, isHex bool, raw []byte, ok bool) {
	if b, err := hex.DecodeString(sig); err == nil {
		switch len(b) {
		case 20:
			return "sha1", true, b, true
		case 32:
			return "sha256", true, b, true
		case 48:
			return "sha384", true, b, true
		case 64:
			return "sha512", true, b, true
		}
	}
	b, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return "", false, nil, false
	}
	switch len(b) {
	case 20:
		return "sha1", false, b, true
	case 32:
		return "sha256", false, b, true
	case 48:
		return "sha384", false, b, true
	case 64:
		return "sha512", false, b, true
	}
	return "", false, nil, false
}

// checkKeygrip sets d's verdict from in's .sig companion.
func checkKeygrip(d *Decoded, in Input, keys Keys) {
	if !in.HasSig && in.Name == "" {
		// A bare value: its signature, if any, is in a "<name>.sig"
		// cookie that did not come with it, and covers the name.
		d.Signature = Unverified
		d.warn(WarnNeedsName + " and its " + "<name>.sig cookie in the same input")
		return
	}
	if !in.HasSig {
		d.Signature = Unsigned
		d.opt("signed", "false")
		d.warn(WarnUnsigned)
		return
	}
	alg, isHex, _, ok := keygripAlg(in.Sig)
	if !ok {
		d.Signature = Invalid
		d.field("signature_cookie", "not a keygrip digest")
		return
	}
	enc := "base64url"
	if isHex {
		enc = "hex"
	}
	d.opt("digest", alg)
	d.opt("encoding", enc)
	d.field("algorithm", fmt.Sprintf("HMAC-%s (keygrip, %s) of \"%s=<value>\"", upperAlg(alg), enc, in.Name))
	switch {
	case in.Name == "":
		d.Signature = Unverified
		d.warn(WarnNeedsName)
	case len(keys.Secrets) == 0:
		d.Signature = Unverified
	default:
		kg, _ := NewKeygrip(alg, keys.Secrets...)
		if isHex {
			kg = kg.WithHex()
		}
		if i := kg.Index(in.Name+"="+in.Value, in.Sig); i >= 0 {
			d.Signature, d.SecretIndex = Valid, i
		} else {
			d.Signature = Invalid
		}
	}
}

func upperAlg(alg string) string {
	switch alg {
	case "sha1":
		return "SHA1"
	case "sha256":
		return "SHA256"
	case "sha384":
		return "SHA384"
	case "sha512":
		return "SHA512"
	}
	return alg
}

// Prepare returns a target that tries a secret as the keygrip key.
func (CookieSession) Prepare(in Input) (Target, error) { return prepareKeygrip(in) }

func prepareKeygrip(in Input) (Target, error) {
	if !in.HasSig || in.Name == "" {
		return nil, fmt.Errorf("%w: a keygrip signature needs NAME=VALUE and NAME.sig=SIG", ErrMalformed)
	}
	alg, _, raw, ok := keygripAlg(in.Sig)
	if !ok {
		return nil, fmt.Errorf("%w: %s.sig is not a keygrip digest", ErrMalformed, in.Name)
	}
	return newMacTarget(alg, []byte(in.Name+"="+in.Value), raw), nil
}
