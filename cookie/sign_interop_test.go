package cookie

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// acceptCase is one cookie sessctl signed, handed to a script under
// interop/ that reads it with the real framework (accept-signed.*).
type acceptCase struct {
	ID           string            `json:"id"`
	Format       string            `json:"format"`
	Name         string            `json:"name"`
	Value        string            `json:"value"`
	Cookie       string            `json:"cookie"` // the Cookie header: the value and its .sig
	Secret       string            `json:"secret"`
	Options      map[string]string `json:"options,omitempty"`
	PublicKey    string            `json:"public_key,omitempty"`
	EncKey       string            `json:"enc_key,omitempty"` // base64
	KeyConfusion bool              `json:"key_confusion,omitempty"`

	want   string // the payload the framework must read
	refuse bool   // signed with another secret: the framework must refuse it
}

// acceptCases signs the signTests that keep returns true for, plus, for
// each format among them, one cookie signed with a wrong secret that the
// framework must refuse (a checker that accepts everything fails).
func acceptCases(t *testing.T, keep func(signTest) bool) []acceptCase {
	t.Helper()
	var out []acceptCase
	refused := map[string]bool{}
	for _, tt := range signTests(t) {
		if !keep(tt) {
			continue
		}
		c := signCase(t, tt, tt.key, tt.name)
		if tt.format == "koa-session" {
			c.want = withoutUnderscoreKeys(t, c.want) // ctx.session.toJSON() leaves out _expire, _maxAge
		}
		out = append(out, c)
		if !refused[tt.format] && tt.key.Secret != nil && tt.verdict == "" && tt.key.PrivateKey == nil && !strings.HasPrefix(string(tt.key.Secret), "-----") {
			refused[tt.format] = true
			wrong := tt.key
			wrong.Secret = append([]byte("x"), tt.key.Secret...)
			if tt.format == "laravel" {
				wrong.Secret = []byte("base64:" + base64.StdEncoding.EncodeToString([]byte("another-32-byte-key-for-laravel!")))
			}
			bad := signCase(t, tt, wrong, tt.name+" (wrong secret)")
			bad.Secret, bad.refuse = string(tt.key.Secret), true
			out = append(out, bad)
		}
	}
	return out
}

func signCase(t *testing.T, tt signTest, key SignKey, id string) acceptCase {
	t.Helper()
	cs, err := Sign(tt.format, SignRequest{Name: tt.cookie, Payload: json.RawMessage(tt.payload), Options: tt.opts, Key: key, ExpiresAt: tt.expires})
	if err != nil {
		t.Fatalf("%s: %v", tt.name, err)
	}
	var pairs []string
	for _, c := range cs {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	c := acceptCase{ID: id, Format: tt.format, Name: cs[0].Name, Value: cs[0].Value, Cookie: strings.Join(pairs, "; "),
		Secret: string(key.Secret), Options: tt.opts, want: tt.payload}
	if tt.wantPayload != "" {
		c.want = tt.wantPayload
	}
	if tt.format == "jwt" {
		// The verifier is pinned to the alg the token was made with, as
		// jsonwebtoken's algorithms option asks.
		j, err := parseJWT(cs[0].Value)
		if err != nil {
			t.Fatal(err)
		}
		c.Options = map[string]string{"alg": j.alg}
	}
	if key.EncKey != nil {
		c.EncKey = base64.StdEncoding.EncodeToString(key.EncKey)
	}
	if tt.keys != nil && len(tt.keys.PublicKeys) > 0 {
		c.PublicKey = string(publicPEM(t, key.PrivateKey))
	}
	if tt.name == "jwt key confusion" {
		c.KeyConfusion = true
	}
	return c
}

func withoutUnderscoreKeys(t *testing.T, js string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if strings.HasPrefix(k, "_") {
			delete(m, k)
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// runAccept runs a script of interop/ with the cases on stdin and checks
// every verdict: the payload read back, or a refusal for the wrong-secret
// cookies.
func runAccept(t *testing.T, cases []acceptCase, name string, args ...string) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(name, args...)
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	var got map[string]struct {
		OK      bool            `json:"ok"`
		Payload json.RawMessage `json:"payload"`
		Error   string          `json:"error"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	for _, c := range cases {
		r, ok := got[c.ID]
		switch {
		case !ok:
			t.Errorf("%s: no verdict", c.ID)
		case c.refuse && r.OK:
			t.Errorf("%s: accepted a cookie signed with another secret: %s", c.ID, r.Payload)
		case c.refuse:
		case !r.OK:
			t.Errorf("%s: refused %s=%s: %s", c.ID, c.Name, c.Value, r.Error)
		default:
			var gv, wv any
			json.Unmarshal(r.Payload, &gv)
			json.Unmarshal([]byte(c.want), &wv)
			gb, _ := json.Marshal(gv)
			wb, _ := json.Marshal(wv)
			if !bytes.Equal(gb, wb) {
				t.Errorf("%s: the framework reads %s, want %s", c.ID, gb, wb)
			}
		}
	}
	t.Logf("%d cookies checked by %s %s", len(cases), name, strings.Join(args, " "))
}

func formatIs(formats ...string) func(signTest) bool {
	return func(tt signTest) bool {
		for _, f := range formats {
			if tt.format == f {
				return true
			}
		}
		return false
	}
}

// TestSignAcceptedByNode: cookie-parser, cookie-signature, cookie-session,
// koa-session (keygrip over cookies), jsonwebtoken, iron-session and
// @hapi/iron, @auth/core and @fastify/secure-session read what Sign makes.
func TestSignAcceptedByNode(t *testing.T) {
	testenv.Interop(t)
	cases := acceptCases(t, formatIs("express", "cookie-session", "koa-session", "jwt", "iron", "authjs", "secure-session"))
	runAccept(t, cases, "node", "interop/accept-signed.js")
}

// TestSignAcceptedByFlaskAndDjango: Debian's python3-flask, python3-django
// and python3-starlette (for /usr/bin/python3) read what Sign makes.
func TestSignAcceptedByFlaskAndDjango(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import flask, django, starlette").Run(); err != nil {
		testenv.Missing(t, "python3-flask, python3-django and python3-starlette for /usr/bin/python3")
	}
	runAccept(t, acceptCases(t, formatIs("flask", "django", "starlette")), py, "interop/accept-signed.py")
}

// TestSignAcceptedByActionDispatch: Debian's ruby-actionpack 6.1 cookie
// jar reads what Sign makes, for what Rails 6.1 reads: SHA1 key derivation,
// the 6.0-7.0 envelope or none, GCM, CBC and signed cookies.
func TestSignAcceptedByActionDispatch(t *testing.T) {
	ruby := testenv.Command(t, "ruby")
	if err := exec.Command(ruby, "-e", `require "action_dispatch"`).Run(); err != nil {
		testenv.Missing(t, "ruby-actionpack")
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	sec := SignKey{Secret: []byte(strings.Repeat("9f1c", 32))}
	var tests []signTest
	for _, kind := range []string{"gcm", "cbc", "signed"} {
		for _, env := range []string{"message", "none"} {
			opts := map[string]string{"kind": kind, "key_derivation": "sha1", "envelope": env}
			tests = append(tests, signTest{name: "rails " + kind + " " + env, format: "rails", payload: `{"session_id":"abc","visitCount":41}`, opts: opts, key: sec})
		}
	}
	tests = append(tests,
		signTest{name: "rails gcm expiry ahead", format: "rails", payload: `{"session_id":"abc","visitCount":41}`, key: sec, expires: &exp,
			opts: map[string]string{"key_derivation": "sha1", "envelope": "message"}},
		signTest{name: "rails signed sha256 digest", format: "rails", cookie: "remember", payload: `{"id":7}`, key: sec,
			opts: map[string]string{"kind": "signed", "digest": "sha256", "key_derivation": "sha1", "envelope": "message"}})
	var cases []acceptCase
	for _, tt := range tests {
		cases = append(cases, signCase(t, tt, tt.key, tt.name))
	}
	past := time.Now().Add(-time.Hour)
	expired := signTest{name: "rails expired", format: "rails", payload: `{"visitCount":41}`, key: sec, expires: &past,
		opts: map[string]string{"key_derivation": "sha1", "envelope": "message"}}
	c := signCase(t, expired, sec, expired.name)
	c.refuse = true
	wrong := signCase(t, tests[0], SignKey{Secret: []byte("another secret_key_base")}, "rails wrong secret")
	wrong.Secret, wrong.refuse = string(sec.Secret), true
	cases = append(cases, c, wrong)
	runAccept(t, cases, ruby, "interop/accept-signed.rb")
}

// TestSignAcceptedByLaravel: Debian's php-illuminate-encryption and
// php-illuminate-cookie read what Sign makes, as EncryptCookies does.
func TestSignAcceptedByLaravel(t *testing.T) {
	php := testenv.Command(t, "php")
	if _, err := os.Stat(filepath.Join("/usr/share/php/Illuminate/Encryption/Encrypter.php")); err != nil {
		testenv.Missing(t, "php-illuminate-encryption")
	}
	cases := acceptCases(t, formatIs("laravel"))
	for _, tt := range []signTest{
		{name: "laravel serialized", format: "laravel", payload: `"Kp0SAMPLEsessionIdOf40CharactersAAAAAAAA"`, key: SignKey{Secret: []byte(laravelKey256)},
			opts: map[string]string{"serialized": "true"}},
		{name: "laravel gcm 128", format: "laravel", cookie: "XSRF-TOKEN", payload: `"token-value"`, key: SignKey{Secret: []byte(laravelKey128)},
			opts: map[string]string{"cipher": "AES-128-GCM"}},
	} {
		cases = append(cases, signCase(t, tt, tt.key, tt.name))
	}
	// A value made for another cookie name: the prefix check refuses it.
	other := signCase(t, signTest{format: "laravel", cookie: "other", payload: `"x"`}, SignKey{Secret: []byte(laravelKey256)}, "laravel made for another cookie")
	other.Name, other.refuse = "laravel_session", true
	runAccept(t, append(cases, other), php, "interop/accept-signed.php")
}
