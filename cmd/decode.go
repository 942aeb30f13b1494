package cmd

import (
	"bufio"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/report"
)

type decodeOptions struct {
	// Args are the positional inputs; "-" reads stdin, one input a line.
	Args []string
	// Secrets are --secret values, then --secret-file lines, else
	// $SESSCTL_SECRET; their order gives secret_index.
	Secrets    [][]byte
	PublicKeys []crypto.PublicKey
	EncKeys    [][]byte
	Format     string
	Wordlist   string
	Workers    int
	Jar        string
	URL        string
	Timeout    time.Duration
	Output     string
	Now        func() time.Time
}

func newDecodeCmd(streams *report.Streams, runF func(context.Context, *decodeOptions) error) *cobra.Command {
	opts := &decodeOptions{}
	var (
		secrets, keyFiles, encKeys []string
		secretFile                 string
	)
	c := &cobra.Command{
		Use:   "decode [flags] [VALUE | NAME=VALUE | 'Cookie: ...' | 'Set-Cookie: ...' | -]...",
		Short: "Decode and verify framework session cookies",
		Long: `decode shows what is inside session cookies, which framework made them and
whether a secret signs them: express-session and cookie-parser (express),
cookie-session, koa-session, JWT, gorilla/securecookie, Flask, Django, Rails,
Laravel, and opaque ids (PHPSESSID, JSESSIONID, Spring SESSION).

Inputs are bare values, NAME=VALUE pairs, whole Cookie: headers or Set-Cookie:
lines; "-" reads stdin, one input a line. A cookie named NAME.sig is paired
with NAME as its signature (cookie-session, koa-session). --jar decodes every
cookie of a cookies.txt jar; --url visits once (through --jar when given) and
decodes what the server sets.

Secrets (--secret, repeatable for rotation, --secret-file, $SESSCTL_SECRET)
never appear in the output. --wordlist searches for a weak secret.

Exit status: 0 every input decoded and none failed verification; 1 a signature
did not verify or the wordlist found nothing; 2 an input given as an argument
or on stdin could not be decoded, or a usage error. A cookie read from --jar
or set by --url's server that cannot be decoded (theme=dark beside the
session) is listed as unknown but does not change the exit status.`,
		Example: `  sessctl decode 's%3AaB3x...%2Bk' --secret keyboardcat
  sessctl decode 'Cookie: session=eyJ1c2VyIjoiYSJ9; session.sig=Wv9...' --secret k1 --secret k2
  sessctl decode eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig --key public.pem -o json
  sessctl decode --url http://127.0.0.1:3000/ --secret s3cret
  sessctl decode --jar cookies.txt --secret-file secrets.txt
  sessctl decode connect.sid=s%3A... --wordlist rockyou.txt
  pbpaste | sessctl decode - --format flask`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Args = args
			if len(args) == 0 && opts.Jar == "" && opts.URL == "" {
				return &usageError{errors.New("nothing to decode: give a cookie value, -, --jar or --url (see 'sessctl decode --help')")}
			}
			if opts.Output != "table" && opts.Output != "json" {
				return &usageError{fmt.Errorf("-o %q: want table or json", opts.Output)}
			}
			if opts.Format != "" {
				if _, ok := cookie.FormatByName(opts.Format); !ok {
					return &usageError{fmt.Errorf("--format %q: want one of %s", opts.Format, strings.Join(cookie.FormatNames(), ", "))}
				}
			}
			if opts.URL != "" {
				u, err := url.Parse(opts.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return &usageError{fmt.Errorf("--url %q: want an http or https URL", opts.URL)}
				}
			}
			for i, s := range secrets {
				if s == "" {
					return &usageError{fmt.Errorf("--secret #%d is empty", i+1)}
				}
				opts.Secrets = append(opts.Secrets, []byte(s))
			}
			if secretFile != "" {
				fs, err := readSecretFile(secretFile)
				if err != nil {
					return &usageError{err}
				}
				opts.Secrets = append(opts.Secrets, fs...)
			}
			if len(opts.Secrets) == 0 {
				if s := os.Getenv("SESSCTL_SECRET"); s != "" {
					opts.Secrets = [][]byte{[]byte(s)}
				}
			}
			for _, p := range keyFiles {
				data, err := os.ReadFile(p)
				if err != nil {
					return &usageError{fmt.Errorf("--key: %w", err)}
				}
				ks, err := cookie.ParsePublicKeys(data)
				if err != nil {
					return &usageError{fmt.Errorf("--key %s: %w", p, err)}
				}
				opts.PublicKeys = append(opts.PublicKeys, ks...)
			}
			for i, k := range encKeys {
				b, err := parseKeyBytes(k)
				if err != nil {
					return &usageError{fmt.Errorf("--enc-key #%d: %w", i+1, err)}
				}
				opts.EncKeys = append(opts.EncKeys, b)
			}
			if opts.Wordlist != "" {
				if _, err := os.Stat(opts.Wordlist); err != nil {
					return &usageError{fmt.Errorf("--wordlist: %w", err)}
				}
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
	f.StringVar(&secretFile, "secret-file", "", "file of secrets, one a line (after any --secret)")
	f.StringArrayVar(&keyFiles, "key", nil, "PEM file of public keys (or certificates) for RS/PS/ES/EdDSA JWTs (repeatable)")
	f.StringArrayVar(&encKeys, "enc-key", nil, "gorilla/securecookie block key (AES), raw or hex:... or base64:... (repeatable)")
	f.StringVar(&opts.Format, "format", "", "force a format: "+strings.Join(cookie.FormatNames(), ", "))
	f.StringVar(&opts.Wordlist, "wordlist", "", "search this file (one candidate a line) for the secret of each signed input")
	f.IntVar(&opts.Workers, "workers", 0, "goroutines for --wordlist (default: every core)")
	f.StringVar(&opts.Jar, "jar", "", "decode every cookie of this cookies.txt jar (with --url: the jar the visit uses and updates)")
	f.StringVar(&opts.URL, "url", "", "GET this URL once and decode the cookies the server sets")
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "bound on the --url visit")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	return c
}

// readSecretFile reads one secret a line; empty lines are skipped.
func readSecretFile(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--secret-file: %w", err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line != "" {
			out = append(out, []byte(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--secret-file %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--secret-file %s: no secret in it", path)
	}
	return out, nil
}

// parseKeyBytes reads a key given as "hex:...", "base64:..." or raw text.
func parseKeyBytes(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "hex:"):
		return hex.DecodeString(s[4:])
	case strings.HasPrefix(s, "base64:"):
		return base64.StdEncoding.DecodeString(s[7:])
	case s == "":
		return nil, errors.New("empty key")
	}
	return []byte(s), nil
}

func runDecode(ctx context.Context, streams *report.Streams, opts *decodeOptions) error {
	ins, err := decodeInputs(ctx, streams, opts)
	if err != nil {
		return err
	}
	if len(ins) == 0 {
		return &CheckFailedError{Msg: "no cookie to decode"}
	}
	bo := cookie.BatchOptions{
		Keys:    cookie.Keys{Secrets: opts.Secrets, PublicKeys: opts.PublicKeys, EncKeys: opts.EncKeys},
		Format:  opts.Format,
		Now:     opts.Now,
		Workers: opts.Workers,
	}
	if opts.Wordlist != "" {
		bo.Wordlist = func() (io.ReadCloser, error) { return os.Open(opts.Wordlist) }
		bo.Searching = report.DecodeSearching(streams, opts.Wordlist)
	}
	b, err := cookie.DecodeAll(ctx, ins, bo)
	if err != nil {
		return err
	}
	report.DecodeUnaudited(streams, b.Unaudited)
	if opts.Output == "json" {
		err = report.DecodeJSON(streams, b.Decoded)
	} else {
		err = report.DecodeText(streams, b.Decoded, b.Now)
	}
	if err != nil {
		return err
	}
	switch outcome, msg := b.Outcome(); outcome {
	case cookie.BatchUndecodable:
		return errors.New(msg)
	case cookie.BatchCheckFailed:
		return &CheckFailedError{Msg: msg}
	}
	return nil
}

// decodeInputs gathers the inputs: positional arguments and stdin, the
// jar's cookies, and what --url's server sets. Only the first are the
// user's own (cookie.OriginUser).
func decodeInputs(ctx context.Context, streams *report.Streams, opts *decodeOptions) ([]cookie.Input, error) {
	var lines []string
	for _, a := range opts.Args {
		if a != "-" {
			lines = append(lines, a)
			continue
		}
		sc := bufio.NewScanner(streams.In)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
	}
	ins := cookie.ParseInputs(lines)
	var jar *client.Jar
	if opts.Jar != "" {
		if _, err := os.Stat(opts.Jar); err != nil && opts.URL == "" {
			return nil, &usageError{fmt.Errorf("--jar: %w", err)}
		}
		j, err := client.OpenJar(opts.Jar)
		if err != nil {
			return nil, err
		}
		jar = j
		if opts.URL == "" {
			for _, c := range j.All() {
				ins = append(ins, cookie.Input{Name: c.Name, Value: c.Value, Origin: cookie.OriginJar})
			}
		}
	}
	if opts.URL != "" {
		if jar == nil {
			jar = client.NewJar("")
		}
		steps, err := client.Visit(ctx, client.VisitOptions{URL: opts.URL, Jar: jar, Timeout: opts.Timeout})
		if err != nil {
			return nil, fmt.Errorf("visit %s: %w", opts.URL, err)
		}
		if err := jar.Save(); err != nil {
			return nil, err
		}
		n := 0
		for _, st := range steps {
			for _, sc := range st.SetCookies {
				if sc.Value != "" {
					ins = append(ins, cookie.Input{Name: sc.Name, Value: sc.Value, Origin: cookie.OriginServer})
					n++
				}
			}
		}
		if n == 0 {
			// The server set nothing new: show what the jar sends it.
			u, _ := url.Parse(opts.URL)
			for _, c := range jar.Cookies(u) {
				ins = append(ins, cookie.Input{Name: c.Name, Value: c.Value, Origin: cookie.OriginJar})
			}
		}
	}
	return cookie.PairSignatures(ins), nil
}
