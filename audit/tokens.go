package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/cookie"
)

// tokenSource is a parsed --token.
type tokenSource struct {
	kind string // "cookie", "body" or "header"
	name string
}

func parseTokenSource(s string) (tokenSource, error) {
	k, n, ok := strings.Cut(s, ":")
	if !ok || n == "" || (k != "cookie" && k != "body" && k != "header") {
		return tokenSource{}, fmt.Errorf("--token %q: want cookie:NAME, body:PATH or header:NAME", s)
	}
	return tokenSource{kind: k, name: n}, nil
}

// extract returns the token of one response, "" when it has none.
func (ts tokenSource) extract(r bench.Response) string {
	switch ts.kind {
	case "cookie":
		for _, line := range r.SetCookies {
			if c, err := cookie.ParseSetCookie(string(line)); err == nil && c.Name == ts.name {
				return cookie.SessionID(c.Value)
			}
		}
	case "header":
		if len(r.Header) > 0 {
			return string(r.Header[0])
		}
	case "body":
		raw, ok := bench.LookupJSON(r.Body, ts.name)
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	return ""
}

// checkTokens collects fresh tokens on keep-alive connections (bench's
// engine, no cookies kept so each request makes a session) and analyses
// them (WSTG-SESS-01).
func (a *auditor) checkTokens(ctx context.Context) (string, error) {
	if a.cfg.Samples < 0 {
		return skipped + "--samples 0", nil
	}
	var ts tokenSource
	source := ""
	switch {
	case a.cfg.Token != "":
		ts, _ = parseTokenSource(a.cfg.Token)
		source = ts.kind + " " + ts.name
	case a.sess == nil:
		return skipped + "no session cookie (name a token with --token)", nil
	case a.res.CookieCarried:
		return skipped + "the cookie carries the session (" + a.fmt + "), not an id to guess; its signature is checked under content", nil
	default:
		ts = tokenSource{kind: "cookie", name: a.sess.Name}
		source = "cookie " + a.sess.Name + " (the session id)"
	}
	var mu sync.Mutex
	tokens := make([]string, 0, a.cfg.Samples)
	cfg := bench.Config{
		URLs: []string{a.cfg.URL}, Requests: int64(a.cfg.Samples), Concurrency: a.cfg.Concurrency,
		Fresh: true, Timeout: a.cfg.Timeout, Insecure: a.cfg.Insecure, Engine: a.cfg.Engine, Header: benchHeader(a.cfg),
		OnResponse: func(r bench.Response) {
			if t := ts.extract(r); t != "" {
				mu.Lock()
				tokens = append(tokens, t)
				mu.Unlock()
			}
		},
	}
	if ts.kind == "header" {
		cfg.KeepHeader = ts.name
	}
	if a.cfg.Progress != nil {
		total := int64(a.cfg.Samples)
		cfg.Progress = func(p bench.Progress) { a.cfg.Progress(p.Done, total) }
	}
	start := time.Now()
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("collect tokens: %w", err)
	}
	if res.Interrupted {
		return "", ctx.Err()
	}
	if len(tokens) == 0 {
		return skipped + fmt.Sprintf("none of %d responses carried the token (%s)", res.Requests, source), nil
	}
	ta := Analyze(tokens)
	ta.Source = source
	ta.DurationS = time.Since(start).Seconds()
	a.res.Tokens = ta
	req := fmt.Sprintf("%d × GET %s without cookies, %d connections", len(tokens), a.cfg.URL, a.cfg.Concurrency)
	figure := fmt.Sprintf("effective entropy %.1f bits at 1%% significance (%s, %d-%d characters, %d duplicates)",
		ta.EffectiveBits, ta.Charset, ta.MinLength, ta.MaxLength, ta.Duplicates)
	switch ta.Verdict {
	case VerdictPredictable:
		a.add(Finding{ID: "token-predictable", Check: "tokens", Severity: Critical,
			Title:    fmt.Sprintf("session ids follow the order they are made (rank correlation %.2f, median step 2^%.1f): a counter or a clock, predictable from the last one", *ta.Trend, *ta.StepBits),
			Evidence: Evidence{Request: req, Detail: figure}})
	case VerdictGuessable:
		a.add(Finding{ID: "token-low-entropy", Check: "tokens", Severity: Critical,
			Title:    fmt.Sprintf("effective entropy %.0f bits: guessable", ta.EffectiveBits),
			Evidence: Evidence{Request: req, Detail: figure}})
	case VerdictWeak:
		a.add(Finding{ID: "token-low-entropy", Check: "tokens", Severity: High,
			Title:    fmt.Sprintf("effective entropy %.0f bits: under the 64 bits OWASP asks for", ta.EffectiveBits),
			Evidence: Evidence{Request: req, Detail: figure}})
	}
	if ta.Duplicates > 0 && ta.Verdict == VerdictGood {
		a.add(Finding{ID: "token-duplicates", Check: "tokens", Severity: High,
			Title:    fmt.Sprintf("%d duplicate ids among %d fresh sessions", ta.Duplicates, ta.Samples),
			Evidence: Evidence{Request: req, Detail: figure}})
	}
	note := ""
	if len(tokens) < FIPSBits {
		note = fmt.Sprintf("%d tokens: the FIPS 140-2 tests need %d", len(tokens), FIPSBits)
	}
	return note, nil
}

// benchHeader is cfg.Header as bench takes it.
func benchHeader(cfg Config) [][2]string {
	var h [][2]string
	for k, vs := range cfg.Header {
		for _, v := range vs {
			h = append(h, [2]string{k, v})
		}
	}
	return h
}
