package audit

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/demo"
)

// demoAudit audits a demo handler with opts, cfg's settings and the demo's
// login, logout and /me.
func demoAudit(t *testing.T, opts demo.Options, cfg Config) *Result {
	t.Helper()
	srv := httptest.NewServer(demo.NewHandler(opts))
	t.Cleanup(srv.Close)
	cfg.URL, cfg.Engine = srv.URL+"/", bench.EngineGoroutine
	cfg.Login, cfg.LoginData, cfg.Logout, cfg.Authed = "POST /login", "user=alice", "POST /logout", "GET /me"
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(res *Result) map[string]Severity {
	m := map[string]Severity{}
	for _, f := range res.Findings {
		m[f.ID] = f.Severity
	}
	return m
}

// TestDemoModes: the default demo has no finding; each weak mode gives its
// own, with its severity.
func TestDemoModes(t *testing.T) {
	// Every case searches this wordlist: only the secret it holds is found.
	wordlist := filepath.Join(t.TempDir(), "secrets.txt")
	if err := os.WriteFile(wordlist, []byte("secret\nchangeme\nkeyboard cat\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    demo.Options
		samples int
		want    map[string]Severity
	}{
		{"default", demo.Options{SameSite: "lax"}, 2000, map[string]Severity{}},
		{"short ids", demo.Options{SameSite: "lax", IDs: demo.IDShort}, 2000, map[string]Severity{"token-low-entropy": High}},
		{"sequential ids", demo.Options{SameSite: "lax", IDs: demo.IDSequential}, 2000, map[string]Severity{"token-predictable": Critical}},
		{"time ids", demo.Options{SameSite: "lax", IDs: demo.IDTime}, 2000, map[string]Severity{"token-predictable": Critical}},
		{"no regenerate", demo.Options{SameSite: "lax", NoRegenerate: true}, -1, map[string]Severity{"fixation-no-rotation": High}},
		{"logout keeps session", demo.Options{SameSite: "lax", LogoutKeepsSession: true}, -1, map[string]Severity{"logout-replay": High}},
		{"no httponly", demo.Options{SameSite: "lax", NoHTTPOnly: true}, -1, map[string]Severity{"cookie-no-httponly": Medium}},
		{"no samesite", demo.Options{}, -1, map[string]Severity{"cookie-no-samesite": Low}},
		{"racy", demo.Options{SameSite: "lax", Racy: true, Delay: 2 * time.Millisecond}, -1, map[string]Severity{"concurrency-lost-updates": Medium}},
		{"cookie mode", demo.Options{SameSite: "lax", Mode: demo.ModeCookie}, -1, map[string]Severity{
			"content-client-readable": Medium, "logout-cookie-carried": Medium, "lifetime-no-expiry": Medium}},
		{"secret in the wordlist", demo.Options{SameSite: "lax", Secrets: [][]byte{[]byte("keyboard cat")}}, -1, map[string]Severity{"secret-weak": Critical}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A cookie-carried session loses concurrent updates by nature
			// (each response carries its own copy): not this case's point.
			cfg := Config{Samples: tc.samples, NoLoad: tc.opts.Mode == demo.ModeCookie, Wordlist: wordlist}
			res := demoAudit(t, tc.opts, cfg)
			if tc.samples > 0 && (res.Tokens == nil || res.Tokens.Samples != tc.samples) {
				t.Errorf("tokens %+v, want %d analysed", res.Tokens, tc.samples)
			}
			got := ids(res)
			if len(got) != len(tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
			for id, sev := range tc.want {
				if got[id] != sev {
					t.Errorf("finding %s: severity %q, want %q (all: %v)", id, got[id], sev, got)
				}
			}
		})
	}
}
