package cookie

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// TestDecryptFailedNamesTheKey: a MAC that verifies with a key that does
// not decrypt the value is said, with the key to check, and counts as a
// failed check.
func TestDecryptFailedNamesTheKey(t *testing.T) {
	// Laravel: a MAC made with a key that is no AES key (the cipher
	// setting does not match it).
	key := []byte("twenty-byte-app-key!")
	iv := base64.StdEncoding.EncodeToString(make([]byte, 16))
	value := base64.StdEncoding.EncodeToString(make([]byte, 32))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(iv + value))
	env, _ := json.Marshal(map[string]string{"iv": iv, "value": value, "mac": hex.EncodeToString(m.Sum(nil)), "tag": ""})
	laravel := Input{Name: "laravel_session", Value: base64.StdEncoding.EncodeToString(env)}

	// Rails 4.0-5.1: the HMAC key from the default salt, the ciphertext
	// from another encryption salt.
	secret := []byte(strings.Repeat("ab", 32))
	ct, civ := make([]byte, 32), make([]byte, 16)
	msg := base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString(ct) + "--" + base64.StdEncoding.EncodeToString(civ)))
	rm := hmac.New(sha256.New, railsKey(1, railsCBCSignSalt, 64, secret))
	rm.Write([]byte(msg))
	rails := Input{Name: "_app_session", Value: msg + "--" + hex.EncodeToString(rm.Sum(nil))}

	for _, tt := range []struct {
		in     Input
		secret []byte
		hint   string
	}{
		{laravel, key, "check the cipher"},
		{rails, secret, "encrypted_cookie_salt"},
	} {
		d, err := Decode(tt.in, Keys{Secrets: [][]byte{tt.secret}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Signature != Valid || d.Payload != nil || !hasWarning(d, WarnDecryptFailed) || !strings.Contains(strings.Join(d.Warnings, "|"), tt.hint) {
			t.Errorf("%s: %s, payload %v, warnings %q", d.Format, d.Signature, d.Payload, d.Warnings)
		}
		b, err := DecodeAll(context.Background(), []Input{tt.in}, BatchOptions{Keys: Keys{Secrets: [][]byte{tt.secret}}})
		if err != nil {
			t.Fatal(err)
		}
		if o, msg := b.Outcome(); o != BatchCheckFailed || msg != "1 of 1 values did not decrypt with the given keys" {
			t.Errorf("%s: outcome %d %q", d.Format, o, msg)
		}
	}
}
