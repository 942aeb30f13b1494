package cmd

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

// runDecodeCLI runs "sessctl decode args..." in process and returns stdout,
// stderr and the exit code.
func runDecodeCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	code, out, errOut := runSessctlIn(t, stdin, append([]string{"decode"}, args...)...)
	return out, errOut, code
}

type cliDecoded struct {
	Name        string          `json:"name"`
	Format      string          `json:"format"`
	Signature   string          `json:"signature"`
	SecretIndex int             `json:"secret_index"`
	Payload     json.RawMessage `json:"payload"`
	IssuedAt    *time.Time      `json:"issued_at"`
	ExpiresAt   *time.Time      `json:"expires_at"`
	SizeBytes   int             `json:"size_bytes"`
	Warnings    []string        `json:"warnings"`
	Error       string          `json:"error"`
	Audit       *struct {
		Found  bool   `json:"found"`
		Secret string `json:"secret"`
		Line   int    `json:"line"`
	} `json:"audit"`
}

func decodeJSONOut(t *testing.T, out string) []cliDecoded {
	t.Helper()
	var ds []cliDecoded
	if err := json.Unmarshal([]byte(out), &ds); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out)
	}
	return ds
}

// cliVector is the schema of cookie/testdata/<format>/vectors.json.
type cliVector struct {
	Desc    string   `json:"desc"`
	Name    string   `json:"name"`
	Value   string   `json:"value"`
	Sig     string   `json:"sig"`
	HasSig  bool     `json:"has_sig"`
	Secrets []string `json:"secrets"`
	EncKeys []string `json:"enc_keys"`
	KeyPEM  string   `json:"key_pem"`
	Want    struct {
		Format          string          `json:"format"`
		Signature       string          `json:"signature"`
		SecretIndex     int             `json:"secret_index"`
		Payload         json.RawMessage `json:"payload"`
		PayloadContains string          `json:"payload_contains"`
	} `json:"want"`
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestDecodeVectorsCLI runs every golden vector of the Node, JWT and Go
// formats through "sessctl decode -o json" and checks format, payload,
// verdict and exit code.
func TestDecodeVectorsCLI(t *testing.T) {
	for _, format := range []string{"express", "cookie-session", "koa-session", "jwt", "securecookie", "opaque", "flask", "django", "rails", "laravel", "starlette", "iron", "authjs", "secure-session"} {
		path := filepath.Join("..", "cookie", "testdata", format, "vectors.json")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var vs []cliVector
		if err := json.Unmarshal(b, &vs); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, v := range vs {
			t.Run(format+"/"+v.Desc, func(t *testing.T) {
				// One input: a companion .sig pairs within its own input.
				in := v.Value
				if v.Name != "" {
					in = v.Name + "=" + v.Value
				}
				if v.HasSig {
					in = "Cookie: " + in + "; " + v.Name + ".sig=" + v.Sig
				}
				args := []string{in}
				for _, s := range v.Secrets {
					args = append(args, "--secret", s)
				}
				for _, k := range v.EncKeys {
					args = append(args, "--enc-key", k)
				}
				if v.KeyPEM != "" {
					p := filepath.Join(t.TempDir(), "key.pem")
					os.WriteFile(p, []byte(v.KeyPEM), 0o600)
					args = append(args, "--key", p)
				}
				args = append(args, "-o", "json")
				out, errOut, code := runDecodeCLI(t, "", args...)
				ds := decodeJSONOut(t, out)
				if len(ds) != 1 {
					t.Fatalf("%d results, want 1: %s", len(ds), out)
				}
				d := ds[0]
				if d.Format != v.Want.Format || d.Signature != v.Want.Signature || d.SecretIndex != v.Want.SecretIndex {
					t.Errorf("got %s/%s/%d, want %s/%s/%d", d.Format, d.Signature, d.SecretIndex,
						v.Want.Format, v.Want.Signature, v.Want.SecretIndex)
				}
				if v.Want.PayloadContains != "" {
					if !bytes.Contains(d.Payload, []byte(v.Want.PayloadContains)) {
						t.Errorf("payload %s lacks %q", d.Payload, v.Want.PayloadContains)
					}
				} else if !sameJSON(d.Payload, v.Want.Payload) {
					t.Errorf("payload = %s, want %s", d.Payload, v.Want.Payload)
				}
				wantCode := ExitOK
				if v.Want.Signature == "invalid" {
					wantCode = ExitCheckFailed
				}
				if code != wantCode {
					t.Errorf("exit %d, want %d (stderr %q)", code, wantCode, errOut)
				}
				for _, s := range append(v.Secrets, v.EncKeys...) {
					if len(s) >= 4 && strings.Contains(out+errOut, s) {
						t.Errorf("the secret %q appears in the output", s)
					}
				}
			})
		}
	}
}

// demoCookie serves one GET / from demo.NewHandler and returns its
// connect.sid cookie and the session id the body shows.
func demoCookie(t *testing.T, secret string) (*http.Cookie, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte(secret)}}))
	t.Cleanup(srv.Close)
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "connect.sid" {
			return c, srv
		}
	}
	t.Fatalf("no connect.sid from the demo handler: %v", res.Header)
	return nil, nil
}

func TestDecodeServeDemoCookie(t *testing.T) {
	c, _ := demoCookie(t, "demo-secret")
	out, _, code := runDecodeCLI(t, "", "Set-Cookie: "+c.String(), "--secret", "other", "--secret", "demo-secret", "-o", "json")
	d := decodeJSONOut(t, out)[0]
	if code != 0 || d.Format != "express" || d.Signature != "valid" || d.SecretIndex != 1 || d.Name != "connect.sid" {
		t.Fatalf("exit %d, %+v", code, d)
	}
	_, _, code = runDecodeCLI(t, "", "connect.sid="+c.Value, "--secret", "wrong")
	if code != ExitCheckFailed {
		t.Errorf("wrong secret: exit %d, want 1", code)
	}
}

func TestDecodeURL(t *testing.T) {
	_, srv := demoCookie(t, "url-secret")
	out, errOut, code := runDecodeCLI(t, "", "--url", srv.URL+"/", "--secret", "url-secret")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"connect.sid", "express", "signature:     valid", "express-session id"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "url-secret") {
		t.Error("the secret appears in the output")
	}
	// With --jar the visit goes through the jar and updates it; a second
	// run sends the cookie and decodes the one the jar holds.
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	out1, _, _ := runDecodeCLI(t, "", "--url", srv.URL+"/", "--jar", jar, "--secret", "url-secret", "-o", "json")
	first := decodeJSONOut(t, out1)
	if len(first) != 1 || first[0].Signature != "valid" {
		t.Fatalf("first visit: %s", out1)
	}
	out2, _, code := runDecodeCLI(t, "", "--jar", jar, "--secret", "url-secret", "-o", "json")
	jarred := decodeJSONOut(t, out2)
	if code != 0 || len(jarred) != 1 || !bytes.Equal(jarred[0].Payload, first[0].Payload) {
		t.Fatalf("--jar: exit %d, %s, want the session %s", code, out2, first[0].Payload)
	}
}

// TestDecodeRealExpressSession decodes the cookie the real express-session
// sets (interop/express-app.js, SECRET=sessionTesting).
func TestDecodeRealExpressSession(t *testing.T) {
	dir := testenv.Interop(t)
	addr := testenv.FreeAddr(t)
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	cmd := exec.Command("node", "express-app.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+port, "SECRET=sessionTesting")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	testenv.WaitListening(t, addr, 10*time.Second)

	out, errOut, code := runDecodeCLI(t, "", "--url", "http://"+addr+"/", "--secret", "sessionTesting", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ds := decodeJSONOut(t, out)
	if len(ds) != 1 || ds[0].Name != "connect.sid" || ds[0].Format != "express" || ds[0].Signature != "valid" {
		t.Fatalf("got %s", out)
	}
	var sid string
	if json.Unmarshal(ds[0].Payload, &sid) != nil || len(sid) != 32 {
		t.Errorf("payload %s is not a 32-char uid-safe id", ds[0].Payload)
	}
}

func TestDecodeWordlist(t *testing.T) {
	c, _ := demoCookie(t, "letmein")
	dir := t.TempDir()
	var list strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&list, "word%d\n", i)
	}
	miss := filepath.Join(dir, "miss.txt")
	os.WriteFile(miss, []byte(list.String()), 0o600)
	list.WriteString("letmein\n")
	hit := filepath.Join(dir, "hit.txt")
	os.WriteFile(hit, []byte(list.String()), 0o600)

	out, errOut, code := runDecodeCLI(t, "", "connect.sid="+c.Value, "--wordlist", hit, "-o", "json")
	d := decodeJSONOut(t, out)[0]
	if code != 0 || d.Signature != "valid" || d.Audit == nil || !d.Audit.Found || d.Audit.Secret != "letmein" || d.Audit.Line != 5001 {
		t.Fatalf("hit: exit %d %s %+v", code, errOut, d)
	}
	if !strings.HasPrefix(d.Warnings[len(d.Warnings)-1], "weak secret") {
		t.Errorf("warnings %q lack weak secret", d.Warnings)
	}
	out, _, code = runDecodeCLI(t, "", "connect.sid="+c.Value, "--wordlist", miss)
	if code != ExitCheckFailed || !strings.Contains(out, "no wordlist line verifies it: 5000 candidates") {
		t.Errorf("miss: exit %d\n%s", code, out)
	}
	_, errOut, code = runDecodeCLI(t, "", "PHPSESSID=9f86d081884c7d659a2feaa0c55ad015", "--wordlist", hit)
	if code != ExitCheckFailed || !strings.Contains(errOut, "no input is signed") {
		t.Errorf("unsigned input: exit %d %q", code, errOut)
	}
}

func TestDecodeInputsAndExitCodes(t *testing.T) {
	c, _ := demoCookie(t, "s3")
	// stdin, one input a line, mixed with a positional one.
	out, _, code := runDecodeCLI(t, "connect.sid="+c.Value+"\nPHPSESSID=9f86d081884c7d659a2feaa0c55ad015\n", "-", "jwt=eyJhbGciOiJub25lIn0.eyJhIjoxfQ.", "--secret", "s3", "-o", "json")
	ds := decodeJSONOut(t, out)
	if code != 0 || len(ds) != 3 || ds[0].Format != "express" || ds[1].Format != "opaque" || ds[2].Format != "jwt" {
		t.Fatalf("exit %d: %s", code, out)
	}
	if ds[2].Signature != "unsigned" || !strings.Contains(strings.Join(ds[2].Warnings, "|"), "alg none") {
		t.Errorf("alg none: %+v", ds[2])
	}
	// An undecodable input: exit 2, said in JSON and on stderr, with what
	// base64 shows.
	out, errOut, code := runDecodeCLI(t, "", "x=aGVsbG8gd29ybGQ=", "connect.sid="+c.Value, "-o", "json")
	ds = decodeJSONOut(t, out)
	if code != ExitTrouble || ds[0].Format != "unknown" || !strings.Contains(ds[0].Error, `"hello world"`) || !strings.Contains(errOut, "1 of 2 inputs could not be decoded") {
		t.Errorf("unknown: exit %d %q %+v", code, errOut, ds)
	}
	// SESSCTL_SECRET is used without --secret; --secret-file lines follow --secret.
	t.Setenv("SESSCTL_SECRET", "s3")
	if out, _, code := runDecodeCLI(t, "", "connect.sid="+c.Value, "-o", "json"); code != 0 || decodeJSONOut(t, out)[0].Signature != "valid" {
		t.Errorf("SESSCTL_SECRET: exit %d %s", code, out)
	}
	sf := filepath.Join(t.TempDir(), "secrets")
	os.WriteFile(sf, []byte("a\r\n\nb\ns3\n"), 0o600)
	out, _, _ = runDecodeCLI(t, "", "connect.sid="+c.Value, "--secret", "z", "--secret-file", sf, "-o", "json")
	if d := decodeJSONOut(t, out)[0]; d.SecretIndex != 3 {
		t.Errorf("--secret-file: secret_index %d, want 3", d.SecretIndex)
	}
}

// TestDecodeUsageErrors: each bad flag is refused before anything runs,
// with its own message, and exits 2. The input beside it decodes fine on
// its own, so only the check can make the run fail.
func TestDecodeUsageErrors(t *testing.T) {
	const ok = "PHPSESSID=9f86d081884c7d659a2feaa0c55ad015"
	if _, errOut, code := runDecodeCLI(t, "", ok); code != ExitOK {
		t.Fatalf("decode %s alone: exit %d %q", ok, code, errOut)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "nothing to decode: give a cookie value, -, --jar or --url (see 'sessctl decode --help')"},
		{[]string{ok, "-o", "yaml"}, `-o "yaml": want table, json or jsonl`},
		{[]string{ok, "--format", "nope"}, `--format "nope": want one of express,`},
		{[]string{ok, "--url", "ftp://host/"}, `--url: bad URL "ftp://host/": scheme must be http or https`},
		{[]string{ok, "--secret", ""}, "--secret #1 is empty"},
		{[]string{ok, "--secret", "a", "--secret", ""}, "--secret #2 is empty"},
		{[]string{ok, "--key", "/does/not/exist.pem"}, "--key: open /does/not/exist.pem: no such file"},
		{[]string{ok, "--enc-key", "hex:zz"}, "--enc-key #1: encoding/hex"},
		{[]string{ok, "--wordlist", "/does/not/exist"}, "--wordlist: stat /does/not/exist: no such file"},
		{[]string{ok, "--secret-file", "/does/not/exist"}, "--secret-file: open /does/not/exist: no such file"},
		{[]string{ok, "--workers", "-3"}, "--workers -3: want 0 (every core) or more"},
		{[]string{"--jar", "/does/not/exist.txt"}, "--jar: stat /does/not/exist.txt: no such file"},
	} {
		streams, _, _, _ := report.Test()
		ran := false
		c := newDecodeCmd(streams, func(context.Context, *decodeOptions) error { ran = true; return nil })
		c.SetArgs(tt.args)
		c.SetOut(io.Discard)
		c.SetErr(io.Discard)
		err := c.Execute()
		var ue *usageError
		if ran || !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("decode %q: ran %v, err %v; want usage error %q", tt.args, ran, err, tt.want)
		}
		if _, errOut, code := runDecodeCLI(t, "", tt.args...); code != ExitTrouble || !strings.Contains(errOut, tt.want) {
			t.Errorf("decode %q: exit %d %q, want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestDecodeFlagsToOptions(t *testing.T) {
	streams, _, _, _ := report.Test()
	var got *decodeOptions
	cmd := newDecodeCmd(streams, func(_ context.Context, o *decodeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"v", "--secret", "a", "--secret", "b", "--enc-key", "hex:00ff", "--enc-key", "base64:AAE=", "--format", "jwt", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	k := got.Keys()
	if len(k.Secrets) != 2 || string(k.Secrets[1]) != "b" || got.Format != "jwt" || got.Output != "json" ||
		!bytes.Equal(k.EncKeys[0], []byte{0, 0xff}) || !bytes.Equal(k.EncKeys[1], []byte{0, 1}) || got.Args[0] != "v" {
		t.Errorf("options %+v", got)
	}
}

// TestDecodeServeDemoCookieMode decodes the demo's cookie-session mode: the
// session in "session", keygrip's signature in "session.sig".
func TestDecodeServeDemoCookieMode(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{Secrets: [][]byte{[]byte("k1")}, Mode: demo.ModeCookie}))
	defer srv.Close()
	out, errOut, code := runDecodeCLI(t, "", "--url", srv.URL+"/", "--secret", "k1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	ds := decodeJSONOut(t, out)
	if len(ds) != 1 || ds[0].Name != "session" || ds[0].Format != "cookie-session" || ds[0].Signature != "valid" {
		t.Fatalf("got %s", out)
	}
	var p map[string]any
	if json.Unmarshal(ds[0].Payload, &p) != nil || p["visitCount"] != float64(1) {
		t.Errorf("payload %s lacks visitCount 1", ds[0].Payload)
	}
}

// TestDecodeJarForeignCookie: a cookie of the jar in no known format is
// listed as unknown but, not being typed by the user, does not make the run
// exit 2; the same cookie given as an argument does.
func TestDecodeJarForeignCookie(t *testing.T) {
	c, srv := demoCookie(t, "jar-secret")
	u, _ := url.Parse(srv.URL + "/")
	path := filepath.Join(t.TempDir(), "cookies.txt")
	jar := mustOpenJar(t, path)
	for _, hc := range []*http.Cookie{c, {Name: "theme", Value: "dark", Path: "/"}} {
		sc, err := cookie.ParseSetCookie(hc.String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jar.SetCookie(u, &sc); err != nil {
			t.Fatal(err)
		}
	}
	if err := jar.Save(); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runDecodeCLI(t, "", "--jar", path, "--secret", "jar-secret", "-o", "json")
	ds := decodeJSONOut(t, out)
	byName := map[string]cliDecoded{}
	for _, d := range ds {
		byName[d.Name] = d
	}
	sid, theme := byName["connect.sid"], byName["theme"]
	if code != ExitOK || len(ds) != 2 || sid.Format != "express" || sid.Signature != "valid" ||
		theme.Format != "unknown" || theme.Error == "" {
		t.Fatalf("exit %d (stderr %q), %s", code, errOut, out)
	}
	if errOut != "" {
		t.Errorf("stderr %q, want nothing", errOut)
	}
	if _, _, code := runDecodeCLI(t, "", "theme=dark", "--jar", path, "--secret", "jar-secret"); code != ExitTrouble {
		t.Errorf("theme=dark as an argument: exit %d, want 2", code)
	}
	if _, _, code := runDecodeCLI(t, "", "--jar", path, "--secret", "wrong"); code != ExitCheckFailed {
		t.Errorf("wrong secret: exit %d, want 1", code)
	}
}

// TestDecodeWordlistNotAudited: a public-key JWT cannot be searched for; it
// is said on stderr and the run finds nothing to search.
func TestDecodeWordlistNotAudited(t *testing.T) {
	words := filepath.Join(t.TempDir(), "words.txt")
	os.WriteFile(words, []byte("a\n"), 0o600)
	tok := "jwt=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"
	_, errOut, code := runDecodeCLI(t, "", tok, "--wordlist", words)
	if code != ExitCheckFailed || !strings.Contains(errOut, "sessctl: jwt: not audited: jwt: alg RS256 is not HMAC") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestDecodeNothingToCheck: an input with no cookie in it is trouble
// (exit 2), not a failed check.
func TestDecodeNothingToCheck(t *testing.T) {
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer bare.Close()
	for _, tt := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{""}, "nothing to decode: no cookie in the input"},
		{"", []string{"-"}, "nothing to decode: no cookie in the input"},
		{"\n  \n", []string{"-"}, "nothing to decode: no cookie in the input"},
		{"", []string{"Cookie:"}, "nothing to decode: no cookie in the input"},
		{"", []string{"--url", bare.URL + "/"}, "nothing to decode: " + bare.URL + "/ set no cookie and the jar sends it none"},
	} {
		out, errOut, code := runDecodeCLI(t, tt.stdin, tt.args...)
		if code != ExitTrouble || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("decode %q (stdin %q): exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, tt.stdin, code, out, errOut, tt.want)
		}
	}
}

// TestDecodeSigPairsWithinOneInput: two koa Cookie lines, each valid on
// its own, stay valid together; stdin lines pair within themselves.
func TestDecodeSigPairsWithinOneInput(t *testing.T) {
	kg, _ := cookie.NewKeygrip("sha1", []byte("k1"))
	line := func(v string) string {
		return "Cookie: koa.sess=" + v + "; koa.sess.sig=" + kg.Sign("koa.sess="+v)
	}
	a, b := line("eyJuIjoxfQ=="), line("eyJuIjoyfQ==")
	out, errOut, code := runDecodeCLI(t, "", a, b, "--secret", "k1", "-o", "json")
	ds := decodeJSONOut(t, out)
	if code != ExitOK || len(ds) != 2 || ds[0].Signature != "valid" || ds[1].Signature != "valid" {
		t.Fatalf("two Cookie lines: exit %d %q %s", code, errOut, out)
	}
	var lines []string
	for i := 0; i < 60; i++ {
		lines = append(lines, line(base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"n":%d}`, i)))))
	}
	out, errOut, code = runDecodeCLI(t, strings.Join(lines, "\n")+"\n", "-", "--secret", "k1", "-o", "json")
	ds = decodeJSONOut(t, out)
	valid := 0
	for _, d := range ds {
		if d.Signature == "valid" {
			valid++
		}
	}
	if code != ExitOK || len(ds) != 60 || valid != 60 {
		t.Errorf("60 stdin lines: exit %d %q, %d results, %d valid", code, errOut, len(ds), valid)
	}
}

// notifyWriter collects output and signals each write.
type notifyWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

// TestDecodeStdinStreams: each stdin line's result is written before the
// next line is read, in the text view, JSON and JSON lines; a line over the
// limit fails naming the limit and the line, after the lines before it.
func TestDecodeStdinStreams(t *testing.T) {
	const line = "PHPSESSID=9f86d081884c7d659a2feaa0c55ad015\n"
	for _, output := range []string{"table", "json", "jsonl"} {
		pr, pw := io.Pipe()
		out := &notifyWriter{wrote: make(chan struct{}, 1)}
		var errOut bytes.Buffer
		streams := &report.Streams{In: pr, Out: out, ErrOut: &errOut}
		done := make(chan int)
		go func() {
			root := NewRootCmd(streams)
			root.SetArgs([]string{"decode", "-", "-o", output})
			err := root.ExecuteContext(context.Background())
			done <- ExitCode(err, context.Background(), streams)
		}()
		for i := 0; i < 3; i++ {
			io.WriteString(pw, line)
			select {
			case <-out.wrote:
			case <-time.After(10 * time.Second):
				t.Fatalf("-o %s: no output for stdin line %d while stdin is open: not streamed", output, i+1)
			}
		}
		pw.Close()
		if code := <-done; code != ExitOK {
			t.Fatalf("-o %s: exit %d %s", output, code, errOut.String())
		}
		got := out.b.String()
		switch output {
		case "json":
			var ds []cliDecoded
			if err := json.Unmarshal([]byte(got), &ds); err != nil || len(ds) != 3 {
				t.Errorf("-o json: %d results, %v: %s", len(ds), err, got)
			}
		case "jsonl":
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			for _, l := range lines {
				var d cliDecoded
				if err := json.Unmarshal([]byte(l), &d); err != nil || d.Format != "opaque" {
					t.Errorf("-o jsonl line %q: %v", l, err)
				}
			}
			if len(lines) != 3 {
				t.Errorf("-o jsonl: %d lines", len(lines))
			}
		}
	}
	long := "PHPSESSID=" + strings.Repeat("a", client.MaxInputLine) + "\n"
	out, errOut, code := runDecodeCLI(t, line+long, "-", "-o", "json")
	if code != ExitTrouble || !strings.Contains(errOut, "stdin line 2 is longer than the 1 MiB limit of a line") {
		t.Errorf("long line: exit %d %q", code, errOut)
	}
	if ds := decodeJSONOut(t, out); len(ds) != 1 {
		t.Errorf("long line: the line before it not shown: %s", out)
	}
}

func mustOpenJar(t *testing.T, path string) *client.Jar {
	t.Helper()
	j, err := client.OpenJar(path, client.JarOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// cancelOnWrite cancels a context at the first write that holds want.
type cancelOnWrite struct {
	mu     sync.Mutex
	b      bytes.Buffer
	want   string
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), w.want) {
		w.cancel()
	}
	return len(p), nil
}

// TestDecodeWordlistProgressAndInterrupt: on a terminal the search draws a
// progress line with rate, share read and time left; an interrupt ends it
// with exit 130 and says how many candidates were tried.
func TestDecodeWordlistProgressAndInterrupt(t *testing.T) {
	var vs []cliVector
	b, _ := os.ReadFile(filepath.Join("..", "cookie", "testdata", "rails", "vectors.json"))
	if err := json.Unmarshal(b, &vs); err != nil || len(vs) == 0 {
		t.Fatal(err)
	}
	// Rails' PBKDF2 makes a candidate cost a millisecond: 100 000 of them
	// outlast the first progress line by far.
	words := filepath.Join(t.TempDir(), "words.txt")
	var wl strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&wl, "candidate-%d\n", i)
	}
	os.WriteFile(words, []byte(wl.String()), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &cancelOnWrite{want: " left", cancel: cancel}
	streams := &report.Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: errOut, ErrTTY: true}
	root := NewRootCmd(streams)
	root.SetArgs([]string{"decode", vs[0].Name + "=" + vs[0].Value, "--wordlist", words, "--workers", "1"})
	err := root.ExecuteContext(ctx)
	code := ExitCode(err, ctx, streams)
	got := errOut.b.String()
	if code != ExitInterrupted {
		t.Errorf("exit %d, want 130: %v", code, err)
	}
	for _, want := range []string{"wordlist: ", " candidates  ", "/s  ", "% read  ", " left",
		"sessctl: _app_session: wordlist search interrupted after ", "sessctl: interrupted"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q: %q", want, got)
		}
	}
}

// TestDecodeURLHeaderInsecureNoScheme: --url takes a URL without scheme as
// visit and bench do, sends -H headers, and -k trusts a self-signed server.
func TestDecodeURLHeaderInsecureNoScheme(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Session") == "please" {
			http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "9f86d081884c7d659a2feaa0c55ad015"})
		}
	})
	plain := httptest.NewServer(h)
	defer plain.Close()
	tls := httptest.NewTLSServer(h)
	defer tls.Close()
	hostPort := strings.TrimPrefix(plain.URL, "http://")
	out, errOut, code := runDecodeCLI(t, "", "--url", hostPort+"/", "-H", "X-Session: please", "-o", "json")
	if ds := decodeJSONOut(t, out); code != ExitOK || len(ds) != 1 || ds[0].Name != "PHPSESSID" {
		t.Errorf("--url without scheme, -H: exit %d %q %s", code, errOut, out)
	}
	if _, errOut, code := runDecodeCLI(t, "", "--url", hostPort+"/"); code != ExitTrouble || !strings.Contains(errOut, "set no cookie") {
		t.Errorf("without -H: exit %d %q", code, errOut)
	}
	if _, _, code := runDecodeCLI(t, "", "--url", tls.URL+"/", "-H", "X-Session: please"); code != ExitTrouble {
		t.Errorf("self-signed without -k: exit %d, want 2", code)
	}
	out, errOut, code = runDecodeCLI(t, "", "--url", tls.URL+"/", "-k", "-H", "X-Session: please", "-o", "json")
	if ds := decodeJSONOut(t, out); code != ExitOK || len(ds) != 1 {
		t.Errorf("-k: exit %d %q %s", code, errOut, out)
	}
}
