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

func FuzzSignExpress(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "express", secret, s, n, nil, SignKey{})
	})
}

func FuzzSignCookieSession(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "cookie-session", secret, s, n, map[string]string{"digest": []string{"sha1", "sha256"}[n&1]}, SignKey{})
	})
}

func FuzzSignKoa(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "koa-session", secret, s, n, nil, SignKey{})
	})
}

func FuzzSignJWT(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "jwt", secret, s, n, map[string]string{"alg": []string{"HS256", "HS384", "HS512"}[uint64(n)%3]}, SignKey{})
	})
}

func FuzzSignSecureCookie(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		opts := map[string]string{"serialization": []string{"gob", "json"}[n&1]}
		key := SignKey{}
		if n&2 != 0 {
			key = SignKey{Secret: secret, EncKey: []byte("0123456789abcdef")}
		}
		fuzzRoundTrip(t, "securecookie", secret, s, n, opts, key)
	})
}

func FuzzSignFlask(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "flask", secret, s, n, nil, SignKey{})
	})
}

func FuzzSignDjango(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		opts := map[string]string{"digest": []string{"sha256", "sha1"}[n&1]}
		if n&2 != 0 {
			opts["salt"] = djangoDumpsSalt
		}
		fuzzRoundTrip(t, "django", secret, s, n, opts, SignKey{})
	})
}

func FuzzSignRails(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		opts := map[string]string{
			"kind":           []string{"gcm", "cbc", "signed"}[uint64(n)%3],
			"key_derivation": []string{"sha256", "sha1"}[n&1],
			"envelope":       []string{"data", "message", "none"}[uint64(n>>1)%3],
			"session_id":     "false",
		}
		fuzzRoundTrip(t, "rails", secret, s, n, opts, SignKey{})
	})
}

func FuzzSignLaravel(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		opts := map[string]string{"cipher": []string{"AES-256-CBC", "AES-256-GCM"}[n&1]}
		fuzzRoundTrip(t, "laravel", secret, s, n, opts, SignKey{Secret: []byte(laravelKey256)})
	})
}

func FuzzSignStarlette(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "starlette", secret, s, n, nil, SignKey{})
	})
}

func FuzzSignIron(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		// iron refuses passwords under 32 characters.
		secret = append(secret, "0123456789abcdef0123456789abcdef"...)
		opts := map[string]string{"suffix": []string{"~2", "none"}[n&1], "password_id": []string{"1", "none", "k_2"}[uint64(n)%3]}
		fuzzRoundTrip(t, "iron", secret, s, n, opts, SignKey{})
	})
}

func FuzzSignAuthJS(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		fuzzRoundTrip(t, "authjs", secret, s, n, map[string]string{"enc": []string{"A256CBC-HS512", "A256GCM"}[n&1]}, SignKey{})
	})
}

func FuzzSignSecureSession(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, secret []byte, s string, n int64) {
		// The key option: crypto_pwhash of --secret costs 256 MiB a try;
		// signTests' "secure-session secret" covers that path.
		k := sha256.Sum256(secret)
		fuzzRoundTrip(t, "secure-session", secret, s, n, nil, SignKey{EncKey: k[:]})
	})
}
