package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/report"
)

type signOptions struct {
	// Payload is the PAYLOAD argument: JSON, @FILE or "-" for stdin.
	Payload   string
	Format    string
	Name      string
	Options   map[string]string
	Key       cookie.SignKey
	IssuedAt  time.Time
	ExpiresAt *time.Time
	Output    string
	Jar       string
	URL       *url.URL
	Now       func() time.Time
}

// signOutputs are the -o forms of sign.
var signOutputs = []string{"pair", "value", "set-cookie", "json"}

func newSignCmd(streams *report.Streams, runF func(context.Context, *signOptions) error) *cobra.Command {
	opts := &signOptions{}
	var (
		secret, keyFile, confusion, encKey, issuedAt, expiresAt, rawURL string
		optPairs                                                        []string
	)
	c := &cobra.Command{
		Use:   "sign --format F --secret S [flags] PAYLOAD",
		Short: "Make a session cookie the framework accepts",
		Long: `sign makes the session cookie a framework would set for PAYLOAD, signed (and
encrypted where the framework encrypts) with the secret: express (express-session
ids, cookie-parser signed values and j: JSON), cookie-session and koa-session (with
their .sig companion), jwt, securecookie (gorilla), flask, django, rails, laravel.

PAYLOAD is JSON, @FILE or - (stdin), in the shape decode -o json shows it: either
the payload itself (with --format), or decode's document, its array or one
element, whose format, name and options (salt, digest, compression, envelope,
cipher) sign reuses, so that an edited cookie is re-signed as it came:

  sessctl decode -o json COOKIE --secret S | jq '.[0].payload.user="admin"' | sessctl sign --secret S -

--format, --name and --opt KEY=VALUE override what the document says. Options per
format are listed in the README. Timestamps are now unless --issued-at is given.

Output (-o): pair (NAME=VALUE, a cookie and its .sig on one line, as a Cookie
header lists them), value (bare values), set-cookie (Set-Cookie lines) or json.
--jar FILE --url URL also plants the cookies in a cookies.txt jar for that URL, so
visit and bench send them next.

Secrets and keys never appear in the output. A missing or wrong-shaped key is a
usage error naming its flag (exit 2).`,
		Example: `  sessctl sign --format express --secret keyboardcat '"my-session-id"'
  sessctl sign --format cookie-session --secret k1 '{"visitCount":41}' --jar cookies.txt --url http://127.0.0.1:3000/
  sessctl sign --format flask --secret dev '{"user":"admin"}'
  sessctl sign --format jwt --key private.pem --opt alg=RS256 '{"sub":"1"}'
  sessctl sign --format jwt --key-confusion public.pem '{"sub":"1","admin":true}'
  sessctl decode -o json "$COOKIE" --secret S | jq '.[0].payload.user="admin"' | sessctl sign --secret S -`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("want one PAYLOAD (JSON, @FILE or -), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Payload = args[0]
			if !slices.Contains(signOutputs, opts.Output) {
				return &usageError{fmt.Errorf("-o %q: want one of %s", opts.Output, strings.Join(signOutputs, ", "))}
			}
			if opts.Format != "" && !slices.Contains(cookie.SignableNames(), opts.Format) {
				return &usageError{fmt.Errorf("--format %q: want one of %s", opts.Format, strings.Join(cookie.SignableNames(), ", "))}
			}
			opts.Options = map[string]string{}
			for _, p := range optPairs {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return &usageError{fmt.Errorf("--opt %q: want KEY=VALUE", p)}
				}
				opts.Options[k] = v
			}
			if secret == "" {
				secret = os.Getenv("SESSCTL_SECRET")
			}
			if secret != "" {
				opts.Key.Secret = []byte(secret)
			}
			if keyFile != "" {
				k, err := client.ReadPrivateKeyFile(keyFile)
				if err != nil {
					return &usageError{fmt.Errorf("--key: %w", err)}
				}
				opts.Key.PrivateKey = k
			}
			if confusion != "" {
				if opts.Key.Secret != nil {
					return &usageError{errors.New("--key-confusion and --secret both give the HMAC secret: give one")}
				}
				data, err := os.ReadFile(confusion)
				if err != nil {
					return &usageError{fmt.Errorf("--key-confusion: %w", err)}
				}
				if _, err := cookie.ParsePublicKeys(data); err != nil {
					return &usageError{fmt.Errorf("--key-confusion %s: %w", confusion, err)}
				}
				// The file's exact bytes are the HMAC secret, as a verifier
				// that takes the public key for an HS* secret uses them.
				opts.Key.Secret = data
				if opts.Format == "" {
					opts.Format = "jwt"
				}
				if _, ok := opts.Options["alg"]; !ok {
					opts.Options["alg"] = "HS256"
				}
			}
			if encKey != "" {
				b, err := cookie.ParseKey(encKey)
				if err != nil {
					return &usageError{fmt.Errorf("--enc-key: %w", err)}
				}
				opts.Key.EncKey = b
			}
			var err error
			if issuedAt != "" {
				if opts.IssuedAt, err = parseSignTime(issuedAt); err != nil {
					return &usageError{fmt.Errorf("--issued-at: %w", err)}
				}
			}
			if expiresAt != "" {
				t, err := parseSignTime(expiresAt)
				if err != nil {
					return &usageError{fmt.Errorf("--expires-at: %w", err)}
				}
				opts.ExpiresAt = &t
			}
			if (opts.Jar == "") != (rawURL == "") {
				return &usageError{errors.New("--jar and --url go together: the jar to plant the cookies in and the URL they are for")}
			}
			if rawURL != "" {
				raw, err := client.ParseURL(rawURL)
				if err != nil {
					return &usageError{fmt.Errorf("--url: %w", err)}
				}
				opts.URL, _ = url.Parse(raw)
			}
			if opts.Now == nil {
				opts.Now = time.Now
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runSign(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Format, "format", "", "format to sign: "+strings.Join(cookie.SignableNames(), ", ")+" (default: the document's)")
	f.StringVar(&secret, "secret", "", "secret to sign with: HMAC secret, secret_key_base, APP_KEY, gorilla hash key (default $SESSCTL_SECRET)")
	f.StringVar(&keyFile, "key", "", "PEM private key for RS/PS/ES/EdDSA JWTs")
	f.StringVar(&confusion, "key-confusion", "", "PEM public key whose bytes are the HMAC secret of an HS256 JWT (RS-to-HS key confusion)")
	f.StringVar(&encKey, "enc-key", "", "gorilla/securecookie block key (AES) or @fastify/secure-session key (32 bytes), raw or hex:... or base64:...")
	f.StringVar(&opts.Name, "name", "", "cookie name (default: the document's, else the framework's)")
	f.StringArrayVar(&optPairs, "opt", nil, "format option KEY=VALUE, over the document's (repeatable): salt, digest, alg, cipher, envelope, ...")
	f.StringVar(&issuedAt, "issued-at", "", "timestamp to write, RFC 3339 or Unix seconds (default now)")
	f.StringVar(&expiresAt, "expires-at", "", "expiry of Rails' envelope, RFC 3339 or Unix seconds (default: the document's, else none)")
	f.StringVarP(&opts.Output, "output", "o", "pair", "output: "+strings.Join(signOutputs, ", "))
	f.StringVar(&opts.Jar, "jar", "", "also plant the cookies in this cookies.txt jar (with --url)")
	f.StringVar(&rawURL, "url", "", "the URL the planted cookies are for (with --jar)")
	completeValues(c, "format", cookie.SignableNames()...)
	completeValues(c, "output", signOutputs...)
	return c
}

// parseSignTime reads RFC 3339 or Unix seconds.
func parseSignTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-01-02T15:04:05Z) or Unix seconds", s)
	}
	return t, nil
}

// maxSignInput bounds a PAYLOAD read from a file or stdin.
const maxSignInput = 1 << 20

func readSignPayload(streams *report.Streams, arg string) ([]byte, error) {
	var r io.Reader
	switch {
	case arg == "-":
		r = streams.In
	case strings.HasPrefix(arg, "@"):
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, &usageError{fmt.Errorf("PAYLOAD %s: %w", arg, err)}
		}
		defer f.Close()
		r = f
	default:
		return []byte(arg), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSignInput+1))
	if err != nil {
		return nil, fmt.Errorf("read PAYLOAD %s: %w", arg, err)
	}
	if len(b) > maxSignInput {
		return nil, fmt.Errorf("PAYLOAD %s: more than %d bytes", arg, maxSignInput)
	}
	return b, nil
}

func runSign(ctx context.Context, streams *report.Streams, opts *signOptions) error {
	data, err := readSignPayload(streams, opts.Payload)
	if err != nil {
		return err
	}
	docs, err := cookie.ParseSignDocument(data)
	if err != nil {
		return &usageError{fmt.Errorf("PAYLOAD: %w", err)}
	}
	if len(docs) > 1 && opts.Name != "" {
		return &usageError{fmt.Errorf("--name: the document holds %d cookies; pick one with jq '.[N]'", len(docs))}
	}
	var signed [][]cookie.SignedCookie
	for i, d := range docs {
		format := d.Format
		if opts.Format != "" {
			format = opts.Format
		}
		if format == "" {
			return &usageError{fmt.Errorf("--format: the payload is not decode's JSON, so say which format to sign (%s)", strings.Join(cookie.SignableNames(), ", "))}
		}
		options := map[string]string{}
		for k, v := range d.Options {
			options[k] = v
		}
		for k, v := range opts.Options {
			options[k] = v
		}
		name := d.Name
		if opts.Name != "" {
			name = opts.Name
		}
		exp := d.ExpiresAt
		if opts.ExpiresAt != nil {
			exp = opts.ExpiresAt
		}
		cs, err := cookie.Sign(format, cookie.SignRequest{
			Name: name, Payload: d.Payload, Options: options, Key: opts.Key,
			IssuedAt: opts.IssuedAt, ExpiresAt: exp, Now: opts.Now,
		})
		if err != nil {
			if len(docs) > 1 {
				err = fmt.Errorf("element %d: %w", i, err)
			}
			return signError(err)
		}
		signed = append(signed, cs)
	}
	if opts.Jar != "" {
		var all []cookie.SignedCookie
		for _, cs := range signed {
			all = append(all, cs...)
		}
		if err := client.PlantCookies(opts.Jar, opts.URL, all); err != nil {
			return err
		}
		report.SignPlanted(streams, signed, opts.URL.Redacted(), opts.Jar)
	}
	return report.Signed(streams, signed, opts.Output)
}

// signError marks what the user must fix as a usage error naming the flag.
func signError(err error) error {
	var ke *cookie.KeyError
	var oe *cookie.OptionError
	switch {
	case errors.As(err, &ke):
		flag := map[string]string{cookie.KeySecret: "--secret", cookie.KeyPrivateKey: "--key", cookie.KeyEncKey: "--enc-key"}[ke.Key]
		return &usageError{fmt.Errorf("%s: %w", flag, ke.Err)}
	case errors.As(err, &oe):
		return &usageError{fmt.Errorf("--opt: %w", err)}
	case errors.Is(err, cookie.ErrPayload), errors.Is(err, cookie.ErrNotSignable):
		return &usageError{err}
	}
	return err
}
