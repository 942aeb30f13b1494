package audit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
)

// auditor is one run: its config, its keep-alive transport and what the
// checks found.
type auditor struct {
	cfg       Config
	base      *url.URL
	transport *http.Transport
	res       *Result
	// first is the response that started the session; sess the session
	// cookie it set (nil when none).
	first   client.Step
	sess    *cookie.SetCookie
	fmt     string          // the session cookie's format (cookie.Format.Name)
	decoded *cookie.Decoded // what content decoded; nil before
}

// Run audits cfg.URL and returns what it found. An error means the audit
// could not be made (the app unreachable, bad settings); findings are not
// errors.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("audit %q: not an http or https URL", cfg.URL)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.Insecure {
		t.TLSClientConfig.InsecureSkipVerify = true
	}
	defer t.CloseIdleConnections()
	a := &auditor{cfg: cfg, base: u, transport: t, res: &Result{Target: u.Redacted(), StartedAt: cfg.Now().UTC(), Findings: []Finding{}}}
	start := time.Now()

	a.first, err = a.visit(ctx, client.NewJar(), request{Method: http.MethodGet, URL: cfg.URL}, nil, nil)
	if err != nil {
		return nil, err
	}
	a.findSession()
	a.res.Framework = detectFramework(a.first, a.fmt, a.sess)

	steps := []struct {
		name string
		run  func(context.Context) (string, error)
	}{
		{"attributes", a.checkAttributes},
		{"content", a.checkContent},
		{"tokens", a.checkTokens},
		{"fixation", a.checkFixation},
		{"logout", a.checkLogout},
		{"lifetime", a.checkLifetime},
		{"concurrency", a.checkConcurrency},
	}
	for _, s := range steps {
		note, err := s.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s check: %w", s.name, err)
		}
		ran := !strings.HasPrefix(note, skipped)
		a.res.Checks = append(a.res.Checks, Check{Name: s.name, Ran: ran, Note: strings.TrimPrefix(note, skipped)})
	}

	sort.SliceStable(a.res.Findings, func(i, j int) bool {
		return a.res.Findings[i].Severity.Rank() > a.res.Findings[j].Severity.Rank()
	})
	a.res.Counts = map[Severity]int{}
	for _, s := range Severities {
		a.res.Counts[s] = 0
	}
	for _, f := range a.res.Findings {
		a.res.Counts[f.Severity]++
	}
	a.res.DurationS = time.Since(start).Seconds()
	return a.res, nil
}

// skipped starts the note of a check that did not run.
const skipped = "skipped: "

// add records a finding, with the fix for the framework detected.
func (a *auditor) add(f Finding) {
	if f.Fix == "" {
		f.Fix = fixFor(f.ID, a.res.Framework)
	}
	if f.References == nil {
		f.References = references[f.ID]
	}
	if f.Cookie == "" && a.sess != nil && f.Check != "concurrency" {
		f.Cookie = a.sess.Name
	}
	a.res.Findings = append(a.res.Findings, f)
}

// findSession picks the session cookie of the first response: the first
// Set-Cookie whose name is a session cookie's, else the first whose value
// decodes as a session format.
func (a *auditor) findSession() {
	var pick *cookie.SetCookie
	for _, sc := range a.first.SetCookies {
		c, err := cookie.ParseSetCookie(sc.Raw)
		if err != nil || strings.HasSuffix(c.Name, ".sig") {
			continue
		}
		if cookie.IsSessionName(c.Name) {
			pick = &c
			break
		}
		if pick == nil {
			if f, score := cookie.Detect(cookie.Input{Name: c.Name, Value: c.Value}); f != nil && score > 0 && f.Name() != "opaque" {
				pick = &c
			}
		}
	}
	if pick == nil {
		return
	}
	a.sess = pick
	a.res.SessionCookie = pick.Name
	if f, _ := cookie.Detect(a.sessionInput()); f != nil {
		a.fmt = f.Name()
	}
	a.res.CookieCarried = a.fmt != "" && a.fmt != "express" && a.fmt != "opaque"
}

// sessionInput is the decode input of the session cookie: the first
// response's cookies with their "<name>.sig" companions paired, as decode
// --url pairs them (cookie.PairSignatures), and the session's among them.
func (a *auditor) sessionInput() cookie.Input {
	var ins []cookie.Input
	for _, sc := range a.first.SetCookies {
		ins = append(ins, cookie.Input{Name: sc.Name, Value: sc.Value, Origin: cookie.OriginServer})
	}
	for _, in := range cookie.PairSignatures(ins) {
		if in.Name == a.sess.Name && in.Value == a.sess.Value {
			return in
		}
	}
	return cookie.Input{Name: a.sess.Name, Value: a.sess.Value, Origin: cookie.OriginServer}
}

// visit makes one request through jar (Cookie header extra, when not
// nil, is sent as well) and returns its Step.
func (a *auditor) visit(ctx context.Context, jar *client.Jar, r request, body []byte, hdr http.Header) (client.Step, error) {
	h := a.cfg.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, v := range hdr {
		h[k] = v
	}
	steps, err := client.Visit(ctx, client.VisitConfig{
		URL: r.URL, Method: r.Method, Body: body, Header: h, Timeout: a.cfg.Timeout,
		Insecure: a.cfg.Insecure, AllHeaders: true, Jar: jar, Transport: a.transport,
	})
	if err != nil {
		return client.Step{}, err
	}
	return steps[0], nil
}

// header returns the values of a response header of s, joined by ", ".
func header(s client.Step, name string) string {
	var vs []string
	for _, h := range s.ResponseHeaders {
		if strings.EqualFold(h.Name, name) {
			vs = append(vs, h.Value)
		}
	}
	return strings.Join(vs, ", ")
}

// resolve is target relative to base.
func resolve(base, target string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	t, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	u := b.ResolveReference(t)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("not an http or https URL")
	}
	return u.String(), nil
}
