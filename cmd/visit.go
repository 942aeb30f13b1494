package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/redact"
	"github.com/sessctl/sessctl/report"
)

type visitOptions struct {
	// VisitConfig is the run; its URL "" visits an embedded demo server.
	client.VisitConfig
	// Output is table, json or jsonl.
	Output string
	// JarPath is the jar file; "" for an in-memory jar.
	JarPath string
	// Fresh forgets the cookies the jar would send to URL before visiting.
	Fresh bool
	// JarReadOnly reads the jar and never writes it.
	JarReadOnly bool
}

func newVisitCmd(streams *report.Streams, runF func(context.Context, *visitOptions) error) *cobra.Command {
	opts := &visitOptions{}
	var headers []string
	var body bodyFlags
	var jarFlag string
	c := &cobra.Command{
		Use:   "visit [URL]",
		Short: "Visit a URL with a persistent cookie jar and watch the session evolve",
		Long: `visit requests URL COUNT times through one persistent cookie jar and shows, for
each visit, the status, the cookies sent, each Set-Cookie with its attributes and
what the jar did with it, the body (pretty JSON when it is JSON) and what changed
since the previous visit (visitCount 1 → 2, a new cookie, a new session id).
Each visit is printed when it is done; -o jsonl prints one JSON object a visit.

The jar is a Netscape cookies.txt as curl and wget read and write it, so
"curl -b FILE -c FILE URL" and sessctl continue one session in both directions.
It lives in $SESSCTL_JAR, else $XDG_STATE_HOME/sessctl/cookies.txt (by default
~/.local/state/sessctl/cookies.txt); --jar FILE overrides (a symlink is followed,
a device or - for stdout is written in place). Saving locks the file and merges
this run's changes into it, so runs sharing a jar lose nothing of each other.
--fresh forgets only the cookies the jar would send to URL; --jar-read-only
reads and sends, never writes. Cookies are scoped as RFC 6265 and browsers do,
with the public suffix list, within curl's and browsers' limits, and sent byte
for byte as the jar holds them (as curl does).

The request is curl's: -d sends a form (Content-Type
application/x-www-form-urlencoded unless -H sets one), --json a JSON body with
Content-Type and Accept application/json; a body makes the default method POST;
well-known methods are sent upper case (-X get sends GET). -i shows every
response header, -v the request as sent too.

Everything the server sent is shown with control bytes escaped; a binary body
as its size and a hex preview; a long body is cut in the text view (-o json
keeps it up to 1 MiB). A password in the URL is shown as xxxxx.

Without URL, visit starts the embedded demo server (serve-demo) on a free
loopback port and visits it with an in-memory jar: the jar file is left alone.

Exit status: 0 when every visit got a response, of any status; 2 for a usage
error, an unreachable server, a timeout (--timeout, 0 for none), a body cut
short or a corrupt jar; 130 when interrupted. The visits done so far are
shown before the error.`,
		Example: `  sessctl visit -n 3
  sessctl visit http://127.0.0.1:3000/ --jar cookies.txt
  curl -s -b cookies.txt -c cookies.txt http://127.0.0.1:3000/
  sessctl visit http://127.0.0.1:3000/ -n 5 -o json | jq '.visits[].body.visitCount'
  sessctl visit http://127.0.0.1:3000/ -n 100 -o jsonl | jq -c '.changes[]'
  sessctl visit https://app.test/login -d user=bob -d @creds.txt --follow --fresh
  sessctl visit https://app.test/api/login --json '{"user":"bob"}' -v`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.URL, err = parseURLArg(args); err != nil {
				return err
			}
			if opts.Count < 1 {
				return &usageError{fmt.Errorf("-n/--count must be at least 1, not %d", opts.Count)}
			}
			if opts.Timeout < 0 {
				return &usageError{fmt.Errorf("--timeout must not be negative (0: no timeout)")}
			}
			if err := checkOutput(opts.Output, "table", "json", "jsonl"); err != nil {
				return err
			}
			h, err := parseVisitHeaders(headers)
			if err != nil {
				return &usageError{err}
			}
			opts.Header = h
			if opts.Body, err = body.read(c.Flags(), streams.In, opts.Header); err != nil {
				return err
			}
			opts.Method = client.CanonicalMethod(opts.Method)
			switch {
			case c.Flags().Changed("jar"):
				if jarFlag == "" {
					return &usageError{errors.New("--jar needs a file name")}
				}
				opts.JarPath = jarFlag
			case opts.URL != "":
				// Without URL the embedded server has a random secret: its
				// cookies would only clutter the user's jar.
				if opts.JarPath, err = defaultJarPath(); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runVisit(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.IntVarP(&opts.Count, "count", "n", 1, "number of visits")
	f.StringArrayVarP(&headers, "header", "H", nil, `request header "Name: value" (repeatable)`)
	f.StringVarP(&opts.Method, "method", "X", "", "request method (default GET, POST with a body); well-known methods are sent upper case")
	body.register(f)
	f.BoolVar(&opts.Follow, "follow", false, fmt.Sprintf("follow redirects (up to %d)", client.MaxRedirects))
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "limit for each visit, redirects and body included (0: no timeout)")
	f.BoolVarP(&opts.Insecure, "insecure", "k", false, "do not verify TLS certificates")
	f.BoolVarP(&opts.AllHeaders, "include", "i", false, "show every response header (as curl -i)")
	f.BoolVarP(&opts.Trace, "verbose", "v", false, "show the request as sent and every response header (as curl -v)")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json (one document) or jsonl (one JSON object a visit, as each is done)")
	completeValues(c, "output", "table", "json", "jsonl")
	f.StringVar(&jarFlag, "jar", "", "cookie jar file (default $SESSCTL_JAR, else $XDG_STATE_HOME/sessctl/cookies.txt)")
	f.BoolVar(&opts.Fresh, "fresh", false, "start a new session: forget the jar's cookies for URL (other sites' stay)")
	f.BoolVar(&opts.JarReadOnly, "jar-read-only", false, "read and send the jar's cookies, never write the jar")
	return c
}

// defaultJarPath is $SESSCTL_JAR, else sessctl/cookies.txt in the user's
// state directory ($XDG_STATE_HOME, else ~/.local/state).
func defaultJarPath() (string, error) {
	if p := os.Getenv("SESSCTL_JAR"); p != "" {
		return p, nil
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) { // the XDG spec says to ignore relative paths
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no place for the cookie jar (give --jar or set SESSCTL_JAR): %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "sessctl", "cookies.txt"), nil
}

func runVisit(ctx context.Context, streams *report.Streams, opts *visitOptions) error {
	// The jar is opened before any visit, so that a jar that cannot be
	// read or saved stops the run before the server sees it. The embedded
	// demo's cookies stay in memory: its sessions end with it, and on a
	// loopback address they would replace a real app's cookies there
	// (ports are no part of a cookie's scope).
	jar := client.NewJar()
	var jarOut bytes.Buffer // --jar -: printed after the report, as curl -c - after the body
	if opts.URL != "" {
		var err error
		jar, err = client.OpenJar(opts.JarPath, client.JarOptions{ReadOnly: opts.JarReadOnly, Stdout: &jarOut})
		if err != nil {
			return err
		}
	}

	cfg := opts.VisitConfig
	embedded := false
	if cfg.URL == "" {
		srv, err := demo.Open("", demo.Options{SameSite: defaultSameSite})
		if err != nil {
			return fmt.Errorf("start the embedded demo server: %w", err)
		}
		defer srv.Close()
		cfg.URL, embedded = srv.URL(), true
		report.VisitEmbedded(streams, cfg.URL)
	}
	if opts.Fresh {
		u, err := url.Parse(cfg.URL)
		if err != nil {
			return err
		}
		jar.Forget(u)
	}
	cfg.Jar = jar
	out := report.NewVisitWriter(streams, opts.Output)
	var werr error
	cfg.OnStep = func(s client.Step) {
		if err := out.Step(&s); err != nil && werr == nil {
			werr = err
		}
	}
	steps, err := client.Visit(ctx, cfg)
	if len(steps) > 0 {
		if serr := jar.Save(); serr != nil && err == nil {
			err = serr
		}
		report.JarWarnings(streams, jar.Warnings())
	}
	v := &report.Visit{URL: redact.URL(cfg.URL), Visits: steps, Jar: jar.Path(), JarState: jar.State(), JarCookies: jar.Len(), Embedded: embedded}
	if embedded && opts.JarPath != "" {
		v.Jar, v.JarState = opts.JarPath, client.JarStateUntouched
	}
	if rerr := out.End(v); werr == nil {
		werr = rerr
	}
	if jerr := report.JarOut(streams, jarOut.Bytes()); werr == nil {
		werr = jerr
	}
	if err == nil {
		err = werr
	}
	return err
}
