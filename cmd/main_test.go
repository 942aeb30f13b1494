package cmd

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sessctl/sessctl/demo"
)

// TestMain lets testscript scripts run the real sessctl binary: the test
// binary itself, re-executed as "sessctl"; with SESSCTL_TEST_AS_MAIN=1 it is sessctl
// with its own arguments.
func TestMain(m *testing.M) {
	if os.Getenv("SESSCTL_TEST_AS_MAIN") == "1" {
		// A process test runs the test binary as sessctl itself.
		os.Exit(Main())
	}
	testscript.Main(m, map[string]func(){
		"sessctl": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the scripts under testdata/script. Each script gets:
//   - DEMO_URL: a demo server of its own (demo.Open, secret "sessionTesting"),
//     serving until the script ends;
//   - HOME=$WORK/home, so a default jar lands inside the script's folder.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			srv, err := demo.Open("", demo.Options{Secrets: [][]byte{[]byte("sessionTesting")}})
			if err != nil {
				return err
			}
			env.Defer(func() { srv.Close() })
			env.Setenv("DEMO_URL", srv.URL())
			env.Setenv("HOME", env.WorkDir+"/home")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
