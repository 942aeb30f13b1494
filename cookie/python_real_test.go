package cookie

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// pyCookie is one cookie interop/make-python-cookies.py makes with the
// real Flask or Django, and the framework's own verdict on it now.
type pyCookie struct {
	Value    string          `json:"value"`
	Accepted bool            `json:"accepted"`
	Payload  json.RawMessage `json:"payload"`
	Error    string          `json:"error"`
}

func makePythonCookies(t *testing.T, reqs []map[string]any) map[string]pyCookie {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import flask, django").Run(); err != nil {
		testenv.Missing(t, "python3-flask and python3-django for /usr/bin/python3")
	}
	in, _ := json.Marshal(reqs)
	cmd := exec.Command(py, "interop/make-python-cookies.py")
	cmd.Dir = testenv.RepoRoot()
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make-python-cookies.py: %v\n%s", err, stderr.String())
	}
	var got map[string]pyCookie
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestFlaskDjangoAgeAndSaltAsTheFrameworks: Flask and Django cookies of
// several ages and salts, made by the real libraries; decode calls one
// acceptable (valid, not expired, the session salt) exactly when the
// framework accepts it, and shows the payload the framework loads.
func TestFlaskDjangoAgeAndSaltAsTheFrameworks(t *testing.T) {
	const day = 86400
	type req = map[string]any
	var reqs []req
	add := func(id, fw string, age int, salt string, tags bool) {
		r := req{"id": id, "framework": fw, "secret": "s3cret-" + fw, "payload": req{"user": "alice", "n": age}, "age_s": age, "tags": tags}
		if salt != "" {
			r["salt"] = salt
		}
		reqs = append(reqs, r)
	}
	for _, age := range []int{0, 3600, 13 * day, 15 * day, 30 * day, 32 * day, 400 * day} {
		add(fmt.Sprintf("flask-%d", age), "flask", age, "", age == 0)
		add(fmt.Sprintf("django-%d", age), "django", age, "", false)
	}
	add("flask-salt", "flask", 0, "my-salt", false)
	add("django-dumps-salt", "django", 0, "django.core.signing", false)
	add("django-custom-salt", "django", 0, "my-salt", false)
	got := makePythonCookies(t, reqs)
	now := time.Now()
	for _, r := range reqs {
		id := r["id"].(string)
		c, ok := got[id]
		if !ok {
			t.Fatalf("%s: not made", id)
		}
		keys := Keys{Secrets: [][]byte{[]byte(r["secret"].(string))}, Salts: []string{"my-salt"}}
		d, err := Decode(Input{Name: "session", Value: c.Value}, keys, "")
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		JudgeAge(d, 0, now)
		expired, otherSalt := hasWarning(d, "expired:"), hasWarning(d, "other salt:")
		accepted := d.Signature == Valid && !expired && !otherSalt
		if accepted != c.Accepted {
			t.Errorf("%s: decode says %s, expired %v, other salt %v; the framework accepts it: %v (%s)\n%q",
				id, d.Signature, expired, otherSalt, c.Accepted, c.Error, d.Warnings)
		}
		if d.Signature != Valid {
			t.Errorf("%s: signature %s with --salt my-salt", id, d.Signature)
		}
		if c.Accepted {
			p, _ := json.Marshal(d.Payload)
			if !jsonEqual(p, c.Payload) {
				t.Errorf("%s: payload %s, the framework loads %s", id, p, c.Payload)
			}
		}
		if salt, _ := r["salt"].(string); salt != "" && fieldValue(d.Fields, "salt") != salt {
			t.Errorf("%s: salt field %q, want %q", id, fieldValue(d.Fields, "salt"), salt)
		}
	}
	// --wordlist with --salt: the search tries the custom salt too.
	for _, id := range []string{"flask-salt", "django-custom-salt"} {
		secret := "s3cret-" + strings.SplitN(id, "-", 2)[0]
		wl := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("a\nb\n" + secret + "\n")), nil }
		b, err := DecodeAll(context.Background(), []Input{{Name: "session", Value: got[id].Value}},
			BatchOptions{Keys: Keys{Salts: []string{"my-salt"}}, Wordlist: wl, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		if a := b.Decoded[0].Audit; a == nil || !a.Found || a.Line != 3 || b.Decoded[0].Signature != Valid {
			t.Errorf("%s: wordlist with --salt: %+v %s", id, a, b.Decoded[0].Signature)
		}
	}
	// --max-age: the app's own lifetime replaces the default.
	c := got["flask-3600"]
	d, _ := Decode(Input{Name: "session", Value: c.Value}, Keys{Secrets: [][]byte{[]byte("s3cret-flask")}}, "")
	JudgeAge(d, 30*time.Minute, now)
	if !hasWarning(d, "expired:") || !strings.Contains(fieldValue(d.Fields, "max_age"), "--max-age") {
		t.Errorf("--max-age 30m on an hour-old cookie: %v %q", d.Fields, d.Warnings)
	}
}
