package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client"
)

// Defaults of a Config's zero fields.
const (
	// DefaultSamples is the number of tokens collected: the 20 000 the
	// FIPS 140-2 tests are defined on.
	DefaultSamples         = 20000
	DefaultLoadRequests    = 200
	DefaultLoadConcurrency = 20
	DefaultTimeout         = 10 * time.Second
	DefaultConcurrency     = 20
)

// Config configures Run. Zero values take their defaults.
type Config struct {
	// URL is the page that starts a session (http or https).
	URL string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// Timeout bounds each request; 0 means DefaultTimeout.
	Timeout time.Duration
	// Header is sent with every request.
	Header http.Header

	// Samples is the number of fresh tokens collected; 0 means
	// DefaultSamples, negative skips the token check.
	Samples int
	// Concurrency is the number of keep-alive connections the tokens are
	// collected on; 0 means DefaultConcurrency.
	Concurrency int
	// Token says which token is analysed: "" (the session id inside the
	// session cookie), "cookie:NAME", "body:PATH" (a dotted JSON path) or
	// "header:NAME".
	Token string
	// Engine is the bench engine of the token collection and the load
	// (bench.EngineAuto when empty).
	Engine string

	// Login, Logout and Authed are requests "METHOD /path" (a path on
	// URL's origin, or a whole URL); empty skips what needs them. LoginData
	// is Login's form body.
	Login     string
	LoginData string
	Logout    string
	Authed    string
	// AuthedStatus is the status of an authenticated answer to Authed; 0
	// means any 2xx. AuthedMatch, when set, must match its body too.
	AuthedStatus int
	AuthedMatch  *regexp.Regexp
	// Idle, when above 0, waits that long after login and checks the
	// session is gone.
	Idle time.Duration

	// Wordlist is a file of candidate secrets, one a line, searched for
	// the session cookie's secret; empty searches for none.
	Wordlist string

	// NoLoad skips the lost-update check; LoadRequests and
	// LoadConcurrency size it (DefaultLoadRequests, DefaultLoadConcurrency
	// when 0). CounterPath is the session counter's JSON path (bench's
	// default when empty).
	NoLoad          bool
	LoadRequests    int64
	LoadConcurrency int
	CounterPath     string

	// Progress, when set, is called during the token collection with the
	// tokens done and the total.
	Progress func(done, total int64)
	// Now and Sleep are the clock; nil means the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// request is a parsed "METHOD /path".
type request struct {
	Method string
	URL    string
}

func (r request) String() string { return r.Method + " " + r.URL }

// parseRequest reads "METHOD /path" or "METHOD URL", relative to base.
func parseRequest(flag, s, base string) (request, error) {
	m, target, ok := strings.Cut(strings.TrimSpace(s), " ")
	target = strings.TrimSpace(target)
	if !ok || m == "" || target == "" {
		return request{}, fmt.Errorf("%s %q: want 'METHOD /path', e.g. 'POST /login'", flag, s)
	}
	u, err := resolve(base, target)
	if err != nil {
		return request{}, fmt.Errorf("%s %q: %w", flag, s, err)
	}
	return request{Method: client.CanonicalMethod(m), URL: u}, nil
}

// Validate reports the first setting Run would refuse.
func (c Config) Validate() error {
	if c.Token != "" {
		if _, err := parseTokenSource(c.Token); err != nil {
			return err
		}
	}
	if c.Wordlist != "" {
		if _, err := os.Stat(c.Wordlist); err != nil {
			return fmt.Errorf("--wordlist: %w", err)
		}
	}
	for _, r := range []struct{ flag, v string }{{"--login", c.Login}, {"--logout", c.Logout}, {"--authed", c.Authed}} {
		if r.v == "" {
			continue
		}
		if _, err := parseRequest(r.flag, r.v, "http://x/"); err != nil {
			return err
		}
	}
	switch {
	case c.Logout != "" && c.Authed == "":
		return errors.New("--logout needs --authed: the request that tells whether a cookie is signed in")
	case c.Idle > 0 && c.Authed == "":
		return errors.New("--idle needs --authed: the request that tells whether a cookie is signed in")
	case c.AuthedStatus != 0 && (c.AuthedStatus < 100 || c.AuthedStatus > 599):
		return fmt.Errorf("--authed-status %d: not an HTTP status", c.AuthedStatus)
	case c.Idle < 0:
		return fmt.Errorf("--idle must not be negative, not %s", c.Idle)
	case c.LoadRequests < 0 || c.LoadConcurrency < 0 || c.Concurrency < 0:
		return errors.New("request counts and concurrency must not be negative")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Samples == 0 {
		c.Samples = DefaultSamples
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.LoadRequests == 0 {
		c.LoadRequests = DefaultLoadRequests
	}
	if c.LoadConcurrency == 0 {
		c.LoadConcurrency = DefaultLoadConcurrency
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return c
}
