package cmd

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

// runSignCLI runs "sessctl sign args..." in process with stdin.
func runSignCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	code, out, errOut := runSessctlIn(t, stdin, append([]string{"sign"}, args...)...)
	return out, errOut, code
}

func TestSignFlags(t *testing.T) {
	var got *signOptions
	streams, _, _, _ := report.Test()
	c := newSignCmd(streams, func(_ context.Context, o *signOptions) error { got = o; return nil })
	c.SetArgs([]string{"--format", "flask", "--secret", "s", "--name", "sess", "--opt", "salt=x", "--opt", "digest=sha256",
		"--issued-at", "1700000000", "--expires-at", "2030-01-02T03:04:05Z", "-o", "set-cookie", "--jar", "j.txt", "--url", "http://h/", "{}"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Format != "flask" || string(got.Key.Secret) != "s" || got.Name != "sess" || got.Options["salt"] != "x" ||
		got.Options["digest"] != "sha256" || got.IssuedAt.Unix() != 1700000000 || got.ExpiresAt.Year() != 2030 ||
		got.Output != "set-cookie" || got.Jar != "j.txt" || got.URL.Host != "h" || got.Payload != "{}" {
		t.Errorf("options %+v", got)
	}
}

func TestSignUsageErrors(t *testing.T) {
	const secret = "TOPSECRET-value"
	pem := filepath.Join(t.TempDir(), "pub.pem")
	os.WriteFile(pem, []byte("not a pem"), 0o600)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "flask", "{}"}, "--secret"},
		{[]string{"--format", "laravel", "--secret", secret, `"x"`}, "--secret"},
		{[]string{"--format", "securecookie", "--secret", secret, "--enc-key", "short", "{}"}, "--enc-key"},
		{[]string{"--format", "jwt", "--opt", "alg=RS256", "{}"}, "--key"},
		{[]string{"--format", "jwt", "--key-confusion", pem, "{}"}, "--key-confusion"},
		{[]string{"--format", "jwt", "--key", pem, "{}"}, "--key: " + pem + ": no PEM private key found"},
		{[]string{"--format", "jwt", "--key", "/nonexistent/key.pem", "{}"}, "--key: open /nonexistent/key.pem"},
		{[]string{"--format", "flask", "--secret", secret, "--opt", "digest=md5", "{}"}, "--opt"},
		{[]string{"--format", "nope", "--secret", secret, "{}"}, "--format"},
		{[]string{"--secret", secret, `{"a":1}`}, "--format"},
		{[]string{"--format", "flask", "--secret", secret}, "PAYLOAD"},
		{[]string{"--format", "flask", "--secret", secret, "{"}, "PAYLOAD"},
		{[]string{"--format", "flask", "--secret", secret, "@/nonexistent/file"}, "PAYLOAD"},
		{[]string{"--format", "flask", "--secret", secret, "-o", "xml", "{}"}, "-o"},
		{[]string{"--format", "flask", "--secret", secret, "--jar", "j.txt", "{}"}, "--jar"},
		{[]string{"--format", "flask", "--secret", secret, "--issued-at", "yesterday", "{}"}, "--issued-at"},
		{[]string{"--format", "opaque", "--secret", secret, `"x"`}, "--format"},
		{[]string{"--format", "cookie-session", "--secret", secret, `"x"`}, "payload"},
	}
	for _, tt := range tests {
		t.Setenv("SESSCTL_SECRET", "")
		out, errOut, code := runSignCLI(t, "", tt.args...)
		if code != ExitTrouble || !strings.Contains(errOut, tt.want) {
			t.Errorf("sign %q: exit %d, stderr %q; want 2 and a message naming %s", tt.args, code, errOut, tt.want)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("sign %q: the secret appears in the output: %s%s", tt.args, out, errOut)
		}
	}
}

// TestSignOutputs: the forms of -o, and the secret appears in none.
func TestSignOutputs(t *testing.T) {
	const secret = "k3y-never-shown"
	args := []string{"--format", "cookie-session", "--secret", secret, `{"visitCount":41}`}
	forms := map[string]func(string) bool{
		"pair": func(s string) bool {
			return strings.HasPrefix(s, "session=eyJ") && strings.Contains(s, "; session.sig=")
		},
		"value": func(s string) bool { return strings.Count(s, "\n") == 2 && !strings.Contains(s, "=e") },
		"set-cookie": func(s string) bool {
			return strings.Count(s, "Set-Cookie: ") == 2 && strings.Contains(s, "; Path=/; HttpOnly")
		},
		"json": func(s string) bool { return strings.Contains(s, `"name": "session.sig"`) },
	}
	for form, ok := range forms {
		out, errOut, code := runSignCLI(t, "", append(args, "-o", form)...)
		if code != 0 || !ok(out) {
			t.Errorf("-o %s: exit %d: %q %s", form, code, out, errOut)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("-o %s: the secret appears in the output", form)
		}
	}
	// SESSCTL_SECRET is the default secret.
	t.Setenv("SESSCTL_SECRET", secret)
	envOut, _, code := runSignCLI(t, "", "--format", "cookie-session", "--issued-at", "1", `{"visitCount":41}`)
	flagOut, _, _ := runSignCLI(t, "", append(args, "--issued-at", "1")...)
	if code != 0 || envOut != flagOut {
		t.Errorf("with SESSCTL_SECRET: %q, with --secret: %q", envOut, flagOut)
	}
}

// TestSignReSignsDecodeDocument is the README's recipe, decode -o json |
// jq '.[0].payload.user="admin"' | sign --secret S -, for every format: the
// re-signed cookie verifies, carries the edit and keeps the options.
func TestSignReSignsDecodeDocument(t *testing.T) {
	tests := []struct {
		format, secret string
		extra          []string
		payload        string
	}{
		{"express", "s", nil, `{"user":"bob"}`},
		{"cookie-session", "s", []string{"--opt", "digest=sha256"}, `{"user":"bob"}`},
		{"koa-session", "s", nil, `{"user":"bob","_expire":1924992000000,"_maxAge":86400000}`},
		{"jwt", "s", []string{"--opt", "alg=HS384"}, `{"user":"bob"}`},
		{"securecookie", "hash-key", []string{"--opt", "serialization=json"}, `{"user":"bob"}`},
		{"flask", "s", nil, `{"user":"bob"}`},
		{"django", "s", []string{"--opt", "digest=sha1"}, `{"user":"bob"}`},
		{"rails", "skb", []string{"--opt", "key_derivation=sha1", "--opt", "envelope=message", "--expires-at", "2031-01-01T00:00:00Z"}, `{"user":"bob"}`},
		{"laravel", "base64:dGhpcnR5LXR3by1ieXRlLWtleS1mb3ItbGFyYXZlbCE=", []string{"--opt", "cipher=AES-256-GCM", "--name", "cart"}, `{"user":"bob"}`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			signed, errOut, code := runSignCLI(t, "", append([]string{"--format", tt.format, "--secret", tt.secret, tt.payload}, tt.extra...)...)
			if code != 0 {
				t.Fatalf("sign: exit %d: %s", code, errOut)
			}
			doc, errOut, code := runDecodeCLI(t, "", strings.TrimSpace(signed), "--secret", tt.secret, "-o", "json")
			if code != 0 {
				t.Fatalf("decode %s: exit %d: %s\n%s", signed, code, errOut, doc)
			}
			var elems []map[string]any
			if err := json.Unmarshal([]byte(doc), &elems); err != nil || len(elems) != 1 {
				t.Fatalf("decode's document: %v\n%s", err, doc)
			}
			elems[0]["payload"].(map[string]any)["user"] = "admin" // jq '.[0].payload.user="admin"'
			edited, _ := json.Marshal(elems)
			again, errOut, code := runSignCLI(t, string(edited), "--secret", tt.secret, "-")
			if code != 0 {
				t.Fatalf("re-sign: exit %d: %s", code, errOut)
			}
			doc2, errOut, code := runDecodeCLI(t, "", strings.TrimSpace(again), "--secret", tt.secret, "-o", "json")
			if code != 0 {
				t.Fatalf("decode re-signed: exit %d: %s\n%s", code, errOut, doc2)
			}
			var elems2 []map[string]any
			json.Unmarshal([]byte(doc2), &elems2)
			e := elems2[0]
			if e["signature"] != "valid" || e["name"] != elems[0]["name"] || e["format"] != tt.format ||
				e["payload"].(map[string]any)["user"] != "admin" {
				t.Fatalf("re-signed cookie decodes as %s", doc2)
			}
			o1, _ := json.Marshal(elems[0]["options"])
			o2, _ := json.Marshal(e["options"])
			if string(o1) != string(o2) || e["expires_at"] != elems[0]["expires_at"] {
				t.Errorf("options %s expires %v, re-signed %s expires %v", o1, elems[0]["expires_at"], o2, e["expires_at"])
			}
			// One element of the array, from a file, does the same.
			one, _ := json.Marshal(elems[0])
			f := filepath.Join(t.TempDir(), "doc.json")
			os.WriteFile(f, one, 0o600)
			if _, errOut, code := runSignCLI(t, "", "--secret", tt.secret, "@"+f); code != 0 {
				t.Errorf("sign @%s (one element): exit %d: %s", f, code, errOut)
			}
		})
	}
}

// visitCount visits url with the jar and returns the visitCount the app
// answers.
func visitCount(t *testing.T, url, jar string) float64 {
	t.Helper()
	code, out, errOut := runSessctl(t, "visit", url, "--jar", jar, "-o", "json")
	if code != 0 {
		t.Fatalf("visit: exit %d: %s", code, errOut)
	}
	var v struct {
		Visits []struct {
			Status int `json:"status"`
			Body   struct {
				VisitCount float64 `json:"visitCount"`
			} `json:"body"`
		} `json:"visits"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Visits) != 1 {
		t.Fatalf("visit's JSON: %v\n%s", err, out)
	}
	if v.Visits[0].Status != 200 {
		t.Errorf("status %d, want 200 (a session continued, not created)", v.Visits[0].Status)
	}
	return v.Visits[0].Body.VisitCount
}

// plantAndVisit signs a session with visitCount 41 into a jar for url and
// visits: the real app must answer 42.
func plantAndVisit(t *testing.T, url, secret string, args ...string) {
	t.Helper()
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	_, errOut, code := runSignCLI(t, "", append(args, "--secret", secret, "--jar", jar, "--url", url, `{"sid":7,"visitCount":41}`)...)
	if code != 0 {
		t.Fatalf("sign: exit %d: %s", code, errOut)
	}
	j, err := client.OpenJar(jar, client.JarOptions{})
	if err != nil || len(j.All()) == 0 {
		t.Fatalf("jar after sign: %v %v", err, j.All())
	}
	if got := visitCount(t, url, jar); got != 42 {
		t.Errorf("visitCount %v, want 42", got)
	}
}

// TestSignPlantedCookieSessionApp: the real npm cookie-session (the
// reference Express app) continues a session sessctl signed.
func TestSignPlantedCookieSessionApp(t *testing.T) {
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	node := exec.Command("node", "cookie-session-app.js")
	node.Dir = dir
	node.Env = append(os.Environ(), "PORT="+port, "KEYS=sign-key,old")
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Process.Kill(); node.Wait() })
	testenv.WaitListening(t, addr, 30*time.Second)
	plantAndVisit(t, "http://"+addr+"/", "sign-key", "--format", "cookie-session")
}

// TestSignPlantedServeDemoCookie: serve-demo --mode cookie continues a
// session sessctl signed.
func TestSignPlantedServeDemoCookie(t *testing.T) {
	_, url := startServeDemo(t, "--mode", "cookie", "--secret", "demo-key")
	plantAndVisit(t, url, "demo-key", "--format", "cookie-session")
}
