package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/report"
)

type decodeOptions struct {
	// DecodeConfig holds the inputs and keys; its Secrets are --secret
	// values, else $SESSCTL_SECRET when no --secret-file is given either.
	client.DecodeConfig
	Output string
}

func newDecodeCmd(streams *report.Streams, runF func(context.Context, *decodeOptions) error) *cobra.Command {
	opts := &decodeOptions{}
	var secrets, headers []string
	c := &cobra.Command{
		Use:   "decode [flags] [VALUE | NAME=VALUE | 'Cookie: ...' | 'Set-Cookie: ...' | -]...",
		Short: "Decode and verify framework session cookies",
		Long: `decode shows what is inside session cookies, which framework made them and
whether a secret signs them: express-session and cookie-parser (express),
cookie-session, koa-session, JWT, gorilla/securecookie, Flask, Django, Rails,
Laravel, and opaque ids (PHPSESSID, JSESSIONID, Spring SESSION).

Inputs are bare values, NAME=VALUE pairs, whole Cookie: headers or Set-Cookie:
lines; "-" reads stdin, one input a line. A cookie named NAME.sig is paired
with NAME of the same input as its signature (cookie-session, koa-session). --jar decodes every
cookie of a cookies.txt jar; --url visits once (through --jar when given) and
decodes what the server sets.

Secrets (--secret, repeatable for rotation, --secret-file, $SESSCTL_SECRET)
never appear in the output. --wordlist searches for a weak secret.

Exit status: 0 every input decoded and none failed verification; 1 a signature
did not verify, a value did not decrypt, or the wordlist found nothing; 2 an
input given as an argument or on stdin could not be decoded, nothing to
decode, or a usage error. A cookie read from --jar or set by --url's server
that cannot be decoded (theme=dark beside the session) is listed as unknown
but does not change the exit status.`,
		Example: `  sessctl decode 's%3AaB3x...%2Bk' --secret keyboardcat
  sessctl decode 'Cookie: session=eyJ1c2VyIjoiYSJ9; session.sig=Wv9...' --secret k1 --secret k2
  sessctl decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig --key public.pem -o json
  sessctl decode --url http://127.0.0.1:3000/ --secret s3cret
  sessctl decode --jar cookies.txt --secret-file secrets.txt
  sessctl decode connect.sid=s%3A... --wordlist rockyou.txt
  pbpaste | sessctl decode - --format flask`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			opts.Stdin = streams.In
			switch opts.Output {
			case report.DecodeTable, report.DecodeJSONArray, report.DecodeJSONLines:
			default:
				return &usageError{fmt.Errorf("-o %q: want table, json or jsonl", opts.Output)}
			}
			for _, s := range secrets {
				opts.Secrets = append(opts.Secrets, []byte(s))
			}
			if len(secrets) == 0 && opts.SecretFile == "" {
				if s := os.Getenv("SESSCTL_SECRET"); s != "" {
					opts.Secrets = [][]byte{[]byte(s)}
				}
			}
			h, err := parseVisitHeaders(headers)
			if err != nil {
				return &usageError{err}
			}
			if len(h) > 0 {
				opts.Header = h
			}
			if err := opts.Validate(); err != nil {
				if len(args) == 0 && opts.Jar == "" && opts.URL == "" {
					err = fmt.Errorf("%w (see 'sessctl decode --help')", err)
				}
				return &usageError{err}
			}
			if opts.Now == nil {
				opts.Now = time.Now
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runDecode(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&secrets, "secret", nil, "secret to verify with (repeatable: rotation, tried in order; default $SESSCTL_SECRET)")
	f.StringVar(&opts.SecretFile, "secret-file", "", "file of secrets, one a line (after any --secret)")
	f.StringArrayVar(&opts.KeyFiles, "key", nil, "PEM file of public keys (or certificates) for RS/PS/ES/EdDSA JWTs (repeatable)")
	f.StringArrayVar(&opts.EncKeys, "enc-key", nil, "gorilla/securecookie block key (AES) or @fastify/secure-session key (32 bytes), raw or hex:... or base64:... (repeatable)")
	f.StringArrayVar(&opts.Salts, "salt", nil, "custom salt for Flask (itsdangerous), Django and Auth.js values, tried after the framework's own; the first is @fastify/secure-session's salt for --secret (repeatable)")
	f.DurationVar(&opts.MaxAge, "max-age", 0, "the app's session lifetime: older Flask, Django and gorilla values are expired (default: the framework's, 31 days, 2 weeks, 30 days)")
	f.StringVar(&opts.Format, "format", "", "force a format: "+strings.Join(cookie.FormatNames(), ", "))
	completeValues(c, "format", cookie.FormatNames()...)
	f.StringVar(&opts.Wordlist, "wordlist", "", "search this file (one candidate a line) for the secret of each signed input")
	f.IntVar(&opts.Workers, "workers", 0, "goroutines for --wordlist (default: every core)")
	f.StringVar(&opts.Jar, "jar", "", "decode every cookie of this cookies.txt jar (with --url: the jar the visit uses and updates)")
	f.StringVar(&opts.URL, "url", "", "GET this URL once and decode the cookies the server sets")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "bound on the --url visit")
	f.StringArrayVarP(&headers, "header", "H", nil, `header "Name: value" sent with the --url visit (repeatable)`)
	f.BoolVarP(&opts.Insecure, "insecure", "k", false, "skip TLS certificate verification of the --url visit (curl -k)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json (one array, streamed) or jsonl (one object a line)")
	completeValues(c, "output", "table", "json", "jsonl")
	return c
}

func runDecode(ctx context.Context, streams *report.Streams, opts *decodeOptions) error {
	now := opts.Now()
	opts.Now = func() time.Time { return now }
	if opts.Wordlist != "" {
		opts.Searching = report.DecodeSearching(streams, opts.Wordlist)
		opts.Progress = report.DecodeProgress(streams)
	}
	w := report.NewDecodeWriter(streams, opts.Output, now)
	b, err := client.Decode(ctx, &opts.DecodeConfig, w.Write)
	if b != nil && b.Inputs > 0 {
		// What was decoded before a failure stays a well-formed document.
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if b != nil {
		report.DecodeUnaudited(streams, b.Unaudited)
	}
	var interrupted *cookie.AuditInterruptedError
	if errors.As(err, &interrupted) {
		report.DecodeInterrupted(streams, interrupted)
	}
	if err != nil {
		return err
	}
	switch outcome, msg := b.Outcome(); outcome {
	case cookie.BatchUndecodable, cookie.BatchEmpty:
		return errors.New(msg)
	case cookie.BatchCheckFailed:
		return &CheckFailedError{Msg: msg}
	}
	return nil
}
