package cookie

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// signTestKeys are made once: RSA key generation takes a while.
var signTestKeys = sync.OnceValue(func() map[string]crypto.Signer {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	e256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	e384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	e521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]crypto.Signer{"rsa": rk, "p256": e256, "p384": e384, "p521": e521, "ed25519": ed}
})

// publicPEM is the PKIX PEM of k's public half.
func publicPEM(t testing.TB, k crypto.Signer) []byte {
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

const (
	laravelKey256 = "base64:dGhpcnR5LXR3by1ieXRlLWtleS1mb3ItbGFyYXZlbCE=" // 32 bytes
	laravelKey128 = "base64:c2l4dGVlbi1ieXRlLWtleQ=="                     // 16 bytes
)

type signTest struct {
	name    string
	format  string
	cookie  string // cookie name ("" for the default)
	payload string
	opts    map[string]string
	key     SignKey
	expires *time.Time
	// keys decode verifies with; nil means Secrets: {key.Secret}.
	keys *Keys
	// wantPayload is what decode shows when it is not payload itself.
	wantPayload string
	// wantOpts are options decode must list (besides those of opts).
	wantOpts map[string]string
	verdict  Verdict // default Valid
}

func signTests(t testing.TB) []signTest {
	ks := signTestKeys()
	exp := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	sec := SignKey{Secret: []byte("s3cret")}
	obj := `{"user":"alice","visitCount":41,"roles":["a","b"],"nested":{"x":1.5,"ok":true},"name":"Zoë ✓ 😀"}`
	return []signTest{
		{name: "express session id", format: "express", payload: `"aB3xQ9-kTz_0123456789abcdefghijK"`, key: sec},
		{name: "cookie-parser signed", format: "express", cookie: "prefs", payload: `"dark mode;=%"`, key: sec},
		{name: "cookie-parser signed json", format: "express", cookie: "cart", payload: obj, key: sec},
		{name: "cookie-parser json unsigned", format: "express", cookie: "cart", payload: obj,
			opts: map[string]string{"signed": "false"}, verdict: Unsigned},
		{name: "cookie-session", format: "cookie-session", payload: obj, key: sec},
		{name: "cookie-session sha256 hex", format: "cookie-session", cookie: "sess", payload: obj, key: sec,
			opts: map[string]string{"digest": "sha256", "encoding": "hex"}},
		{name: "cookie-session unsigned", format: "cookie-session", payload: obj,
			opts: map[string]string{"signed": "false"}, verdict: Unsigned},
		{name: "koa-session", format: "koa-session", payload: `{"visitCount":41,"_expire":1924992000000,"_maxAge":86400000}`, key: sec},
		{name: "jwt HS256", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: sec},
		{name: "jwt HS512 kid", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: sec,
			opts: map[string]string{"alg": "HS512", "kid": "k1"}},
		{name: "jwt none", format: "jwt", payload: `{"admin":true,"iat":1700000000}`,
			opts: map[string]string{"alg": "none"}, verdict: Unsigned},
		{name: "jwt RS256", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["rsa"]},
			keys: &Keys{PublicKeys: []crypto.PublicKey{ks["rsa"].Public()}}, wantOpts: map[string]string{"alg": "RS256"}},
		{name: "jwt PS384", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["rsa"]},
			opts: map[string]string{"alg": "PS384"}, keys: &Keys{PublicKeys: []crypto.PublicKey{ks["rsa"].Public()}}},
		{name: "jwt ES256", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["p256"]},
			keys: &Keys{PublicKeys: []crypto.PublicKey{ks["p256"].Public()}}, wantOpts: map[string]string{"alg": "ES256"}},
		{name: "jwt ES384", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["p384"]},
			keys: &Keys{PublicKeys: []crypto.PublicKey{ks["p384"].Public()}}, wantOpts: map[string]string{"alg": "ES384"}},
		{name: "jwt ES512", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["p521"]},
			keys: &Keys{PublicKeys: []crypto.PublicKey{ks["p521"].Public()}}, wantOpts: map[string]string{"alg": "ES512"}},
		{name: "jwt EdDSA", format: "jwt", payload: `{"sub":"1","iat":1700000000}`, key: SignKey{PrivateKey: ks["ed25519"]},
			keys: &Keys{PublicKeys: []crypto.PublicKey{ks["ed25519"].Public()}}, wantOpts: map[string]string{"alg": "EdDSA"}},
		{name: "jwt key confusion", format: "jwt", payload: `{"sub":"1","iat":1700000000}`,
			key: SignKey{Secret: publicPEM(t, ks["rsa"])}, opts: map[string]string{"alg": "HS256"}},
		{name: "securecookie gob", format: "securecookie", payload: `{"visitCount":41,"user":"alice","ratio":0.5,"tags":["x"],"meta":{"a":1}}`,
			key: SignKey{Secret: []byte("hash-key-0123456789abcdef-32byte")}, wantOpts: map[string]string{"serialization": "gob"}},
		{name: "securecookie json sha512", format: "securecookie", cookie: "sid", payload: obj,
			key: SignKey{Secret: []byte("hash-key")}, opts: map[string]string{"serialization": "json", "digest": "sha512"}},
		{name: "securecookie gob encrypted", format: "securecookie", payload: `{"visitCount":41}`,
			key:      SignKey{Secret: []byte("hash-key"), EncKey: []byte("block-key-0123456789abcdef-32byt")},
			keys:     &Keys{Secrets: [][]byte{[]byte("hash-key")}, EncKeys: [][]byte{[]byte("block-key-0123456789abcdef-32byt")}},
			wantOpts: map[string]string{"encrypted": "true"}},
		{name: "securecookie json encrypted aes128", format: "securecookie", payload: obj,
			key: SignKey{Secret: []byte("hash-key"), EncKey: []byte("0123456789abcdef")}, opts: map[string]string{"serialization": "json"},
			keys: &Keys{Secrets: [][]byte{[]byte("hash-key")}, EncKeys: [][]byte{[]byte("0123456789abcdef")}}},
		{name: "flask", format: "flask", payload: `{"user":"alice","visitCount":41}`, key: sec,
			wantOpts: map[string]string{"salt": "cookie-session", "digest": "sha1"}},
		{name: "flask compressed", format: "flask", payload: `{"cart":"` + strings.Repeat("item,", 60) + `"}`, key: sec},
		{name: "flask unicode", format: "flask", payload: obj, key: sec},
		{name: "flask tagged json", format: "flask", payload: `{"pair":{" t":[1,2]},"visitCount":41}`, key: sec,
			wantPayload: `{"pair":[1,2],"visitCount":41}`},
		{name: "django session", format: "django", payload: `{"visitCount":41,"_auth_user_id":"1"}`, key: sec,
			wantOpts: map[string]string{"salt": djangoSessionSalt, "digest": "sha256"}},
		{name: "django compressed", format: "django", payload: `{"cart":"` + strings.Repeat("item,", 60) + `"}`, key: sec,
			wantOpts: map[string]string{"compress": "true"}},
		{name: "django dumps sha1", format: "django", payload: obj, key: sec,
			opts: map[string]string{"salt": djangoDumpsSalt, "digest": "sha1"}},
		{name: "django signed cookie", format: "django", cookie: "theme", payload: `"dark"`, key: sec,
			opts: map[string]string{"kind": "signed_cookie"}},
		{name: "rails gcm 7.1", format: "rails", payload: `{"session_id":"abc","visitCount":41}`, key: SignKey{Secret: []byte(strings.Repeat("9f1c", 32))},
			wantOpts: map[string]string{"kind": "gcm", "key_derivation": "sha256", "envelope": "data"}},
		{name: "rails gcm 6.1 sha1 expiry", format: "rails", payload: `{"session_id":"abc","visitCount":41}`, key: SignKey{Secret: []byte("skb")}, expires: &exp,
			opts: map[string]string{"key_derivation": "sha1", "envelope": "message"}},
		{name: "rails gcm 5.2", format: "rails", payload: `{"session_id":"abc","visitCount":41}`, key: SignKey{Secret: []byte("skb")},
			opts: map[string]string{"envelope": "none"}},
		{name: "rails gcm purpose", format: "rails", payload: `{"visitCount":41}`, key: SignKey{Secret: []byte("skb")},
			opts: map[string]string{"purpose": "cookie.other", "session_id": "false"}},
		{name: "rails cbc", format: "rails", payload: `{"session_id":"abc","visitCount":41}`, key: SignKey{Secret: []byte("skb")},
			opts: map[string]string{"kind": "cbc", "key_derivation": "sha1", "envelope": "none"}},
		{name: "rails signed", format: "rails", cookie: "remember", payload: `{"id":7}`, key: SignKey{Secret: []byte("skb")},
			opts: map[string]string{"kind": "signed", "digest": "sha256", "envelope": "message"}, expires: &exp},
		{name: "rails secret_token", format: "rails", payload: `{"id":7}`, key: SignKey{Secret: []byte("skb")},
			opts: map[string]string{"kind": "signed", "key_derivation": "none", "envelope": "none"}},
		{name: "laravel cbc session id", format: "laravel", payload: `"Kp0SAMPLEsessionIdOf40CharactersAAAAAAAA"`, key: SignKey{Secret: []byte(laravelKey256)},
			wantOpts: map[string]string{"cipher": "AES-256-CBC"}},
		{name: "laravel gcm json", format: "laravel", cookie: "cart", payload: obj, key: SignKey{Secret: []byte(laravelKey256)},
			opts: map[string]string{"cipher": "AES-256-GCM"}},
		{name: "laravel 128 no prefix", format: "laravel", payload: `"plain value"`, key: SignKey{Secret: []byte(laravelKey128)},
			opts: map[string]string{"prefix": "false"}, wantOpts: map[string]string{"cipher": "AES-128-CBC"}},
		{name: "starlette", format: "starlette", payload: obj, key: sec},
		{name: "iron-session", format: "iron", cookie: "iron-app", payload: obj, key: ironPassword,
			wantOpts: map[string]string{"password_id": "1", "suffix": "~2"}},
		{name: "iron hapi", format: "iron", payload: `{"visitCount":41}`, key: ironPassword, expires: &exp,
			opts: map[string]string{"password_id": "none", "suffix": "none"}},
		{name: "authjs", format: "authjs", payload: `{"name":"alice","visitCount":41,"iat":1796115600,"exp":1924992000,"jti":"4f1b"}`, key: sec,
			wantOpts: map[string]string{"enc": "A256CBC-HS512", "salt": "authjs.session-token"}},
		{name: "authjs secure gcm", format: "authjs", cookie: "__Secure-authjs.session-token", payload: `{"sub":"7","iat":1796115600,"exp":1924992000,"jti":"x"}`,
			key: sec, opts: map[string]string{"enc": "A256GCM"}},
		{name: "secure-session key", format: "secure-session", payload: `{"visitCount":41,"user":"alice","__ts":1796115600}`,
			key: SignKey{EncKey: secureSessionTestKey}, keys: &Keys{EncKeys: [][]byte{secureSessionTestKey}}},
		{name: "secure-session secret", format: "secure-session", payload: `{"visitCount":41,"__ts":1796115600}`,
			key: SignKey{Secret: []byte("averylongsecretof32charactersorm")}},
	}
}

var (
	ironPassword         = SignKey{Secret: []byte("a-password-of-32-characters-or-more!")}
	secureSessionTestKey = []byte("0123456789abcdef0123456789abcdef")
)

// decodeSigned decodes what Sign made, pairing a .sig companion.
func decodeSigned(t testing.TB, format string, cs []SignedCookie, keys Keys) *Decoded {
	t.Helper()
	in := Input{Name: cs[0].Name, Value: cs[0].Value}
	if len(cs) == 2 {
		in.Sig, in.HasSig = cs[1].Value, true
	}
	d, err := Decode(in, keys, format)
	if err != nil {
		t.Fatalf("decode %s=%s: %v", in.Name, in.Value, err)
	}
	return d
}

// jsonEqual compares two JSON documents by value.
func payloadIs(t testing.TB, got any, want string) bool {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if json.Unmarshal(b, &g) != nil || json.Unmarshal([]byte(want), &w) != nil {
		t.Fatalf("not JSON: %s / %s", b, want)
	}
	return reflect.DeepEqual(g, w)
}

func TestSignRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range signTests(t) {
		t.Run(tt.name, func(t *testing.T) {
			req := SignRequest{Name: tt.cookie, Payload: json.RawMessage(tt.payload), Options: tt.opts, Key: tt.key,
				ExpiresAt: tt.expires, Now: func() time.Time { return now }}
			cs, err := Sign(tt.format, req)
			if err != nil {
				t.Fatal(err)
			}
			keys := Keys{Secrets: [][]byte{tt.key.Secret}}
			if tt.keys != nil {
				keys = *tt.keys
			}
			d := decodeSigned(t, tt.format, cs, keys)
			want := tt.verdict
			if want == "" {
				want = Valid
			}
			if d.Format != tt.format || d.Signature != want {
				t.Fatalf("decode says %s %s, want %s %s (%v)", d.Format, d.Signature, tt.format, want, d.Warnings)
			}
			wantPayload := tt.payload
			if tt.wantPayload != "" {
				wantPayload = tt.wantPayload
			}
			if tt.format == "jwt" {
				wantPayload = tt.payload // iat given: kept
			}
			if !payloadIs(t, d.Payload, wantPayload) {
				b, _ := json.Marshal(d.Payload)
				t.Fatalf("payload %s, want %s", b, wantPayload)
			}
			for k, v := range tt.opts {
				if k == "signed" && v == "true" {
					continue
				}
				if d.Options[k] != v {
					t.Errorf("decode's options[%s] = %q, want %q (all: %v)", k, d.Options[k], v, d.Options)
				}
			}
			for k, v := range tt.wantOpts {
				if d.Options[k] != v {
					t.Errorf("decode's options[%s] = %q, want %q (all: %v)", k, d.Options[k], v, d.Options)
				}
			}
			if tt.expires != nil && (d.ExpiresAt == nil || !d.ExpiresAt.Equal(*tt.expires)) {
				t.Errorf("expires_at %v, want %v", d.ExpiresAt, tt.expires)
			}
			if d.IssuedAt != nil && tt.format != "jwt" && !d.IssuedAt.Equal(now) {
				t.Errorf("issued_at %v, want %v", d.IssuedAt, now)
			}
			// Re-signing decode's own view gives the same cookie kind.
			again, err := Sign(d.Format, SignRequest{Name: d.Name, Payload: mustJSON(t, d.Payload), Options: d.Options,
				Key: tt.key, ExpiresAt: d.ExpiresAt, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("re-sign: %v", err)
			}
			d2 := decodeSigned(t, tt.format, again, keys)
			if d2.Signature != want || !payloadIs(t, d2.Payload, wantPayload) || !reflect.DeepEqual(d2.Options, d.Options) {
				t.Fatalf("re-signed decode: %s %v options %v, want %s options %v", d2.Signature, d2.Payload, d2.Options, want, d.Options)
			}
			for _, c := range cs {
				if tt.key.Secret != nil && bytes.Contains([]byte(c.Value), tt.key.Secret) {
					t.Errorf("the secret appears in the cookie %s", c.Value)
				}
			}
		})
	}
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSignRailsSessionID: a Rails session without a session_id gets one,
// as the CookieStore loads no session without it (TestFrameworks/rails/sign
// in ./interop shows the real one refusing it).
func TestSignRailsSessionID(t *testing.T) {
	cs, err := Sign("rails", SignRequest{Payload: json.RawMessage(`{"visitCount":41}`), Key: SignKey{Secret: []byte("skb")}})
	if err != nil {
		t.Fatal(err)
	}
	d := decodeSigned(t, "rails", cs, Keys{Secrets: [][]byte{[]byte("skb")}})
	var p struct {
		SessionID  string `json:"session_id"`
		VisitCount int    `json:"visitCount"`
	}
	json.Unmarshal(mustJSON(t, d.Payload), &p)
	if len(p.SessionID) != 32 || p.VisitCount != 41 {
		t.Errorf("payload %+v, want a 32-hex session_id and visitCount 41", p)
	}
}

func TestSignIssuedAt(t *testing.T) {
	at := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, f := range []string{"flask", "django", "securecookie"} {
		cs, err := Sign(f, SignRequest{Payload: json.RawMessage(`{"a":1}`), Key: SignKey{Secret: []byte("k")}, IssuedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		d := decodeSigned(t, f, cs, Keys{Secrets: [][]byte{[]byte("k")}})
		if d.IssuedAt == nil || !d.IssuedAt.Equal(at) {
			t.Errorf("%s: issued_at %v, want %v", f, d.IssuedAt, at)
		}
	}
	// JWT: iat from IssuedAt when given, over the payload's.
	cs, err := Sign("jwt", SignRequest{Payload: json.RawMessage(`{"iat":1,"sub":"x"}`), Key: SignKey{Secret: []byte("k")}, IssuedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if d := decodeSigned(t, "jwt", cs, Keys{Secrets: [][]byte{[]byte("k")}}); d.IssuedAt == nil || !d.IssuedAt.Equal(at) {
		t.Errorf("jwt: iat %v, want %v", d.IssuedAt, at)
	}
	// Without IssuedAt a payload without iat gets now.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cs, _ = Sign("jwt", SignRequest{Payload: json.RawMessage(`{}`), Key: SignKey{Secret: []byte("k")}, Now: func() time.Time { return now }})
	if d := decodeSigned(t, "jwt", cs, Keys{}); d.IssuedAt == nil || !d.IssuedAt.Equal(now) {
		t.Errorf("jwt: iat %v, want %v", d.IssuedAt, now)
	}
}

func TestSignErrors(t *testing.T) {
	ks := signTestKeys()
	tests := []struct {
		format, payload string
		opts            map[string]string
		key             SignKey
		wantKey         string // KeyError.Key, or "" for another error
		wantErr         error
	}{
		{format: "express", payload: `"id"`, wantKey: KeySecret},
		{format: "flask", payload: `{}`, wantKey: KeySecret},
		{format: "laravel", payload: `"x"`, key: SignKey{Secret: []byte("short")}, wantKey: KeySecret},
		{format: "laravel", payload: `"x"`, key: SignKey{Secret: []byte(laravelKey128)}, opts: map[string]string{"cipher": "AES-256-GCM"}, wantKey: KeySecret},
		{format: "securecookie", payload: `{}`, key: SignKey{Secret: []byte("h"), EncKey: []byte("bad")}, wantKey: KeyEncKey},
		{format: "securecookie", payload: `{}`, key: SignKey{Secret: []byte("h")}, opts: map[string]string{"encrypted": "true"}, wantKey: KeyEncKey},
		{format: "jwt", payload: `{}`, opts: map[string]string{"alg": "RS256"}, wantKey: KeyPrivateKey},
		{format: "jwt", payload: `{}`, opts: map[string]string{"alg": "ES384"}, key: SignKey{PrivateKey: ks["p256"]}, wantKey: KeyPrivateKey},
		{format: "jwt", payload: `{}`, opts: map[string]string{"alg": "EdDSA"}, key: SignKey{PrivateKey: ks["rsa"]}, wantKey: KeyPrivateKey},
		{format: "cookie-session", payload: `"not an object"`, key: SignKey{Secret: []byte("k")}, wantErr: ErrPayload},
		{format: "securecookie", payload: `{"a":null}`, key: SignKey{Secret: []byte("k")}, wantErr: ErrPayload},
		{format: "flask", payload: `{`, key: SignKey{Secret: []byte("k")}, wantErr: ErrPayload},
		{format: "opaque", payload: `"x"`, wantErr: ErrNotSignable},
	}
	for _, tt := range tests {
		_, err := Sign(tt.format, SignRequest{Payload: json.RawMessage(tt.payload), Options: tt.opts, Key: tt.key})
		var ke *KeyError
		switch {
		case err == nil:
			t.Errorf("%s %s %v: no error", tt.format, tt.payload, tt.opts)
		case tt.wantKey != "" && (!errors.As(err, &ke) || ke.Key != tt.wantKey):
			t.Errorf("%s %s %v: %v, want a KeyError for %s", tt.format, tt.payload, tt.opts, err, tt.wantKey)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("%s %s: %v, want %v", tt.format, tt.payload, err, tt.wantErr)
		}
	}
	var oe *OptionError
	if _, err := Sign("flask", SignRequest{Payload: json.RawMessage(`{}`), Key: SignKey{Secret: []byte("k")},
		Options: map[string]string{"digest": "md5"}}); !errors.As(err, &oe) || oe.Option != "digest" {
		t.Errorf("digest md5: %v, want an OptionError", err)
	}
}

// TestSignablesSign checks that every format but opaque signs: a format
// added to Formats() without Sign shows up here.
func TestSignablesSign(t *testing.T) {
	got := strings.Join(SignableNames(), ",")
	want := "express,jwt,koa-session,cookie-session,securecookie,flask,starlette,django,rails,laravel,iron,authjs,secure-session"
	if got != want {
		t.Errorf("signable formats %s, want %s", got, want)
	}
}

func TestParseSignDocument(t *testing.T) {
	el := `{"name":"session","format":"flask","payload":{"a":1},"options":{"salt":"x"},"expires_at":"2030-01-01T00:00:00Z"}`
	tests := []struct {
		in      string
		formats []string // "" for a bare payload
		err     string
	}{
		{in: `[` + el + `,` + el + `]`, formats: []string{"flask", "flask"}},
		{in: el, formats: []string{"flask"}},
		{in: el + "\n" + el + "\n", formats: []string{"flask", "flask"}}, // decode -o jsonl
		{in: `{"user":"a"}`, formats: []string{""}},                      // a bare payload
		{in: `[1,2]`, formats: []string{""}},                             // a bare array payload
		{in: `"an id"`, formats: []string{""}},                           // a bare string
		{in: `[{"name":"","format":"unknown","payload":null,"error":"x"}]`, err: "nothing to sign"},
		{in: `[{"name":"r","format":"rails","payload":null}]`, err: "payload is null"},
		{in: `{"a":`, err: "not JSON"},
		{in: ``, err: "empty"},
	}
	for _, tt := range tests {
		docs, err := ParseSignDocument([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || len(docs) != len(tt.formats) {
			t.Fatalf("%s: %d docs, %v", tt.in, len(docs), err)
		}
		for i, d := range docs {
			if d.Format != tt.formats[i] {
				t.Errorf("%s: doc %d format %q, want %q", tt.in, i, d.Format, tt.formats[i])
			}
			if d.Format == "flask" && (d.Options["salt"] != "x" || d.ExpiresAt == nil || string(d.Payload) != `{"a":1}` || d.Name != "session") {
				t.Errorf("%s: doc %+v", tt.in, d)
			}
		}
	}
}
