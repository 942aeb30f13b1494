package interop

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// decoded is the part of decode's JSON the checks read.
type decoded struct {
	Name      string                        `json:"name"`
	Format    string                        `json:"format"`
	Signature string                        `json:"signature"`
	Payload   any                           `json:"payload"`
	IssuedAt  string                        `json:"issued_at"`
	ExpiresAt string                        `json:"expires_at"`
	Fields    []struct{ Key, Value string } `json:"fields"`
	Warnings  []string                      `json:"warnings"`
	Error     string                        `json:"error"`
}

// words is everything decode said about an input, for checks that a
// condition is named.
func (d decoded) words() string {
	var w []string
	for _, f := range d.Fields {
		w = append(w, f.Key+": "+f.Value)
	}
	w = append(append(w, d.Warnings...), d.Error)
	return strings.ToLower(strings.Join(w, "; "))
}

// decodeArgs are decode's key flags for this app.
func (s *suite) decodeArgs(secret, encKey string) []string {
	var a []string
	if secret != "" {
		a = append(a, "--secret", secret)
	}
	if encKey != "" {
		a = append(a, "--enc-key", encKey)
	}
	return a
}

// decodeOne runs decode with args and returns its entry for the session
// cookie and its exit code.
func (s *suite) decodeOne(args ...string) (decoded, int, error) {
	var out []decoded
	code, err := s.sessctlJSONErr(&out, append([]string{"decode", "-o", "json"}, args...)...)
	if err != nil {
		return decoded{}, 0, err
	}
	for _, d := range out {
		if d.Name == s.spec.cookie {
			return d, code, nil
		}
	}
	return decoded{}, 0, fmt.Errorf("sessctl decode %v: exit %d, no entry for %s in %+v", args, code, s.spec.cookie, out)
}

// decode: decode --url on fresh sessions, each compared with the
// framework's own reading of the same cookie.
func (s *suite) decode(t *testing.T) []string {
	dir := t.TempDir()
	n := s.spec.sampleCount()
	ds := make([]decoded, n)
	codes := make([]int, n)
	s.samples = make([]map[string]string, n)
	parallel(t, n, func(i int) (err error) {
		jar := filepath.Join(dir, fmt.Sprintf("jar%d.txt", i))
		args := append([]string{"--url", s.in.url, "--jar", jar}, s.decodeArgs(s.in.secret, s.in.encKey)...)
		if ds[i], codes[i], err = s.decodeOne(args...); err != nil {
			return err
		}
		s.samples[i], err = readJar(jar)
		return err
	})
	truths := s.in.verify(t, s.samples)
	s.truths = truths
	wantSig := s.wantSignature()
	var bad tally
	for i, d := range ds {
		v := truths[i]
		if e, ok := v["error"]; ok {
			t.Fatalf("sample %d: the framework refuses its own cookie %v: %v", i, s.samples[i], e)
		}
		if codes[i] != 0 || d.Signature != wantSig {
			bad.add("verdict", i, fmt.Sprintf("exit %d signature %q, want 0 and %q (%s)", codes[i], d.Signature, wantSig, d.words()))
		}
		if slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.HasPrefix(w, "expired:") }) {
			bad.add("expired warning", i, fmt.Sprintf("a fresh cookie the framework accepts: %q", d.Warnings))
		}
		if salt := s.spec.salt; salt != "" && !slices.Contains(d.Fields, struct{ Key, Value string }{"salt", salt}) {
			bad.add("salt", i, fmt.Sprintf("fields %v, want salt %s (the one the session backend signs with)", d.Fields, salt))
		}
		if !jsonEqual(s.comparable(d.Payload), v["payload"]) {
			bad.add("payload", i, fmt.Sprintf("decode %s, %s reads %s", compact(d.Payload), s.spec.name, compact(v["payload"])))
		}
		if ts, ok := v["issued_at"].(float64); ok {
			if at, err := time.Parse(time.RFC3339, d.IssuedAt); err != nil || at.Unix() != int64(ts) {
				bad.add("issued_at", i, fmt.Sprintf("decode issued_at %q, the framework's timestamp %d", d.IssuedAt, int64(ts)))
			}
		}
		if ms, ok := v["expires_ms"].(float64); ok {
			if at, err := time.Parse(time.RFC3339Nano, d.ExpiresAt); err != nil || at.UnixMilli() != int64(ms) {
				bad.add("expires_at", i, fmt.Sprintf("decode expires_at %q, koa's _expire %d", d.ExpiresAt, int64(ms)))
			}
		}
	}
	return bad.problems(n)
}

// decodeMany: many inputs in one decode call, as arguments and on stdin,
// each read as alone: a companion .sig pairs within its own input only.
func (s *suite) decodeMany(t *testing.T) []string {
	need(t, s.samples)
	const nArgs, nStdin = 20, 60
	var p []string
	for _, via := range []string{"arguments", "stdin"} {
		n := min(nArgs, len(s.samples))
		args := []string{"decode", "-o", "json"}
		stdin := ""
		if via == "stdin" {
			n = min(nStdin, len(s.samples))
			args = append(args, "-")
		}
		for i := range n {
			if via == "stdin" {
				stdin += s.cookieHeader(s.samples[i]) + "\n"
			} else {
				args = append(args, s.cookieHeader(s.samples[i]))
			}
		}
		args = append(args, s.decodeArgs(s.in.secret, s.in.encKey)...)
		r := run(t, binDir, stdin, append([]string{s.bin}, args...)...)
		var out []decoded
		if err := json.Unmarshal(r.stdout, &out); err != nil {
			t.Fatalf("decode of %d inputs on %s: exit %d, not JSON: %v\n%s", n, via, r.code, err, r.stderr)
		}
		var ds []decoded
		for _, d := range out {
			if d.Name == s.spec.cookie {
				ds = append(ds, d)
			}
		}
		if len(ds) != n {
			p = append(p, fmt.Sprintf("%d inputs on %s: %d entries for %s", n, via, len(ds), s.spec.cookie))
			continue
		}
		var bad tally
		for i, d := range ds {
			if d.Signature != s.wantSignature() {
				bad.add("signature", i, fmt.Sprintf("%q, alone %q", d.Signature, s.wantSignature()))
			}
			if got := s.comparable(d.Payload); !jsonEqual(got, s.truths[i]["payload"]) {
				bad.add("payload", i, fmt.Sprintf("decode %s, %s reads %s", compact(d.Payload), s.spec.name, compact(s.truths[i]["payload"])))
			}
		}
		if r.code != 0 {
			bad.add("exit status", 0, fmt.Sprintf("exit %d, want 0", r.code))
		}
		for _, q := range bad.problems(n) {
			p = append(p, via+": "+q)
		}
	}
	return p
}

// decodeNoCookie: decode --url on a page that sets no cookie, with an
// empty jar, has nothing to check: exit 2.
func (s *suite) decodeNoCookie(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	r := run(t, binDir, "", append([]string{s.bin, "decode", "-o", "json", "--url", s.in.url + "_truth", "--jar", jar},
		s.decodeArgs(s.in.secret, s.in.encKey)...)...)
	if r.code != 2 {
		return []string{fmt.Sprintf("decode --url of a page that sets no cookie: exit %d, want 2 (nothing to check): %.200s %.200s", r.code, r.stdout, r.stderr)}
	}
	return nil
}

// expired: a session signed longer ago than the framework's default
// lifetime, which the framework refuses, carries decode's "expired:"
// warning; one signed half a lifetime ago, which it accepts, does not.
func (s *suite) expired(t *testing.T) []string {
	var p []string
	for _, days := range []float64{s.spec.lifetime + 6, s.spec.lifetime / 2} {
		value := s.in.old(t, days)
		truth := s.in.verify(t, []map[string]string{{s.spec.cookie: value}})[0]
		_, refused := truth["error"]
		if refused != (days > s.spec.lifetime) {
			t.Fatalf("signed %g days ago, the framework says %v", days, truth)
		}
		d, code, err := s.decodeOne(append([]string{s.spec.cookie + "=" + value}, s.decodeArgs(s.in.secret, s.in.encKey)...)...)
		if err != nil {
			t.Fatal(err)
		}
		warned := slices.ContainsFunc(d.Warnings, func(w string) bool { return strings.HasPrefix(w, "expired:") })
		if d.Signature != "valid" || warned != refused {
			p = append(p, fmt.Sprintf("signed %g days ago (default lifetime %g days; %s says %v): signature %q exit %d warnings %q, want \"valid\" and %s",
				days, s.spec.lifetime, s.spec.name, truth["error"], d.Signature, code, d.Warnings, map[bool]string{true: "an expired: warning", false: "no expired: warning"}[refused]))
		}
	}
	return p
}

// gobType: after POST /login the session holds a value of the app's own
// gob-registered type: decode names the type and does not guess its fields.
func (s *suite) gobType(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	user := "u" + randHex(4)
	s.visitOnce(t, jar, s.in.url)
	s.visitOnce(t, jar, "-X", "POST", "-d", "user="+user, s.in.url+"login")
	d, code, err := s.decodeOne(append([]string{"--jar", jar}, s.decodeArgs(s.in.secret, s.in.encKey)...)...)
	if err != nil {
		t.Fatal(err)
	}
	var p []string
	if d.Signature != "valid" || code != 0 {
		p = append(p, fmt.Sprintf("signature %q exit %d, want \"valid\" and 0", d.Signature, code))
	}
	if !strings.Contains(d.words(), strings.ToLower(s.spec.gobType)) {
		p = append(p, fmt.Sprintf("%s not named: %q", s.spec.gobType, d.words()))
	}
	if m, ok := d.Payload.(map[string]any); ok && strings.Contains(compact(m["profile"]), user) {
		p = append(p, fmt.Sprintf("the %s value shown as guessed: %s", s.spec.gobType, compact(m["profile"])))
	}
	return p
}

// wantSignature is decode's verdict on this app's cookies with its secret.
func (s *suite) wantSignature() string {
	if s.spec.secret {
		return "valid"
	}
	return "unsigned"
}

// comparable is decode's payload in the shape of the framework's reading.
func (s *suite) comparable(payload any) any {
	if s.spec.name == "koa" {
		return withoutKoaMeta(payload)
	}
	return payload
}

// wrongSecret: a wrong secret is named as such on every sample tried.
func (s *suite) wrongSecret(t *testing.T) []string {
	need(t, s.samples)
	wrong := randHex(len(s.in.secret) / 2)
	var bad tally
	for i, c := range s.samples[:10] {
		d, code, err := s.decodeOne(append([]string{s.cookieHeader(c)}, s.decodeArgs(wrong, s.in.encKey)...)...)
		if err != nil {
			t.Fatal(err)
		}
		if code != 1 || d.Signature != "invalid" {
			bad.add("wrong secret", i, fmt.Sprintf("exit %d signature %q, want 1 and \"invalid\"", code, d.Signature))
		}
	}
	return bad.problems(10)
}

// wrongEncKey: the right hash key and a wrong block key: the signature is
// valid, decryption fails, and decode says so and which key to check.
func (s *suite) wrongEncKey(t *testing.T) []string {
	need(t, s.samples)
	wrong := randHex(len(s.in.encKey) / 2)
	var bad tally
	parallel(t, len(s.samples), func(i int) error {
		d, code, err := s.decodeOne(append([]string{s.cookieHeader(s.samples[i])}, s.decodeArgs(s.in.secret, wrong)...)...)
		w := d.words()
		if code != 1 || d.Signature != "valid" || d.Payload != nil || !strings.Contains(w, "decrypt") || !strings.Contains(w, "enc-key") {
			bad.add("wrong enc-key", i, fmt.Sprintf("exit %d signature %q payload %s, said %q; want exit 1, \"valid\", null, and decryption failed naming --enc-key",
				code, d.Signature, compact(d.Payload), w))
		}
		return err
	})
	return bad.problems(len(s.samples))
}

// noEncKey: an encrypted cookie decoded without its block key is never
// shown as plaintext: no payload, and --enc-key is asked for.
func (s *suite) noEncKey(t *testing.T) []string {
	need(t, s.samples)
	var bad tally
	parallel(t, len(s.samples), func(i int) error {
		d, _, err := s.decodeOne(s.cookieHeader(s.samples[i]), "--secret", s.in.secret)
		w := d.words()
		if err == nil && (d.Payload != nil || !strings.Contains(w, "enc-key") || strings.Contains(w, "client-readable")) {
			bad.add("no enc-key", i, fmt.Sprintf("payload %s, said %q; want null and --enc-key asked for", compact(d.Payload), w))
		}
		return err
	})
	return bad.problems(len(s.samples))
}

// cookieHeader is one sample as one decode input: a Cookie header with all
// its cookies, so that a companion .sig pairs within it.
func (s *suite) cookieHeader(c map[string]string) string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + c[n]
	}
	return "Cookie: " + strings.Join(parts, "; ")
}

func need(t *testing.T, samples []map[string]string) {
	t.Helper()
	if len(samples) == 0 {
		t.Fatal("no samples: the decode check must run first")
	}
}

// withoutKoaMeta drops koa-session's _expire and _maxAge, which decode
// shows in the payload and koa keeps out of ctx.session (decode's
// expires_at is compared with _expire instead).
func withoutKoaMeta(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		if k != "_expire" && k != "_maxAge" {
			out[k] = x
		}
	}
	return out
}
