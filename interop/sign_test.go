package interop

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// signArgs are the sessctl sign flags that make each cookie-carried app's
// session cookie: the format and the options of the setup the app runs.
var signArgs = map[string][]string{
	"flask":             {"--format", "flask"},
	"django-signed":     {"--format", "django"},
	"gorilla-hash":      {"--format", "securecookie"},
	"gorilla-hashblock": {"--format", "securecookie"},
	"koa":               {"--format", "koa-session"},
	// ActionDispatch 6.1 (load_defaults 6.1): SHA1 key derivation, the
	// 6.0-7.0 metadata envelope.
	"rails": {"--format", "rails", "--opt", "key_derivation=sha1", "--opt", "envelope=message"},
}

// signed: a session sessctl sign makes with visitCount 41, planted in a jar
// for the app, is continued by the app: 200 and visitCount 42.
func (s *suite) signed(t *testing.T) []string {
	args, ok := signArgs[s.spec.name]
	if !ok {
		return []string{"no sessctl sign flags for " + s.spec.name + " in signArgs"}
	}
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	args = append(append([]string{"sign"}, args...), "--name", s.spec.cookie, "--secret", s.in.secret,
		"--jar", jar, "--url", s.in.url, `{"sid":7,"visitCount":41}`)
	if s.in.encKey != "" {
		args = append(args, "--enc-key", s.in.encKey)
	}
	r, err := runCmd(binDir, "", append([]string{s.bin}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		return []string{fmt.Sprintf("sessctl sign: exit %d: %s", r.code, r.stderr)}
	}
	if strings.Contains(string(r.stdout)+string(r.stderr), s.in.secret) {
		return []string{"sessctl sign printed the secret"}
	}
	status, body := s.visitOnce(t, jar, s.in.url)
	if n, _ := body["visitCount"].(float64); status != 200 || n != 42 {
		return []string{fmt.Sprintf("after sign (visitCount 41): status %d visitCount %v, want 200 and 42", status, body["visitCount"])}
	}
	return nil
}
