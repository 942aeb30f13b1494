package cmd

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/report"
)

type serveDemoOptions struct {
	Addr    string
	Secrets []string
	Verbose bool
}

func newServeDemoCmd(streams *report.Streams, runF func(context.Context, *serveDemoOptions) error) *cobra.Command {
	opts := &serveDemoOptions{}
	c := &cobra.Command{
		Use:   "serve-demo",
		Short: "Serve the reference express-session example",
		Long: `serve-demo serves the reference Express example: GET / creates a session
(201, sid random in [0, 10000), visitCount 1) or increments visitCount (200),
and answers with the session as express-session's JSON. The session cookie is
express-session's own connect.sid, signed as the npm cookie-signature does, so
the same secret works in both.

Several --secret flags rotate secrets as express-session does: the first signs,
any verifies. Without --secret or SESSCTL_SECRET a random secret is made for
this process and printed on stderr.`,
		Example: `  sessctl serve-demo
  sessctl serve-demo --addr 127.0.0.1:8080 --secret new --secret old --verbose
  SESSCTL_SECRET=sessionTesting sessctl serve-demo`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if len(opts.Secrets) == 0 {
				if s := os.Getenv("SESSCTL_SECRET"); s != "" {
					opts.Secrets = []string{s}
				}
			}
			for i, s := range opts.Secrets {
				if s == "" {
					return &usageError{fmt.Errorf("--secret #%d is empty", i+1)}
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runServeDemo(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:3000", "address to listen on")
	f.StringArrayVar(&opts.Secrets, "secret", nil, "secret that signs the session cookie (repeatable: the first signs, any verifies; default $SESSCTL_SECRET or random)")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log one line per request on stderr")
	return c
}

func runServeDemo(ctx context.Context, streams *report.Streams, opts *serveDemoOptions) error {
	logger := slog.New(slog.NewTextHandler(streams.ErrOut, nil))
	var secrets [][]byte
	for _, s := range opts.Secrets {
		secrets = append(secrets, []byte(s))
	}
	if len(secrets) == 0 {
		secrets = [][]byte{demo.RandomSecret()}
		logger.Warn("no --secret given: signing with a random secret made for this process", "secret", string(secrets[0]))
	}
	dopts := demo.Options{Secrets: secrets}
	if opts.Verbose {
		dopts.Logger = logger
	}
	srv, err := demo.Open(opts.Addr, dopts)
	if err != nil {
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
