package cookie

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// fuzzRoundTrip signs a session holding s and n with secret under format
// and opts, decodes it, and fails unless the signature verifies and the
// payload comes back as it went in. Inputs Sign refuses as a usage error
// (an empty secret, a value no cookie can carry) are skipped.
func fuzzRoundTrip(t *testing.T, format string, secret []byte, s string, n int64, opts map[string]string, key SignKey) {
	payload, _ := json.Marshal(map[string]any{"k": s, "n": n, "iat": 1700000000})
	switch format {
	case "express":
		payload, _ = json.Marshal(s)
	case "authjs": // Auth.js writes exp and jti when the token has none
		payload, _ = json.Marshal(map[string]any{"k": s, "n": n, "iat": 1700000000, "exp": 1800000000, "jti": "j"})
	case "secure-session": // the plugin's touch time
		payload, _ = json.Marshal(map[string]any{"k": s, "n": n, "__ts": 1700000000})
	}
	if key.Secret == nil {
		key.Secret = secret
	}
	now := time.Unix(1700000000, 0)
	cs, err := Sign(format, SignRequest{Payload: payload, Options: opts, Key: key, Now: func() time.Time { return now }})
	var ke *KeyError
	if errors.As(err, &ke) || errors.Is(err, ErrPayload) {
		return
	}
	if err != nil {
		t.Fatalf("sign %s: %v", payload, err)
	}
	keys := Keys{Secrets: [][]byte{key.Secret}}
	if key.EncKey != nil {
		keys.EncKeys = [][]byte{key.EncKey}
	}
	d := decodeSigned(t, format, cs, keys)
	if d.Signature != Valid {
		t.Fatalf("sign %s: decode says %s for %v", payload, d.Signature, cs)
	}
	if !payloadIs(t, d.Payload, string(payload)) {
		b, _ := json.Marshal(d.Payload)
		t.Fatalf("payload %s, want %s (%v)", b, payload, cs)
	}
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte("s3cret"), "alice", int64(41))
	f.Add([]byte("k"), "", int64(0))
	f.Add([]byte("\x00\xff binary key"), "Zoë ✓ 😀 \"quoted\" ;,\\ %41 \x01", int64(-1))
	f.Add([]byte("long"), "item,item,item,item,item,item,item,item,item,item,item,item,item,item", int64(1<<53))
}

// fuzzSign is a FuzzSign target for format: setup, when set, picks the
// options and the key from the fuzzed secret and number.
func fuzzSign(f *testing.F, format string, setup func(secret []byte, n int64) (map[string]string, SignKey)) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		var opts map[string]string
		var key SignKey
		if setup != nil {
			opts, key = setup(secret, n)
		}
		fuzzRoundTrip(t, format, secret, s, n, opts, key)
	})
}

func FuzzSignExpress(f *testing.F) { fuzzSign(f, "express", nil) }

func FuzzSignCookieSession(f *testing.F) {
	fuzzSign(f, "cookie-session", func(_ []byte, n int64) (map[string]string, SignKey) {
		return map[string]string{"digest": []string{"sha1", "sha256"}[n&1]}, SignKey{}
	})
}

func FuzzSignKoa(f *testing.F) { fuzzSign(f, "koa-session", nil) }

func FuzzSignJWT(f *testing.F) {
	fuzzSign(f, "jwt", func(_ []byte, n int64) (map[string]string, SignKey) {
		return map[string]string{"alg": []string{"HS256", "HS384", "HS512"}[uint64(n)%3]}, SignKey{}
	})
}

func FuzzSignSecureCookie(f *testing.F) {
	fuzzSign(f, "securecookie", func(secret []byte, n int64) (map[string]string, SignKey) {
		opts := map[string]string{"serialization": []string{"gob", "json"}[n&1]}
		if n&2 != 0 {
			return opts, SignKey{Secret: secret, EncKey: []byte("0123456789abcdef")}
		}
		return opts, SignKey{}
	})
}

func FuzzSignFlask(f *testing.F) { fuzzSign(f, "flask", nil) }

func FuzzSignDjango(f *testing.F) {
	fuzzSign(f, "django", func(_ []byte, n int64) (map[string]string, SignKey) {
		opts := map[string]string{"digest": []string{"sha256", "sha1"}[n&1]}
		if n&2 != 0 {
			opts["salt"] = djangoDumpsSalt
		}
		return opts, SignKey{}
	})
}

func FuzzSignRails(f *testing.F) {
	fuzzSign(f, "rails", func(_ []byte, n int64) (map[string]string, SignKey) {
		return map[string]string{
			"kind":           []string{"gcm", "cbc", "signed"}[uint64(n)%3],
			"key_derivation": []string{"sha256", "sha1"}[n&1],
			"envelope":       []string{"data", "message", "none"}[uint64(n>>1)%3],
			"session_id":     "false",
		}, SignKey{}
	})
}

func FuzzSignLaravel(f *testing.F) {
	fuzzSign(f, "laravel", func(_ []byte, n int64) (map[string]string, SignKey) {
		return map[string]string{"cipher": []string{"AES-256-CBC", "AES-256-GCM"}[n&1]}, SignKey{Secret: []byte(laravelKey256)}
	})
}

func FuzzSignStarlette(f *testing.F) { fuzzSign(f, "starlette", nil) }

func FuzzSignIron(f *testing.F) {
	fuzzSign(f, "iron", func(secret []byte, n int64) (map[string]string, SignKey) {
		// iron refuses passwords under 32 characters.
		secret = append(secret, "0123456789abcdef0123456789abcdef"...)
		return map[string]string{"suffix": []string{"~2", "none"}[n&1], "password_id": []string{"1", "none", "k_2"}[uint64(n)%3]}, SignKey{Secret: secret}
	})
}

func FuzzSignAuthJS(f *testing.F) {
	fuzzSign(f, "authjs", func(_ []byte, n int64) (map[string]string, SignKey) {
		return map[string]string{"enc": []string{"A256CBC-HS512", "A256GCM"}[n&1]}, SignKey{}
	})
}

func FuzzSignSecureSession(f *testing.F) {
	fuzzSign(f, "secure-session", func(secret []byte, _ int64) (map[string]string, SignKey) {
		// The key option: crypto_pwhash of --secret costs 256 MiB a try;
		// signTests' "secure-session secret" covers that path.
		k := sha256.Sum256(secret)
		return nil, SignKey{EncKey: k[:]}
	})
}
