package interop

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sessctl/sessctl/internal/testenv"
)

// auditResult is the part of sessctl audit -o json these tests read.
type auditResult struct {
	Framework string `json:"framework"`
	Tokens    *struct {
		EffectiveBits float64 `json:"effective_bits"`
		Verdict       string  `json:"verdict"`
	} `json:"tokens"`
	Checks []struct {
		Name string `json:"name"`
		Ran  bool   `json:"ran"`
		Note string `json:"note"`
	} `json:"checks"`
	Findings []struct {
		ID       string `json:"id"`
		Severity string `json:"severity"`
	} `json:"findings"`
}

// TestAuditRealApps runs sessctl audit against real frameworks and checks
// it reports what their setup really does.
func TestAuditRealApps(t *testing.T) {
	bin := sessctl(t)
	dir := filepath.Join(appsDir(), "audit")
	node := func(script string, env ...string) func(t *testing.T) string {
		return func(t *testing.T) string {
			testenv.Interop(t)
			return serve(t, func(addr string) *process {
				return start(t, dir, append(env, "SECRET="+randHex(16), "PORT="+port(addr)), "node", script)
			})
		}
	}
	py := func(framework string, env ...string) func(t *testing.T) string {
		return func(t *testing.T) string {
			p := python(t, framework, "python3-"+framework)
			d := filepath.Join(appsDir(), framework)
			if framework == "django" {
				env = append(env, "DB="+filepath.Join(t.TempDir(), "s.sqlite3"))
			}
			return serve(t, func(addr string) *process {
				return start(t, d, append(env, "SECRET="+randHex(25)), p, "app.py", port(addr))
			})
		}
	}
	nodeFlows := []string{"--login", "POST /login", "--login-data", "user=alice", "--logout", "POST /logout", "--authed", "GET /me"}
	// Flask's and Django's suite apps have no /me: GET / shows the session,
	// the user in it once signed in.
	pyFlows := []string{"--login", "POST /login", "--login-data", "user=alice", "--logout", "GET /logout", "--authed", "GET /", "--authed-match", `"user"`}
	for _, tc := range []struct {
		name      string
		start     func(t *testing.T) string
		args      []string
		framework string
		want      []string // finding ids that must be there
		absent    []string // and must not
		bits      [2]float64
	}{
		{"express-session without regenerate", node("express.js", "DESTROY=1"), append([]string{"--samples", "20000"}, nodeFlows...), "express-session",
			[]string{"fixation-no-rotation"}, []string{"logout-replay", "token-low-entropy"}, [2]float64{170, 193}},
		{"express-session with regenerate and destroy", node("express.js", "REGENERATE=1", "DESTROY=1"), nodeFlows, "express-session",
			nil, []string{"fixation-no-rotation", "fixation-old-id-alive", "logout-replay"}, [2]float64{}},
		{"express-session logout without destroy", node("express.js", "REGENERATE=1"), nodeFlows, "express-session",
			[]string{"logout-replay"}, []string{"fixation-no-rotation"}, [2]float64{}},
		{"cookie-session", node("cookie-session.js"), nodeFlows, "cookie-session",
			[]string{"logout-cookie-carried", "content-client-readable"}, []string{"logout-replay"}, [2]float64{}},
		{"flask", py("flask"), pyFlows, "flask",
			[]string{"logout-cookie-carried", "content-client-readable"}, []string{"logout-replay"}, [2]float64{}},
		{"django db", py("django", "ENGINE=db"), pyFlows, "django",
			nil, []string{"fixation-no-rotation", "fixation-old-id-alive", "logout-replay", "logout-cookie-carried"}, [2]float64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.start(t)
			args := append([]string{"audit", url, "--no-load", "-o", "json"}, tc.args...)
			if tc.bits == ([2]float64{}) {
				args = append(args, "--samples", "0")
			}
			out, err := exec.Command(bin, args...).Output()
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() != 1 {
				t.Fatalf("%v: %v\n%s", args, err, ee.Stderr)
			}
			var res auditResult
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			got := map[string]bool{}
			for _, f := range res.Findings {
				got[f.ID] = true
			}
			for _, c := range res.Checks {
				if (c.Name == "logout" || c.Name == "fixation" && res.Framework != "cookie-session" && res.Framework != "flask") && !c.Ran {
					t.Errorf("check %s skipped: %s", c.Name, c.Note)
				}
			}
			if res.Framework != tc.framework {
				t.Errorf("framework %q, want %q", res.Framework, tc.framework)
			}
			for _, id := range tc.want {
				if !got[id] {
					t.Errorf("no %s finding; findings: %v", id, got)
				}
			}
			for _, id := range tc.absent {
				if got[id] {
					t.Errorf("a %s finding; findings: %v", id, got)
				}
			}
			if tc.bits != ([2]float64{}) {
				if res.Tokens == nil || res.Tokens.EffectiveBits < tc.bits[0] || res.Tokens.EffectiveBits > tc.bits[1] {
					t.Errorf("tokens %+v, want %v bits", res.Tokens, tc.bits)
				}
			}
		})
	}
}
