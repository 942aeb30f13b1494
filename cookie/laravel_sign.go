package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// DefaultName returns "laravel_session", Laravel's session cookie for an
// app called Laravel.
func (Laravel) DefaultName() string { return "laravel_session" }

// laravelCiphers are Laravel's supported ciphers and their key sizes.
var laravelCiphers = map[string]int{"AES-128-CBC": 16, "AES-256-CBC": 32, "AES-128-GCM": 16, "AES-256-GCM": 32}

// Sign makes what Laravel's EncryptCookies middleware sets: the cookie-name
// prefix hex(HMAC-SHA1(key, name + "v2")) + "|" (option prefix=false
// leaves it out, as before Laravel 5.6), then the value (a string payload
// as is, other JSON as its text), PHP-serialized when option serialized is
// true, encrypted as Illuminate\Encryption\Encrypter::encrypt does, and
// rawurlencode'd. The secret is the APP_KEY ("base64:..." or the raw key);
// option cipher is AES-256-CBC (the default, or AES-128-CBC for a 16-byte
// key), AES-128-CBC, AES-256-GCM or AES-128-GCM.
func (Laravel) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	key := laravelKey(nil, secret)
	def := "AES-256-CBC"
	if len(key) == 16 {
		def = "AES-128-CBC"
	}
	cipherName, err := r.optOneOf("laravel", "cipher", def, "AES-256-CBC", "AES-128-CBC", "AES-256-GCM", "AES-128-GCM")
	if err != nil {
		return nil, err
	}
	if n := laravelCiphers[cipherName]; len(key) != n {
		return nil, &KeyError{Key: KeySecret, Err: fmt.Errorf("%s needs a %d-byte APP_KEY (base64:... of %d bytes), not %d bytes", cipherName, n, n, len(key))}
	}
	prefix, err := r.optBool("laravel", "prefix", true)
	if err != nil {
		return nil, err
	}
	serialized, err := r.optBool("laravel", "serialized", false)
	if err != nil {
		return nil, err
	}
	value, ok := r.payloadString()
	if !ok {
		value = string(compactJSON(r.Payload))
	}
	if prefix {
		m := hmac.New(sha1.New, key)
		m.Write([]byte(r.Name + "v2"))
		value = hex.EncodeToString(m.Sum(nil)) + "|" + value
	}
	if serialized {
		value = fmt.Sprintf("s:%d:\"%s\";", len(value), value)
	}
	env, err := laravelEncrypt(key, strings.HasSuffix(cipherName, "GCM"), []byte(value), r.Rand)
	if err != nil {
		return nil, err
	}
	// rawurlencode, as Symfony's Cookie writes the value.
	return []SignedCookie{{Name: r.Name, Value: strings.ReplaceAll(url.QueryEscape(env), "+", "%20")}}, nil
}

// laravelEncrypt is Encrypter::encrypt without serialization: random IV,
// openssl_encrypt's base64 ciphertext, mac = hex HMAC-SHA256(key, iv +
// value) for CBC and "" for GCM, the JSON {"iv","value","mac","tag"}
// (json_encode with JSON_UNESCAPED_SLASHES), base64.
func laravelEncrypt(key []byte, gcm bool, plain []byte, rnd io.Reader) (string, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	b64 := base64.StdEncoding.EncodeToString
	var iv, ct, tag []byte
	if gcm {
		g, _ := cipher.NewGCM(block)
		iv = make([]byte, g.NonceSize())
		if _, err := io.ReadFull(rnd, iv); err != nil {
			return "", fmt.Errorf("laravel: IV: %w", err)
		}
		sealed := g.Seal(nil, iv, plain, nil)
		ct, tag = sealed[:len(sealed)-g.Overhead()], sealed[len(sealed)-g.Overhead():]
	} else {
		iv = make([]byte, aes.BlockSize)
		if _, err := io.ReadFull(rnd, iv); err != nil {
			return "", fmt.Errorf("laravel: IV: %w", err)
		}
		n := aes.BlockSize - len(plain)%aes.BlockSize
		ct = append(append([]byte(nil), plain...), make([]byte, n)...)
		for i := len(plain); i < len(ct); i++ {
			ct[i] = byte(n)
		}
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
	}
	ivB64, valueB64 := b64(iv), b64(ct)
	mac := ""
	if !gcm {
		mac = hex.EncodeToString(hmacSum("sha256", key, []byte(ivB64), []byte(valueB64)))
	}
	// base64 needs no JSON escaping; "/" stays as is (JSON_UNESCAPED_SLASHES).
	js := `{"iv":"` + ivB64 + `","value":"` + valueB64 + `","mac":"` + mac + `","tag":"` + b64(tag) + `"}`
	return b64([]byte(js)), nil
}
