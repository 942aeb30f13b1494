package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	benchN      = 300 // requests per bench run
	benchC      = 8   // bench connections
	decodeProcs = 4   // decode --url runs at a time
)

// TestFrameworks runs sessctl against each real framework app: bench
// --shared and per-session with the truth from the app and its store, visit
// x3 through one jar, login and logout, decode --url on fresh cookies
// compared with the framework's own reading, and wrong secrets and keys.
func TestFrameworks(t *testing.T) {
	for _, spec := range apps {
		t.Run(spec.name, func(t *testing.T) {
			t.Parallel()
			bin := sessctl(t)
			in := spec.start(t)
			s := &suite{spec: spec, in: in, bin: bin}
			// bench --shared first, on the fresh app: its session is then the
			// only one whose counter passed 3 (the truth's max_count).
			s.check(t, "bench-shared", s.benchShared)
			s.check(t, "bench-per-session", s.benchPerSession)
			s.check(t, "bench-errors", s.benchErrors)
			s.check(t, "bench-jar", s.benchJar)
			s.check(t, "visit", s.visit)
			s.check(t, "login-logout", s.loginLogout)
			s.check(t, "decode", s.decode)
			s.check(t, "decode-many", s.decodeMany)
			s.check(t, "decode-no-cookie", s.decodeNoCookie)
			if spec.secret {
				s.check(t, "wrong-secret", s.wrongSecret)
			}
			if spec.carried && spec.secret {
				s.check(t, "sign", s.signed)
			}
			if in.old != nil {
				s.check(t, "expired", s.expired)
			}
			if spec.gobType != "" {
				s.check(t, "gob-type", s.gobType)
			}
			if spec.encKey {
				s.check(t, "wrong-enc-key", s.wrongEncKey)
				s.check(t, "no-enc-key", s.noEncKey)
			}
		})
	}
}

// suite is one app's run; problems are what a check saw go wrong.
type suite struct {
	spec    appSpec
	in      *instance
	bin     string
	samples []map[string]string // the cookies of each decode sample, for the later checks
	truths  []map[string]any    // the framework's reading of each sample
}

// check runs one check as a subtest, applying knownBroken.
func (s *suite) check(t *testing.T, name string, f func(t *testing.T) []string) {
	t.Run(name, func(t *testing.T) {
		problems := f(t)
		reason, broken := knownBroken[check{s.spec.name, name}]
		switch {
		case broken && len(problems) > 0:
			t.Skipf("known broken (%s): %s", reason, strings.Join(problems, "; "))
		case broken:
			t.Fatalf("listed in knownBroken (%s) but holds now: remove it from the table", reason)
		case len(problems) > 0:
			t.Errorf("%s/%s:\n  %s", s.spec.name, name, strings.Join(problems, "\n  "))
		}
	})
}

// sessctlJSON runs sessctl with args and decodes its JSON stdout into v.
func (s *suite) sessctlJSON(t *testing.T, v any, args ...string) int {
	t.Helper()
	code, err := s.sessctlJSONErr(v, args...)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// sessctlJSONErr is sessctlJSON for worker goroutines: trouble is an error.
func (s *suite) sessctlJSONErr(v any, args ...string) (int, error) {
	r, err := runCmd(binDir, "", append([]string{s.bin}, args...)...)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(r.stdout, v); err != nil {
		return 0, fmt.Errorf("sessctl %s: exit %d, output not JSON (%v): %.300s\n%s",
			strings.Join(args, " "), r.code, err, r.stdout, r.stderr)
	}
	return r.code, nil
}

type truth struct {
	Requests int `json:"requests"`
	Created  int `json:"created"`
	MaxCount int `json:"max_count"`
}

func (s *suite) truth(t *testing.T) truth {
	var tr truth
	getJSON(t, s.in.url+"_truth", &tr)
	return tr
}

// benchResult is the part of bench's JSON the checks read.
type benchResult struct {
	Requests    int            `json:"requests"`
	Successes   int            `json:"successes"`
	Errors      map[string]int `json:"errors"`
	Consistency struct {
		Verdict         string `json:"verdict"`
		SessionsCreated int    `json:"sessions_created"`
		ExtraSessions   int    `json:"extra_sessions"`
		Gaps            int    `json:"gaps"`
		Repeats         int    `json:"repeats"`
		Regressions     int    `json:"regressions"`
		Resets          int    `json:"resets"`
		IDChanges       int    `json:"id_changes"`
		InitialCounter  int    `json:"initial_counter"`
		FinalCounter    int    `json:"final_counter"`
		LostUpdates     int    `json:"lost_updates"`
		Duplicates      int    `json:"duplicates"`
	} `json:"consistency"`
}

func (s *suite) bench(t *testing.T, extra ...string) (benchResult, int) {
	var b benchResult
	args := append([]string{"bench", "-n", fmt.Sprint(benchN), "-c", fmt.Sprint(benchC), "-o", "json"}, extra...)
	code := s.sessctlJSON(t, &b, append(args, s.in.url)...)
	return b, code
}

// benchShared: every request on one session. The truth: the app counts the
// requests it served and the sessions it created; the final counter is the
// store's (server-side sessions) or the highest the app issued (the session
// lives in the cookie: every concurrent update on the one cookie but the
// last writer's is lost, and each lost one repeats a counter already sent).
func (s *suite) benchShared(t *testing.T) []string {
	before := s.truth(t)
	if before.Requests != 0 {
		t.Fatalf("bench-shared needs a fresh app, this one served %d requests", before.Requests)
	}
	b, code := s.bench(t, "--shared")
	after := s.truth(t)
	c := b.Consistency
	var p []string
	// The session's creation and bench's final probe are requests of their
	// own; a request that failed may or may not have reached the app.
	if extra := c.SessionsCreated + 1; after.Requests < b.Successes+extra || after.Requests > b.Requests+extra {
		p = append(p, fmt.Sprintf("bench counts %d successes of %d requests (errors %v) + %d sessions created + the final probe, the app served %d requests",
			b.Successes, b.Requests, b.Errors, c.SessionsCreated, after.Requests))
	}
	if c.Resets != after.Created-1 || c.ExtraSessions != after.Created-1 {
		p = append(p, fmt.Sprintf("resets %d, extra sessions %d: the app created %d session(s) in all, so %d",
			c.Resets, c.ExtraSessions, after.Created, after.Created-1))
	}
	final, where := after.MaxCount, "highest counter the app issued"
	if s.in.store != nil {
		final, where = 0, "store's counter"
		for _, v := range s.in.store(t) {
			if n, ok := v["visitCount"].(float64); ok && int(n) > final {
				final = int(n)
			}
		}
	}
	updates := after.Requests - after.Created
	lost := updates - (final - 1)
	if abs(c.LostUpdates-lost) > benchC {
		p = append(p, fmt.Sprintf("lost updates %d, truth %d (%d updates, %s %d)", c.LostUpdates, lost, updates, where, final))
	}
	if abs(c.FinalCounter-final) > benchC {
		p = append(p, fmt.Sprintf("final counter %d, %s %d", c.FinalCounter, where, final))
	}
	if s.spec.carried && abs(c.Duplicates-lost) > benchC {
		p = append(p, fmt.Sprintf("duplicates %d, truth %d (each lost update on a cookie repeats a counter)", c.Duplicates, lost))
	}
	wantVerdict, wantCode := "CONSISTENT", 0
	if lost > 0 {
		wantVerdict, wantCode = "INCONSISTENT", 1
	}
	if c.Verdict != wantVerdict || code != wantCode {
		p = append(p, fmt.Sprintf("verdict %s exit %d, want %s exit %d (truth: %d of %d updates lost)",
			c.Verdict, code, wantVerdict, wantCode, lost, updates))
	}
	t.Logf("bench --shared: %d updates, %d lost (truth), bench: lost %d duplicates %d resets %d final %d, %s %d",
		updates, lost, c.LostUpdates, c.Duplicates, c.Resets, c.FinalCounter, where, final)
	return p
}

// benchPerSession: one session per connection, each user's requests in
// sequence: nothing may be lost, and the app (and its store) created exactly
// the sessions bench reports.
func (s *suite) benchPerSession(t *testing.T) []string {
	before := s.truth(t)
	var storeBefore map[string]map[string]any
	if s.in.store != nil {
		storeBefore = s.in.store(t)
	}
	b, code := s.bench(t)
	after := s.truth(t)
	c := b.Consistency
	var p []string
	created := after.Created - before.Created
	if c.SessionsCreated != created {
		p = append(p, fmt.Sprintf("bench reports %d sessions created, the app created %d", c.SessionsCreated, created))
	}
	t.Logf("bench: %d successes, %d sessions created; the app served %d requests, created %d sessions",
		b.Successes, c.SessionsCreated, after.Requests-before.Requests, created)
	served := after.Requests - before.Requests
	if served < b.Successes || served > b.Requests {
		p = append(p, fmt.Sprintf("bench counts %d successes of %d requests (errors %v), the app served %d requests",
			b.Successes, b.Requests, b.Errors, served))
	}
	if s.in.store != nil {
		newSessions, sum := 0, 0
		for id, v := range s.in.store(t) {
			if _, old := storeBefore[id]; old {
				continue
			}
			newSessions++
			n, _ := v["visitCount"].(float64)
			sum += int(n)
		}
		if newSessions != c.SessionsCreated {
			p = append(p, fmt.Sprintf("the store has %d new sessions, bench reports %d created", newSessions, c.SessionsCreated))
		}
		// A request that failed on bench's side (a timeout) may still have
		// been saved.
		if sum < b.Successes || sum > b.Requests {
			p = append(p, fmt.Sprintf("the new sessions' counters add up to %d, bench counts %d successes of %d requests", sum, b.Successes, b.Requests))
		}
	}
	if c.Verdict != "CONSISTENT" || code != 0 || c.Resets+c.Gaps+c.Repeats+c.Regressions+c.IDChanges+c.ExtraSessions != 0 {
		p = append(p, fmt.Sprintf("verdict %s exit %d (resets %d, gaps %d, repeats %d, regressions %d, id changes %d, extra sessions %d), want CONSISTENT exit 0: %d users in sequence lose nothing",
			c.Verdict, code, c.Resets, c.Gaps, c.Repeats, c.Regressions, c.IDChanges, c.ExtraSessions, created))
	}
	return p
}

// benchErrors: half the requests get the app's 404 (round-robin over / and
// a missing page): the failures decide the exit status (--max-errors is 0
// by default), and the 404s are counted as such.
func (s *suite) benchErrors(t *testing.T) []string {
	var b benchResult
	code := s.sessctlJSON(t, &b, "bench", "-n", "200", "-c", "4", "--counter", "", "-o", "json", s.in.url, s.in.url+"no-such-page")
	var p []string
	if b.Successes == 0 || b.Successes == 200 {
		p = append(p, fmt.Sprintf("%d successes of 200, want some (half the requests went to a missing page)", b.Successes))
	}
	if errs, _ := json.Marshal(b.Errors); !strings.Contains(string(errs), "404") {
		p = append(p, fmt.Sprintf("errors %s name no 404", errs))
	}
	if code != 1 {
		p = append(p, fmt.Sprintf("exit %d with 100 of 200 requests failed, want 1 (--max-errors 0 by default)", code))
	}
	return p
}

// benchJar: bench --jar continues the session of a visit jar (shared mode
// on that session) and leaves the jar as it was.
func (s *suite) benchJar(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	for range 3 {
		s.visitOnce(t, jar, s.in.url)
	}
	before, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	truthBefore := s.truth(t)
	var b benchResult
	r := run(t, binDir, "", s.bin, "bench", "--jar", jar, "-n", "100", "-c", "4", "-o", "json", s.in.url)
	var p []string
	if err := json.Unmarshal(r.stdout, &b); err != nil || r.code == 2 {
		return []string{fmt.Sprintf("bench --jar: exit %d: %s", r.code, bytes.TrimSpace(r.stderr))}
	}
	if created := s.truth(t).Created - truthBefore.Created; created != 0 || b.Consistency.InitialCounter != 4 {
		p = append(p, fmt.Sprintf("the app created %d sessions, bench's initial counter %d: want 0 and 4 (the jar's session after 3 visits, continued)",
			created, b.Consistency.InitialCounter))
	}
	if after, _ := os.ReadFile(jar); !bytes.Equal(before, after) {
		p = append(p, "bench --jar changed the jar (read only)")
	}
	return p
}

// visitResult is the part of visit's JSON the checks read.
type visitResult struct {
	Visits []struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"visits"`
}

func (s *suite) visitOnce(t *testing.T, jar string, args ...string) (status int, body map[string]any) {
	var v visitResult
	code := s.sessctlJSON(t, &v, append([]string{"visit", "--jar", jar, "-o", "json"}, args...)...)
	if code != 0 || len(v.Visits) != 1 {
		t.Fatalf("sessctl visit %v: exit %d, %d visits", args, code, len(v.Visits))
	}
	json.Unmarshal(v.Visits[0].Body, &body) // a body that is no JSON object stays nil
	return v.Visits[0].Status, body
}

// visit: three runs of sessctl visit through one jar continue one session.
func (s *suite) visit(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	var p []string
	for i := 1; i <= 3; i++ {
		status, body := s.visitOnce(t, jar, s.in.url)
		want := 200
		if i == 1 {
			want = 201
		}
		if n, _ := body["visitCount"].(float64); status != want || int(n) != i {
			p = append(p, fmt.Sprintf("visit %d: status %d visitCount %v, want %d and %d", i, status, body["visitCount"], want, i))
		}
	}
	return p
}

// loginLogout: POST /login stores the user; after GET /logout the next
// visit starts a new session.
func (s *suite) loginLogout(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	user := "u" + randHex(4)
	var p []string
	s.visitOnce(t, jar, s.in.url)
	if status, body := s.visitOnce(t, jar, "-X", "POST", "-d", "user="+user, s.in.url+"login"); status != 200 || body["user"] != user {
		p = append(p, fmt.Sprintf("POST /login: status %d body %v, want 200 and user %s", status, body, user))
	}
	s.visitOnce(t, jar, s.in.url+"logout")
	if status, body := s.visitOnce(t, jar, s.in.url); status != 201 || body["visitCount"] != 1.0 {
		p = append(p, fmt.Sprintf("GET / after logout: status %d visitCount %v, want 201 and 1", status, body["visitCount"]))
	}
	return p
}

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

// parallel calls f(0..n-1) from decodeProcs goroutines; the first error
// stops the calls and fails the test.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	stop := make(chan struct{})
	for range decodeProcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err; close(stop) })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-stop:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// tally counts the samples that failed each way and keeps two examples;
// safe for concurrent use.
type tally struct {
	mu       sync.Mutex
	kinds    []string
	count    map[string]int
	examples map[string][]string
}

func (b *tally) add(kind string, i int, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count == nil {
		b.count, b.examples = map[string]int{}, map[string][]string{}
	}
	if b.count[kind] == 0 {
		b.kinds = append(b.kinds, kind)
	}
	b.count[kind]++
	if len(b.examples[kind]) < 2 {
		b.examples[kind] = append(b.examples[kind], fmt.Sprintf("#%d: %s", i, msg))
	}
}

func (b *tally) problems(of int) []string {
	var p []string
	for _, k := range b.kinds {
		p = append(p, fmt.Sprintf("%s wrong on %d of %d cookies, e.g. %s", k, b.count[k], of, strings.Join(b.examples[k], " | ")))
	}
	return p
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

func jsonEqual(a, b any) bool {
	var x, y any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		b = append(b[:200], "..."...)
	}
	return string(b)
}

func abs(n int) int { return int(math.Abs(float64(n))) }
