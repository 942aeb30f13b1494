package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/report"
)

type serveDemoOptions struct {
	Addr string
	// Secrets are --secret values, then --secret-file lines, else
	// $SESSCTL_SECRET; none means a random secret, never printed.
	Secrets [][]byte
	Verbose bool
	// Store is --store as given, StoreURL its parsed form.
	Store       string
	StoreURL    demo.StoreURL
	Mode        demo.Mode
	TTL         time.Duration
	MaxSessions int
	Racy        bool
	Delay       time.Duration
	Secure      bool
	// SameSite is "lax", "strict", "none" or "" (no attribute).
	SameSite string
	MaxAge   time.Duration
	// Weak modes, for sessctl audit to find: --ids, --no-regenerate,
	// --logout-keeps-session, --no-httponly.
	IDs                demo.IDScheme
	NoRegenerate       bool
	LogoutKeepsSession bool
	NoHTTPOnly         bool
}

// defaultSameSite is serve-demo's --same-site default, which the embedded
// demo of visit and audit serves too: without URL they see what serve-demo
// serves.
const defaultSameSite = "lax"

func newServeDemoCmd(streams *report.Streams, runF func(context.Context, *serveDemoOptions) error) *cobra.Command {
	opts := &serveDemoOptions{}
	var mode, sameSite, ids, secretFile string
	var secrets []string
	c := &cobra.Command{
		Use:   "serve-demo",
		Short: "Serve the reference express-session example",
		Long: `serve-demo serves the reference Express example: GET / creates a session
(201, sid random in [0, 10000), visitCount 1) or increments visitCount (200),
and answers with the session as express-session's JSON. The session cookie is
express-session's own connect.sid, signed as the npm cookie-signature does, so
the same secret works in both.

Stores (--store), each capped by --max-sessions (past it a new session evicts
the least recently used; Redis only when the flag is given, its TTL bounds it
otherwise):
  memory               in process (default): --ttl sliding expiry, --max-sessions
                       cap with least-recently-used eviction, expired sessions swept
  redis://HOST:PORT/DB connect-redis' layout (JSON under sess:<id>, EX ttl): shared
                       with Express apps and other serve-demos; atomic increments;
                       503 while Redis is down, back by itself when Redis is
  redis+cluster://HOST:PORT,HOST:PORT/
                       the same layout on a Redis Cluster (one key per session,
                       so each visit's script runs on one slot)
  redis+sentinel://HOST:PORT,HOST:PORT/MASTER[/DB]
                       the master the Sentinels name, followed across failovers
  file:PATH            a bbolt file: survives restarts, every visit on disk before
                       it is answered
--mode cookie keeps no server state: the session is in the cookie as the npm
cookie-session keeps it (session=base64 JSON, session.sig=keygrip HMAC-SHA1).
--racy makes visits load, wait --delay and save with no lock, as express-session
does, so concurrent visits of one session lose updates (watch sessctl bench
catch them).

Also served: GET /healthz (200 ok, 503 when the store is unreachable),
POST /logout (destroys the session, clears the cookie), POST /regenerate (moves
the session to a new id, keeping its data: the session-fixation defence),
POST /login (user=NAME as a form or JSON: sets the user and regenerates the id)
and GET /me (the user as JSON, or 401).

Weak on purpose, for sessctl audit to find: --ids short|sequential|time
(guessable ids), --no-regenerate (login keeps the id: fixation),
--logout-keeps-session (logout clears the cookie only: a copy still works),
--no-httponly (scripts can read the cookie); --same-site off and no --secure
drop those attributes.

Several --secret flags (or lines of --secret-file) rotate secrets as
express-session does: the first signs, any verifies. A --secret on the command
line is visible to every user of the machine (ps, /proc): prefer --secret-file
or $SESSCTL_SECRET. Without any, a random secret is made for this process; it is
never printed.`,
		Example: `  sessctl serve-demo
  sessctl serve-demo --addr 127.0.0.1:8080 --secret-file secrets.txt --verbose
  SESSCTL_SECRET=sessionTesting sessctl serve-demo --store redis://127.0.0.1:6379/0
  sessctl serve-demo --store file:sessions.db --max-age 1h --secure
  sessctl serve-demo --mode cookie --secret k1 --secret k0
  sessctl serve-demo --racy --delay 5ms   # then: sessctl bench --shared
  sessctl serve-demo --ids sequential --no-regenerate --logout-keeps-session --no-httponly   # then: sessctl audit`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			for i, s := range secrets {
				if s == "" {
					return &usageError{fmt.Errorf("--secret #%d is empty", i+1)}
				}
				opts.Secrets = append(opts.Secrets, []byte(s))
			}
			if secretFile != "" {
				fs, err := client.ReadSecretFile(secretFile)
				if err != nil {
					return &usageError{fmt.Errorf("--secret-file: %w", err)}
				}
				opts.Secrets = append(opts.Secrets, fs...)
			}
			if len(opts.Secrets) == 0 {
				if s := os.Getenv("SESSCTL_SECRET"); s != "" {
					opts.Secrets = [][]byte{[]byte(s)}
				}
			}
			if err := opts.validate(c, mode, sameSite, ids); err != nil {
				return &usageError{err}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runServeDemo(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:3000", "address to listen on")
	f.StringArrayVar(&secrets, "secret", nil, "secret that signs the session cookie (repeatable: the first signs, any verifies; default $SESSCTL_SECRET or random); visible in ps: prefer --secret-file")
	f.StringVar(&secretFile, "secret-file", "", "file of secrets, one a line, the first signing (after any --secret)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log one line per request on stderr")
	f.StringVar(&opts.Store, "store", "memory", "where sessions live: "+demo.StoreURLForms)
	completeValues(c, "store", "memory", "redis://", "rediss://", "redis+cluster://", "redis+sentinel://", "file:")
	f.StringVar(&mode, "mode", "store", "store (a session id in connect.sid, data in --store) or cookie (the data in cookie-session's cookies)")
	completeValues(c, "mode", "store", "cookie")
	f.DurationVar(&opts.TTL, "ttl", demo.DefaultTTL, "how long a session lives after its last visit (slides on each visit; 0: forever in memory); --max-age, when set, is the TTL")
	f.IntVar(&opts.MaxSessions, "max-sessions", demo.DefaultMaxSessions, "cap on the sessions of every store: past it a new session evicts the least recently used (0: no cap; Redis: no cap unless given, the TTL bounds it)")
	f.BoolVar(&opts.Racy, "racy", false, "load-modify-save visits with no lock, as express-session does: concurrent visits lose updates")
	f.DurationVar(&opts.Delay, "delay", 0, "with --racy, the pause between load and save (widens the race)")
	f.BoolVar(&opts.Secure, "secure", false, "add the Secure attribute to the session cookie")
	f.StringVar(&sameSite, "same-site", defaultSameSite, "SameSite attribute: lax, strict, none or off (no attribute, express-session's default)")
	f.StringVar(&ids, "ids", "random", "session ids: random (192 bits), or weak on purpose: short (32 bits), sequential, time")
	f.BoolVar(&opts.NoRegenerate, "no-regenerate", false, "weak: POST /login keeps the session id (session fixation)")
	f.BoolVar(&opts.LogoutKeepsSession, "logout-keeps-session", false, "weak: POST /logout clears the cookie but the session stays valid in the store")
	f.BoolVar(&opts.NoHTTPOnly, "no-httponly", false, "weak: no HttpOnly attribute (scripts can read the cookie)")
	f.DurationVar(&opts.MaxAge, "max-age", 0, "cookie lifetime: adds Expires and the JSON's originalMaxAge/expires (0: a browser-session cookie)")
	return c
}

// validate checks the flags that depend on each other.
func (o *serveDemoOptions) validate(c *cobra.Command, mode, sameSite, ids string) error {
	switch mode {
	case "store", "cookie":
		o.Mode = demo.Mode(mode)
	default:
		return fmt.Errorf("--mode %q: want store or cookie", mode)
	}
	switch s := strings.ToLower(sameSite); s {
	case "lax", "strict", "none":
		o.SameSite = s
	case "off", "":
		o.SameSite = ""
	default:
		return fmt.Errorf("--same-site %q: want lax, strict, none or off", sameSite)
	}
	id, err := demo.ParseIDScheme(ids)
	if err != nil {
		return fmt.Errorf("--ids: %w", err)
	}
	o.IDs = id
	u, err := demo.ParseStoreURL(o.Store)
	if err != nil {
		return fmt.Errorf("--store: %w", err)
	}
	o.StoreURL = u
	changed := c.Flags().Changed
	if o.Mode == demo.ModeCookie {
		for _, name := range []string{"store", "ttl", "max-sessions", "racy", "delay", "ids", "no-regenerate", "logout-keeps-session"} {
			if changed(name) {
				return fmt.Errorf("--%s has no effect with --mode cookie (no server store; cookie mode always loses concurrent updates)", name)
			}
		}
	}
	if !changed("max-sessions") && o.StoreURL.Scheme == "redis" {
		o.MaxSessions = 0 // Redis: the TTL alone, unless asked
	}
	if o.Delay != 0 && !o.Racy {
		return errors.New("--delay needs --racy")
	}
	for name, d := range map[string]time.Duration{"ttl": o.TTL, "delay": o.Delay, "max-age": o.MaxAge} {
		if d < 0 {
			return fmt.Errorf("--%s %s is negative", name, d)
		}
	}
	if o.MaxSessions < 0 {
		return fmt.Errorf("--max-sessions %d is negative", o.MaxSessions)
	}
	return nil
}

func runServeDemo(ctx context.Context, streams *report.Streams, opts *serveDemoOptions) error {
	logger := slog.New(slog.NewTextHandler(streams.ErrOut, nil))
	secrets := opts.Secrets
	if len(secrets) == 0 {
		secrets = [][]byte{demo.RandomSecret()}
		logger.Warn("no --secret, --secret-file or $SESSCTL_SECRET: signing with a random secret made for this process and never shown; its cookies stop verifying when it exits")
	}
	if opts.SameSite == "none" && !opts.Secure {
		logger.Warn("--same-site none without --secure: browsers reject such cookies")
	}
	var store demo.Store
	if opts.Mode != demo.ModeCookie {
		var err error
		if store, err = demo.OpenStore(opts.StoreURL, demo.StoreOptions{TTL: opts.TTL, MaxSessions: opts.MaxSessions}); err != nil {
			return err
		}
	}
	if p, ok := store.(demo.Pinger); ok {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := p.Ping(pctx); err != nil {
			logger.Warn("session store unreachable: answering 503 until it is up", "err", err)
		}
		cancel()
	}
	dopts := demo.Options{
		Secrets:  secrets,
		Store:    store,
		Mode:     opts.Mode,
		MaxAge:   opts.MaxAge,
		Secure:   opts.Secure,
		SameSite: opts.SameSite,
		Racy:     opts.Racy,
		Delay:    opts.Delay,
		ErrorLog: logger,

		IDs:                opts.IDs,
		NoRegenerate:       opts.NoRegenerate,
		LogoutKeepsSession: opts.LogoutKeepsSession,
		NoHTTPOnly:         opts.NoHTTPOnly,
	}
	if opts.Verbose {
		dopts.Logger = logger
	}
	srv, err := demo.Open(opts.Addr, dopts)
	if err != nil {
		if store != nil {
			store.Close()
		}
		return err
	}
	report.ServeDemoListening(streams, srv.URL())
	select {
	case err := <-srv.Done():
		return err
	case <-ctx.Done():
		logger.Info("shutting down")
		return srv.Close()
	}
}
