package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultName returns "session": iron-session has no default (cookieName
// is required) and hapi's cookie plugins name theirs; pass --name.
func (Iron) DefaultName() string { return "session" }

var ironPasswordID = regexp.MustCompile(`^\w+$`)

// Sign seals the payload as iron-session's sealData does by default: the
// password id "1" (a plain password is iron-session's map {1: password}),
// an expiration ttl after the issue time, and "~2" after the seal.
// Options: password_id (default "1"; "none" for a plain @hapi/iron
// password), suffix ("~2", or "none" for @hapi/iron), ttl (seconds,
// default 1209600, iron-session's 14 days; 0 writes no expiration, as
// @hapi/iron's default). The request's ExpiresAt, when set, is the
// expiration instead. The password (--secret) must have 32 characters or
// more, as iron requires.
func (Iron) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	if len(secret) < ironMinPassword {
		return nil, &KeyError{Key: KeySecret, Err: fmt.Errorf("iron needs a password of at least %d characters, got %d", ironMinPassword, len(secret))}
	}
	id := r.opt("password_id", "1")
	if id == "none" {
		id = ""
	} else if !ironPasswordID.MatchString(id) {
		return nil, &OptionError{Format: "iron", Option: "password_id", Value: id, Want: []string{"word characters [A-Za-z0-9_]", "none"}}
	}
	suffix, err := r.optOneOf("iron", "suffix", "~2", "~2", "none")
	if err != nil {
		return nil, err
	}
	if suffix == "none" {
		suffix = ""
	}
	ttl, err := strconv.ParseInt(r.opt("ttl", strconv.Itoa(int(ironSessionTTL/time.Second))), 10, 64)
	if err != nil || ttl < 0 {
		return nil, &OptionError{Format: "iron", Option: "ttl", Value: r.opt("ttl", ""), Want: []string{"seconds, 0 for none"}}
	}
	expiration := ""
	switch {
	case r.ExpiresAt != nil:
		expiration = strconv.FormatInt(r.ExpiresAt.UnixMilli(), 10)
	case ttl > 0:
		expiration = strconv.FormatInt(r.IssuedAt.UnixMilli()+ttl*1000, 10)
	}
	encSalt, err := ironSalt(r.Rand)
	if err != nil {
		return nil, err
	}
	macSalt, err := ironSalt(r.Rand)
	if err != nil {
		return nil, err
	}
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(r.Rand, iv); err != nil {
		return nil, fmt.Errorf("iron: iv: %w", err)
	}
	block, _ := aes.NewCipher(ironKey(secret, encSalt))
	plain := padPKCS7(compactJSON(r.Payload), aes.BlockSize)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(plain, plain)
	b64 := base64.RawURLEncoding.EncodeToString
	macBase := strings.Join([]string{ironPrefix, id, encSalt, b64(iv), b64(plain), expiration}, "*")
	mac := b64(hmacSum("sha256", ironKey(secret, macSalt), []byte(macBase)))
	return []SignedCookie{{Name: r.Name, Value: macBase + "*" + macSalt + "*" + mac + suffix}}, nil
}

// ironSalt is iron's random salt: 256 bits written in hex.
func ironSalt(rnd io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("iron: salt: %w", err)
	}
	return hex.EncodeToString(b), nil
}
