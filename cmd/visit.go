package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/report"
)

type visitOptions struct {
	// URL is the URL to visit; "" visits an embedded demo server.
	URL     string
	Count   int
	Method  string
	Header  http.Header
	Body    []byte // nil: no body
	Follow  bool
	Timeout time.Duration
	// Insecure skips TLS verification.
	Insecure bool
	Output   string
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
	var data, jarFlag string
	c := &cobra.Command{
		Use:   "visit [URL]",
		Short: "Visit a URL with a persistent cookie jar and watch the session evolve",
		Long: `visit requests URL COUNT times through one persistent cookie jar and shows, for
each visit, the status, the cookies sent, each Set-Cookie with its attributes and
what the jar did with it, the body (pretty JSON when it is JSON) and what changed
since the previous visit (visitCount 1 → 2, a new cookie, a new session id).

The jar is a Netscape cookies.txt as curl and wget read and write it, so
"curl -b FILE -c FILE URL" and sessctl continue one session in both directions.
It lives in $SESSCTL_JAR, else $XDG_STATE_HOME/sessctl/cookies.txt (by default
~/.local/state/sessctl/cookies.txt); --jar FILE overrides (a symlink is followed,
a device or - for stdout is written in place). Saving locks the file and merges
this run's changes into it, so runs sharing a jar lose nothing of each other.
--fresh forgets only the cookies the jar would send to URL; --jar-read-only
reads and sends, never writes. Cookies are scoped as RFC 6265 and browsers do,
with the public suffix list, within curl's and browsers' limits.

Without URL, visit starts the embedded demo server (serve-demo) on a free
loopback port and visits it with an in-memory jar: the jar file is left alone.

A response of any status is a visit (exit 0); an unreachable server, a timeout
or a corrupt jar exit 2.`,
		Example: `  sessctl visit -n 3
  sessctl visit http://127.0.0.1:3000/ --jar cookies.txt
  curl -s -b cookies.txt -c cookies.txt http://127.0.0.1:3000/
  sessctl visit http://127.0.0.1:3000/ -n 5 -o json | jq '.visits[].body.visitCount'
  sessctl visit https://app.test/login -X POST -d @creds.txt -H 'Accept: application/json' --follow --fresh`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				u, err := client.ParseURL(args[0])
				if err != nil {
					return &usageError{err}
				}
				opts.URL = u
			}
			if opts.Count < 1 {
				return &usageError{fmt.Errorf("-n/--count must be at least 1, not %d", opts.Count)}
			}
			if opts.Timeout < 0 {
				return &usageError{fmt.Errorf("--timeout must not be negative")}
			}
			if opts.Output != "table" && opts.Output != "json" {
				return &usageError{fmt.Errorf("-o/--output must be table or json, not %q", opts.Output)}
			}
			h, err := parseVisitHeaders(headers)
			if err != nil {
				return &usageError{err}
			}
			opts.Header = h
			if c.Flags().Changed("data") {
				if opts.Body, err = readVisitData(data, streams.In); err != nil {
					return err
				}
			}
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
	f.StringVarP(&opts.Method, "method", "X", "", "request method (default GET, POST with --data)")
	f.StringVarP(&data, "data", "d", "", "request body, as a form unless -H sets Content-Type; @FILE reads FILE, @- stdin (CR and LF dropped, as curl -d)")
	f.BoolVar(&opts.Follow, "follow", false, fmt.Sprintf("follow redirects (up to %d)", client.MaxRedirects))
	f.DurationVar(&opts.Timeout, "timeout", 30*time.Second, "limit for each visit, redirects and body included (0: none)")
	f.BoolVarP(&opts.Insecure, "insecure", "k", false, "do not verify TLS certificates")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	completeValues(c, "output", "table", "json")
	f.StringVar(&jarFlag, "jar", "", "cookie jar file (default $SESSCTL_JAR, else $XDG_STATE_HOME/sessctl/cookies.txt)")
	f.BoolVar(&opts.Fresh, "fresh", false, "start a new session: forget the jar's cookies for URL (other sites' stay)")
	f.BoolVar(&opts.JarReadOnly, "jar-read-only", false, "read and send the jar's cookies, never write the jar")
	return c
}

func parseVisitHeaders(lines []string) (http.Header, error) {
	kvs, err := parseHeaderLines(lines)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for _, kv := range kvs {
		h.Add(kv[0], kv[1])
	}
	return h, nil
}

// parseHeaderLines reads -H "Name: value" lines in the user's order, the
// names in canonical form (accept-language: Accept-Language).
func parseHeaderLines(lines []string) ([][2]string, error) {
	var kvs [][2]string
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("-H %q: want \"Name: value\"", line)
		}
		kvs = append(kvs, [2]string{http.CanonicalHeaderKey(name), strings.TrimSpace(value)})
	}
	return kvs, nil
}

// readVisitData reads --data: the string itself, or with @ a file (@- for
// stdin) with CR and LF removed, as curl -d does.
func readVisitData(data string, stdin io.Reader) ([]byte, error) {
	name, ok := strings.CutPrefix(data, "@")
	if !ok {
		return []byte(data), nil
	}
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("read --data: %w", err)
	}
	b = bytes.ReplaceAll(b, []byte("\r"), nil)
	return bytes.ReplaceAll(b, []byte("\n"), nil), nil
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
	if opts.URL != "" {
		var err error
		jar, err = client.OpenJar(opts.JarPath, client.JarOptions{ReadOnly: opts.JarReadOnly, Stdout: streams.Out})
		if err != nil {
			return err
		}
	}

	target, embedded := opts.URL, false
	if target == "" {
		srv, err := demo.Open("", demo.Options{})
		if err != nil {
			return fmt.Errorf("start the embedded demo server: %w", err)
		}
		defer srv.Close()
		target, embedded = srv.URL(), true
		report.VisitEmbedded(streams, target)
	}
	if opts.Fresh {
		u, err := url.Parse(target)
		if err != nil {
			return err
		}
		jar.Forget(u)
	}

	steps, err := client.Visit(ctx, client.VisitOptions{
		URL:      target,
		Count:    opts.Count,
		Method:   opts.Method,
		Header:   opts.Header,
		Body:     opts.Body,
		Follow:   opts.Follow,
		Timeout:  opts.Timeout,
		Insecure: opts.Insecure,
		Jar:      jar,
	})
	if len(steps) > 0 {
		if serr := jar.Save(); serr != nil && err == nil {
			err = serr
		}
		report.JarWarnings(streams, jar.Warnings())
		v := &report.Visit{URL: target, Visits: steps, Jar: jar.Path(), JarState: jar.State(), JarCookies: jar.Len(), Embedded: embedded}
		if embedded && opts.JarPath != "" {
			v.Jar, v.JarState = opts.JarPath, client.JarStateUntouched
		}
		var rerr error
		if opts.Output == "json" {
			rerr = report.VisitJSON(streams, v)
		} else {
			rerr = report.VisitText(streams, v)
		}
		if err == nil {
			err = rerr
		}
	}
	return err
}
