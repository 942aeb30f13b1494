package cmd

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/audit"
	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/report"
)

type auditOptions struct {
	// Config is the audit; no URL audits the embedded demo server.
	audit.Config
	Output string
	FailOn audit.Severity
}

func newAuditCmd(streams *report.Streams, runF func(context.Context, *auditOptions) error) *cobra.Command {
	opts := &auditOptions{}
	var headers []string
	var failOn, match string
	c := &cobra.Command{
		Use:   "audit [URL]",
		Short: "Audit a live app's sessions: cookie flags, token quality, fixation, logout, lifetime, secrets, lost updates",
		Long: `audit checks the session setup of the app at URL from outside, as OWASP's testing
guide does (WSTG-SESS-01 to -07), and reports each finding with its severity,
evidence, references (WSTG, CWE) and a fix for the framework it detects:

  attributes   HttpOnly, Secure (plain http itself off loopback), SameSite, Domain,
               Path, the __Host- prefix, a persistent lifetime, size, Set-Cookie on
               a response shared caches may store
  tokens       --samples fresh session ids (20000) collected on keep-alive
               connections and analysed as Burp Sequencer does: charset,
               duplicates, per-position count and transition tests, FIPS 140-2
               monobit/poker/runs/long runs, effective entropy at 0.001%..10%
  content      every session cookie decoded: readable data, no signature, and
               with --wordlist a weak secret (critical)
  fixation     with --login: the id must change at login, the old one must die,
               and an unsigned id the client made up must not be taken
  logout       with --logout and --authed: the cookie from before logout must
               no longer be signed in
  lifetime     declared lifetimes; --idle D waits D and checks the session ended
  concurrency  a short --shared bench (--load-requests at --load-connections):
               lost updates (--no-load skips it)

--token picks another token than the session cookie's id: cookie:NAME,
body:PATH (a dotted JSON path) or header:NAME. --authed 'GET /me' is signed in
when it answers 2xx (or --authed-status), and its body matches --authed-match.
Without URL, audit starts the embedded demo server (serve-demo) on a loopback
port, with --login 'POST /login' --login-data user=audit --logout 'POST /logout'
--authed 'GET /me'.

Exit status: 0 no finding at or above --fail-on (high); 1 one or more; 2 the
audit could not be made (bad flags, app unreachable); 130 interrupted.`,
		Example: `  sessctl audit
  sessctl audit http://127.0.0.1:3000/ --login 'POST /login' --login-data 'user=alice' --logout 'POST /logout' --authed 'GET /me'
  sessctl audit https://app.test/ --wordlist secrets.txt --fail-on medium -o sarif > audit.sarif
  sessctl audit http://127.0.0.1:3000/ --token body:sid --no-load
  sessctl audit http://127.0.0.1:3000/ -o json | jq '.findings[] | {id, severity}'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.URL, err = parseURLArg(args); err != nil {
				return err
			}
			if opts.FailOn, err = audit.ParseSeverity(failOn); err != nil {
				return &usageError{fmt.Errorf("--fail-on: %w", err)}
			}
			if opts.Output != "text" { // taken for table, not offered
				if err := checkOutput(opts.Output, "table", "json", "sarif"); err != nil {
					return err
				}
			}
			if opts.Samples == 0 {
				opts.Samples = -1 // --samples 0 skips the token check
			} else if opts.Samples < 0 {
				return &usageError{fmt.Errorf("--samples must not be negative, not %d", opts.Samples)}
			}
			if match != "" {
				if opts.AuthedMatch, err = regexp.Compile(match); err != nil {
					return &usageError{fmt.Errorf("--authed-match: %w", err)}
				}
			}
			if opts.Header, err = parseVisitHeaders(headers); err != nil {
				return &usageError{err}
			}
			if opts.URL == "" {
				defaultDemoFlows(&opts.Config)
			}
			if err := opts.Config.Validate(); err != nil {
				return &usageError{fmt.Errorf("audit: %w", err)}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAudit(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.IntVar(&opts.Samples, "samples", audit.DefaultSamples, "fresh session tokens to collect and analyse (0: skip the token check)")
	f.IntVarP(&opts.Concurrency, "connections", "c", audit.DefaultConcurrency, "keep-alive connections the tokens are collected on")
	f.StringVar(&opts.Token, "token", "", "token to analyse: cookie:NAME, body:PATH or header:NAME (default: the session cookie's id)")
	f.StringVar(&opts.Login, "login", "", "the login request, 'METHOD /path' (e.g. 'POST /login')")
	f.StringVar(&opts.LoginData, "login-data", "", "the login request's form body (e.g. 'user=alice&password=...')")
	f.StringVar(&opts.Logout, "logout", "", "the logout request, 'METHOD /path' (needs --authed)")
	f.StringVar(&opts.Authed, "authed", "", "a request that tells a signed-in session, 'METHOD /path' (e.g. 'GET /me')")
	f.IntVar(&opts.AuthedStatus, "authed-status", 0, "the status of a signed-in answer to --authed (default any 2xx)")
	f.StringVar(&match, "authed-match", "", "a regular expression a signed-in answer's body matches")
	f.DurationVar(&opts.Idle, "idle", 0, "wait this long after login and check the session is gone (0: not checked)")
	f.StringVar(&opts.Wordlist, "wordlist", "", "search this file (one candidate a line) for the session cookie's secret")
	f.BoolVar(&opts.NoLoad, "no-load", false, "skip the lost-update check")
	f.Int64Var(&opts.LoadRequests, "load-requests", audit.DefaultLoadRequests, "requests of the lost-update check")
	f.IntVar(&opts.LoadConcurrency, "load-connections", audit.DefaultLoadConcurrency, "concurrent connections of the lost-update check")
	f.StringVar(&opts.CounterPath, "counter", bench.DefaultCounterPath, "JSON path of the session counter the lost-update check reads")
	f.DurationVar(&opts.Timeout, "timeout", audit.DefaultTimeout, "limit for each request")
	f.StringArrayVarP(&headers, "header", "H", nil, `request header "Name: value" (repeatable)`)
	f.BoolVarP(&opts.Insecure, "insecure", "k", false, "do not verify TLS certificates")
	f.StringVar(&failOn, "fail-on", string(audit.High), "exit 1 on a finding of this severity or worse: critical, high, medium, low or info")
	completeValues(c, "fail-on", "critical", "high", "medium", "low", "info")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json or sarif")
	completeValues(c, "output", "table", "json", "sarif")
	return c
}

// defaultDemoFlows fills in the embedded demo's login, logout and signed-in
// check where the flags leave them empty.
func defaultDemoFlows(cfg *audit.Config) {
	if cfg.Login == "" {
		cfg.Login, cfg.LoginData = "POST /login", "user=audit"
	}
	if cfg.Logout == "" {
		cfg.Logout = "POST /logout"
	}
	if cfg.Authed == "" {
		cfg.Authed = "GET /me"
	}
}

func runAudit(ctx context.Context, streams *report.Streams, opts *auditOptions) error {
	cfg := opts.Config
	if cfg.URL == "" {
		srv, err := demo.Open("", demo.Options{SameSite: defaultSameSite})
		if err != nil {
			return fmt.Errorf("start the embedded demo server: %w", err)
		}
		defer srv.Close()
		cfg.URL = srv.URL()
		// The embedded server runs in this process: event loops that hold
		// their threads would keep its goroutines waiting.
		cfg.Engine = bench.EngineGoroutine
	}
	progress := report.NewProgressLine(streams).WithLabel("audit: tokens")
	if p := progress.Func(); p != nil {
		start := time.Now()
		cfg.Progress = func(done, total int64) {
			p(bench.Progress{Done: done, Total: total, Elapsed: time.Since(start)})
		}
	}
	res, err := audit.Run(ctx, cfg)
	progress.Clear()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("audit: %w", err)
	}
	switch opts.Output {
	case "json":
		err = report.AuditJSON(streams, res)
	case "sarif":
		err = report.AuditSARIF(streams, res, version())
	default:
		err = report.AuditText(streams, res)
	}
	if err != nil {
		return fmt.Errorf("write the result: %w", err)
	}
	if n := res.AtOrAbove(opts.FailOn); n > 0 {
		return &CheckFailedError{Msg: fmt.Sprintf("audit: %d finding(s) at or above %s", n, opts.FailOn)}
	}
	return nil
}
