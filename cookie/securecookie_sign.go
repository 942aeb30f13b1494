package cookie

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// DefaultName returns "session", the name gorilla/sessions examples use.
func (SecureCookie) DefaultName() string { return "session" }

// Sign makes what gorilla/securecookie's Encode returns, as gorilla/sessions
// calls it: the payload serialized (option serialization: gob, the
// default, as a map[interface{}]interface{} like sessions.Values, or json),
// AES-CTR encrypted with a random IV when a block key (EncKey) is given,
// and authenticated with HMAC (option digest: sha256, the default, or
// sha512) of "<name>|<date>|<value>" under the hash key (the secret).
func (SecureCookie) Sign(r SignRequest) ([]SignedCookie, error) {
	secret, err := r.secret()
	if err != nil {
		return nil, err
	}
	digest, err := r.optOneOf("securecookie", "digest", "sha256", "sha256", "sha512")
	if err != nil {
		return nil, err
	}
	ser, err := r.optOneOf("securecookie", "serialization", "gob", "gob", "json")
	if err != nil {
		return nil, err
	}
	encrypted, err := r.optBool("securecookie", "encrypted", len(r.Key.EncKey) > 0)
	if err != nil {
		return nil, err
	}
	var b []byte
	if ser == "json" {
		// securecookie.JSONEncoder uses json.Encoder: a trailing newline.
		b = append(compactJSON(r.Payload), '\n')
	} else if b, err = gobValues(r.Payload); err != nil {
		return nil, err
	}
	if encrypted {
		if b, err = scEncrypt(r.Key.EncKey, b, r.Rand); err != nil {
			return nil, err
		}
	}
	value := base64.URLEncoding.EncodeToString(b)
	date := strconv.FormatInt(r.IssuedAt.Unix(), 10)
	mac := hmacSum(digest, secret, []byte(r.Name+"|"+date+"|"+value))
	body := append([]byte(date+"|"+value+"|"), mac...)
	return []SignedCookie{{Name: r.Name, Value: base64.URLEncoding.EncodeToString(body)}}, nil
}

func scEncrypt(key, plain []byte, rnd io.Reader) ([]byte, error) {
	if len(key) == 0 {
		return nil, &KeyError{Key: KeyEncKey, Err: fmt.Errorf("option encrypted=true needs the block key")}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, &KeyError{Key: KeyEncKey, Err: fmt.Errorf("a block key is 16, 24 or 32 bytes (AES-128/192/256), not %d", len(key))}
	}
	out := make([]byte, block.BlockSize()+len(plain))
	if _, err := io.ReadFull(rnd, out[:block.BlockSize()]); err != nil {
		return nil, fmt.Errorf("securecookie: IV: %w", err)
	}
	cipher.NewCTR(block, out[:block.BlockSize()]).XORKeyStream(out[block.BlockSize():], plain)
	return out, nil
}

var registerGobOnce sync.Once

// registerGob registers with encoding/gob the composite types a JSON
// payload turns into, as an application storing them in sessions.Values
// must.
func registerGob() {
	registerGobOnce.Do(func() {
		gob.Register(map[string]any{})
		gob.Register([]any{})
	})
}

// gobValues encodes a JSON object as gorilla/sessions' Values, a
// map[interface{}]interface{} with string keys; numbers become int when
// whole (what applications store: session.Values["count"].(int)), else
// float64; nested objects map[string]interface{}, arrays []interface{}.
func gobValues(payload json.RawMessage) ([]byte, error) {
	if len(payload) == 0 || payload[0] != '{' {
		return nil, fmt.Errorf("securecookie: %w of a gob session must be a JSON object", ErrPayload)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("securecookie: %w: %v", ErrPayload, err)
	}
	values := make(map[any]any, len(m))
	for k, v := range m {
		g, err := gobValue(v)
		if err != nil {
			return nil, fmt.Errorf("securecookie: %w: key %q: %v", ErrPayload, k, err)
		}
		values[k] = g
	}
	registerGob()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(values); err != nil {
		return nil, fmt.Errorf("securecookie: gob: %w", err)
	}
	return buf.Bytes(), nil
}

func gobValue(v any) (any, error) {
	switch t := v.(type) {
	case nil:
		return nil, fmt.Errorf("gob cannot carry null")
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 0); err == nil {
			return int(i), nil
		}
		return strconv.ParseFloat(string(t), 64)
	case map[string]any:
		for k, x := range t {
			g, err := gobValue(x)
			if err != nil {
				return nil, err
			}
			t[k] = g
		}
		return t, nil
	case []any:
		for i, x := range t {
			g, err := gobValue(x)
			if err != nil {
				return nil, err
			}
			t[i] = g
		}
		return t, nil
	}
	return v, nil
}
