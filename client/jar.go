package client

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/sessctl/sessctl/cookie"
)

// This file holds the jar's in-memory rules (RFC 6265 storage and
// retrieval, the limits); jarfile.go reads and writes its cookies.txt.

// MaxCookieLifetime caps a cookie's lifetime, as RFC 6265bis, browsers and
// curl do: a Max-Age or Expires further away is cut to 400 days from now.
const MaxCookieLifetime = 400 * 24 * time.Hour

// MaxCookieSize bounds a cookie's name and value together, as RFC 6265bis,
// browsers and curl do: a larger cookie is refused.
const MaxCookieSize = 4096

// The jar's limits, as curl and browsers keep them, so that a server that
// sends thousands of cookies cannot make the jar, the file or the requests
// grow without bound. Past MaxCookiesPerSite or MaxCookies the oldest
// cookies are dropped, with a warning.
const (
	// MaxSetCookiesPerResponse is how many Set-Cookie headers of one
	// response are used; the rest are ignored (curl's limit).
	MaxSetCookiesPerResponse = 50
	// MaxCookiesPerRequest is how many cookies one request carries (curl's
	// limit); the first in RFC 6265 order go.
	MaxCookiesPerRequest = 150
	// MaxCookiesPerSite is how many cookies the jar keeps for one site (a
	// registrable domain, with its subdomains), as browsers do.
	MaxCookiesPerSite = 180
	// MaxCookies is how many cookies the jar keeps in all, as browsers do.
	MaxCookies = 3000
)

// JarCookie is one cookie held by a Jar, with every attribute that decides
// where it goes and how long it lives.
type JarCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Domain is the cookie's domain without a leading dot: the request host
	// for a host-only cookie, the Domain attribute for a domain cookie.
	Domain string `json:"domain"`
	// HostOnly is true when the cookie goes to Domain exactly and not to its
	// subdomains (no Domain attribute was given).
	HostOnly bool   `json:"host_only"`
	Path     string `json:"path"`
	Secure   bool   `json:"secure"`
	HttpOnly bool   `json:"http_only"`
	// SameSite is "Strict", "Lax", "None" or empty; cookies.txt cannot
	// keep it, so it is empty for cookies read from a file.
	SameSite string `json:"same_site,omitempty"`
	// Expires is when the cookie expires; zero for a session cookie.
	Expires time.Time `json:"expires,omitzero"`
	// Session is true for a session cookie (no Max-Age nor Expires). The
	// jar keeps session cookies in its file, as curl -c does.
	Session bool `json:"session"`
	// Created is when the jar first stored a cookie with this name, domain
	// and path; for cookies read from a file, when the file was read.
	Created time.Time `json:"created"`
}

// key identifies a cookie in a jar: RFC 6265 §5.3 replaces a cookie with
// the same name, domain and path.
func (c *JarCookie) key() string { return c.Domain + ";" + c.Path + ";" + c.Name }

func (c *JarCookie) expired(now time.Time) bool { return !c.Session && !c.Expires.After(now) }

// Jar is a persistent cookie jar with RFC 6265 semantics and the public
// suffix list, whose cookies can be listed and saved as a Netscape
// cookies.txt file that curl and wget read and write. Save merges this
// run's changes into the file as it is then (see jarfile.go), so runs
// sharing a file lose nothing of each other. A Jar is safe for concurrent
// use.
type Jar struct {
	file *jarFile // nil for an in-memory jar
	now  func() time.Time

	mu    sync.Mutex
	sites map[string]map[string]*jarEntry // site → key → cookie
	n     int                             // cookies in sites
	seq   uint64                          // creation order among equal Created
	// changes are this run's stores (the cookie) and deletions (nil), by
	// key, which Save applies to the file as it is then.
	changes map[string]*JarCookie
	warn    jarWarnings
}

type jarEntry struct {
	JarCookie
	site string
	seq  uint64
}

// older tells whether a was stored before b.
func (a *jarEntry) older(b *jarEntry) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.seq < b.seq
}

func newJar(now func() time.Time) *Jar {
	return &Jar{now: now, sites: map[string]map[string]*jarEntry{}, changes: map[string]*JarCookie{},
		warn: jarWarnings{droppedSite: map[string]int{}}}
}

// NewJar returns an empty in-memory Jar.
func NewJar() *Jar { return newJar(time.Now) }

// jarSite is the bucket a cookie domain or a request host falls in: its
// registrable domain (eTLD+1), or the name itself for an IP address, a
// public suffix or a single label. A cookie only ever goes to hosts of its
// own site, so lookups scan one bucket.
func jarSite(domain string) string {
	if net.ParseIP(domain) != nil {
		return domain
	}
	if s, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
		return s
	}
	return domain
}

// All returns every unexpired cookie in the jar, sorted by domain, path
// (longest first) and name.
func (j *Jar) All() []JarCookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.expire(j.now())
	return j.all()
}

func (j *Jar) all() []JarCookie {
	all := make([]JarCookie, 0, j.n)
	for _, site := range j.sites {
		for _, e := range site {
			all = append(all, e.JarCookie)
		}
	}
	sortJarCookies(all)
	return all
}

func sortJarCookies(all []JarCookie) {
	sort.Slice(all, func(a, b int) bool {
		x, y := &all[a], &all[b]
		if x.Domain != y.Domain {
			return x.Domain < y.Domain
		}
		if len(x.Path) != len(y.Path) {
			return len(x.Path) > len(y.Path)
		}
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		return x.Name < y.Name
	})
}

// Len is how many unexpired cookies the jar holds.
func (j *Jar) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.expire(j.now())
	return j.n
}

// Warnings returns what the jar had to drop or skip so far: lines of its
// file it could not read, cookies over the limits. Each is one line.
func (j *Jar) Warnings() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.warn.lines()
}

// expire drops the cookies that expired at now; j.mu is held. Expiry is no
// change of this run: the file's copy expires as well.
func (j *Jar) expire(now time.Time) {
	for _, site := range j.sites {
		for k, e := range site {
			if e.expired(now) {
				j.remove(e.site, k)
			}
		}
	}
}

func (j *Jar) remove(site, key string) {
	if _, ok := j.sites[site][key]; !ok {
		return
	}
	delete(j.sites[site], key)
	j.n--
	if len(j.sites[site]) == 0 {
		delete(j.sites, site)
	}
}

// put stores c, keeping the creation time and order of a cookie it
// replaces; j.mu is held or j is not shared yet. It does not apply the
// limits (see trim).
func (j *Jar) put(c *JarCookie) *jarEntry {
	site, k := jarSite(c.Domain), c.key()
	bucket := j.sites[site]
	if bucket == nil {
		bucket = map[string]*jarEntry{}
		j.sites[site] = bucket
	}
	if old, ok := bucket[k]; ok {
		c.Created = old.Created
		e := &jarEntry{JarCookie: *c, site: site, seq: old.seq}
		bucket[k] = e
		return e
	}
	j.seq++
	e := &jarEntry{JarCookie: *c, site: site, seq: j.seq}
	bucket[k] = e
	j.n++
	return e
}

// store puts c as a change of this run and applies the limits, never
// dropping c itself; j.mu is held.
func (j *Jar) store(c *JarCookie) {
	e := j.put(c)
	cp := e.JarCookie
	j.changes[e.key()] = &cp
	j.trimAround(e)
}

// forget deletes the cookie of key as a change of this run; j.mu is held.
func (j *Jar) forget(site, key string) {
	j.remove(site, key)
	j.changes[key] = nil
}

// trimAround applies the limits after e was stored: the oldest other
// cookie of e's site, then of the jar, goes. A store adds one cookie, so
// one scan each suffices.
func (j *Jar) trimAround(e *jarEntry) {
	if bucket := j.sites[e.site]; len(bucket) > MaxCookiesPerSite {
		var oldest *jarEntry
		for _, o := range bucket {
			if o != e && (oldest == nil || o.older(oldest)) {
				oldest = o
			}
		}
		j.forget(oldest.site, oldest.key())
		j.warn.droppedSite[e.site]++
	}
	if j.n > MaxCookies {
		var oldest *jarEntry
		for _, bucket := range j.sites {
			for _, o := range bucket {
				if o != e && (oldest == nil || o.older(oldest)) {
					oldest = o
				}
			}
		}
		j.forget(oldest.site, oldest.key())
		j.warn.droppedTotal++
	}
}

// trim applies the limits to the whole jar at once (after reading a
// file), dropping the oldest cookies; j.mu is held or j is not shared yet.
func (j *Jar) trim() {
	var all []*jarEntry
	for site, bucket := range j.sites {
		if len(bucket) > MaxCookiesPerSite {
			es := make([]*jarEntry, 0, len(bucket))
			for _, e := range bucket {
				es = append(es, e)
			}
			sort.Slice(es, func(a, b int) bool { return es[a].older(es[b]) })
			for _, e := range es[:len(es)-MaxCookiesPerSite] {
				j.forget(site, e.key())
				j.warn.droppedSite[site]++
			}
		}
	}
	if j.n <= MaxCookies {
		return
	}
	for _, bucket := range j.sites {
		for _, e := range bucket {
			all = append(all, e)
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].older(all[b]) })
	for _, e := range all[:len(all)-MaxCookies] {
		j.forget(e.site, e.key())
		j.warn.droppedTotal++
	}
}

// Reasons SetCookie refuses a cookie.
var (
	ErrPublicSuffix     = errors.New("domain is a public suffix")
	ErrDomainMismatch   = errors.New("domain does not match the request host")
	ErrBadDomain        = errors.New("malformed domain")
	ErrInsecureSecure   = errors.New("secure cookie from an insecure origin")
	ErrCookiePrefix     = errors.New("__Secure- or __Host- prefix requirements not met")
	ErrTooLarge         = fmt.Errorf("name and value longer than %d bytes", MaxCookieSize)
	ErrShadowsSecure    = errors.New("would replace a secure cookie from an insecure origin")
	ErrUnsupportedURL   = errors.New("not an http or https URL")
	errExpiredOnArrival = errors.New("expired") // deletion, not a refusal
)

// SetCookie stores one cookie a response to u set (parsed with
// cookie.ParseSetCookie), replacing the cookie with the same name, domain
// and path. A Max-Age <= 0 or an Expires in the past deletes that cookie
// instead, and deleted is true. It returns why the cookie was refused (nil
// when it was stored or deleted): ErrPublicSuffix for Domain=co.uk,
// ErrDomainMismatch, ErrBadDomain, ErrInsecureSecure, ErrShadowsSecure,
// ErrCookiePrefix, ErrTooLarge, ErrUnsupportedURL. Past MaxCookiesPerSite
// or MaxCookies the oldest cookie is dropped (see Warnings).
func (j *Jar) SetCookie(u *url.URL, c *cookie.SetCookie) (deleted bool, err error) {
	host, secureOrigin, err := jarRequestHost(u)
	if err != nil {
		return false, err
	}
	now := j.now()
	e, err := newJarCookie(c, host, u.Path, secureOrigin, now)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil && !errors.Is(err, errExpiredOnArrival) {
		return false, err
	}
	if !secureOrigin && j.shadowsSecure(e) {
		return false, ErrShadowsSecure
	}
	if err != nil {
		j.forget(jarSite(e.Domain), e.key())
		return true, nil
	}
	j.store(e)
	return false, nil
}

// shadowsSecure tells whether c, set from an insecure origin, would replace
// or shadow a Secure cookie of the same name (RFC 6265bis §5.7 step 16,
// "leave secure cookies alone"); j.mu is held.
func (j *Jar) shadowsSecure(c *JarCookie) bool {
	for _, e := range j.sites[jarSite(c.Domain)] {
		if e.Secure && e.Name == c.Name &&
			(cookie.DomainMatch(e.Domain, c.Domain, false) || cookie.DomainMatch(c.Domain, e.Domain, false)) &&
			cookie.PathMatch(c.Path, e.Path) {
			return true
		}
	}
	return false
}

// IgnoredSetCookies records that a response from u sent n Set-Cookie
// headers, more than MaxSetCookiesPerResponse, for Warnings.
func (j *Jar) IgnoredSetCookies(u *url.URL, n int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.warn.addf("%s sent %d Set-Cookie headers in one response: the first %d were used, as curl does",
		u.Host, n, MaxSetCookiesPerResponse)
}

// Cookies returns the cookies to send to u, longest path first, then
// oldest first (RFC 6265 §5.4), their values byte for byte as stored, at
// most MaxCookiesPerRequest of them. Secure cookies go only to https and
// loopback hosts.
func (j *Jar) Cookies(u *url.URL) []JarCookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	sel := j.matching(u)
	if len(sel) > MaxCookiesPerRequest {
		j.warn.addf("%s: %d cookies apply, the first %d were sent, as curl does", u.Host, len(sel), MaxCookiesPerRequest)
		sel = sel[:MaxCookiesPerRequest]
	}
	out := make([]JarCookie, len(sel))
	for i, e := range sel {
		out[i] = e.JarCookie
	}
	return out
}

// Forget deletes every cookie the jar would send to u (whatever the
// per-request limit) and returns how many went: --fresh, which starts a new
// session with u and leaves other sites' cookies alone.
func (j *Jar) Forget(u *url.URL) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	sel := j.matching(u)
	for _, e := range sel {
		j.forget(e.site, e.key())
	}
	return len(sel)
}

// matching lists the cookies that go to u in RFC 6265 §5.4 order; j.mu is
// held.
func (j *Jar) matching(u *url.URL) []*jarEntry {
	host, secureOrigin, err := jarRequestHost(u)
	if err != nil {
		return nil
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	now := j.now()
	var sel []*jarEntry
	site := jarSite(host)
	for k, e := range j.sites[site] {
		if e.expired(now) {
			j.remove(site, k)
			continue
		}
		if e.Secure && !secureOrigin {
			continue
		}
		if !cookie.DomainMatch(host, e.Domain, e.HostOnly) || !cookie.PathMatch(path, e.Path) {
			continue
		}
		sel = append(sel, e)
	}
	sort.Slice(sel, func(a, b int) bool {
		x, y := sel[a], sel[b]
		if len(x.Path) != len(y.Path) {
			return len(x.Path) > len(y.Path)
		}
		return x.older(y)
	})
	return sel
}

// jarWarnings gathers the jar's warnings, each said once, the dropped
// cookies counted.
type jarWarnings struct {
	said         []string
	seen         map[string]bool
	droppedSite  map[string]int
	droppedTotal int
}

func (w *jarWarnings) addf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if !w.seen[s] {
		w.seen[s] = true
		w.said = append(w.said, s)
	}
}

func oldest(n int) string {
	if n == 1 {
		return "the oldest cookie"
	}
	return fmt.Sprintf("the %d oldest cookies", n)
}

func (w *jarWarnings) lines() []string {
	out := append([]string(nil), w.said...)
	sites := make([]string, 0, len(w.droppedSite))
	for s := range w.droppedSite {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	for _, s := range sites {
		out = append(out, fmt.Sprintf("dropped %s of %s: a jar keeps %d a site, as browsers do",
			oldest(w.droppedSite[s]), s, MaxCookiesPerSite))
	}
	if w.droppedTotal > 0 {
		out = append(out, fmt.Sprintf("dropped %s: a jar keeps %d in all, as browsers do", oldest(w.droppedTotal), MaxCookies))
	}
	return out
}

// jarRequestHost returns u's host as cookies see it (lower case, no port,
// no trailing dot) and whether u is a secure origin: https, or a loopback
// host where browsers and curl treat http as secure.
func jarRequestHost(u *url.URL) (host string, secure bool, err error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false, ErrUnsupportedURL
	}
	host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", false, ErrUnsupportedURL
	}
	return host, u.Scheme == "https" || IsLoopback(host), nil
}

// IsLoopback tells whether host (lower case, no port) names this machine:
// localhost, a name under .localhost, or a loopback IP. On such a host
// browsers and curl treat http as a secure origin.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newJarCookie turns a Set-Cookie received from host (request path
// reqPath) into a jar cookie. It returns errExpiredOnArrival with the
// cookie's key filled in when the cookie deletes one.
func newJarCookie(c *cookie.SetCookie, host, reqPath string, secureOrigin bool, now time.Time) (*JarCookie, error) {
	e := &JarCookie{
		Name:     c.Name,
		Value:    c.Value,
		Secure:   c.Secure,
		HttpOnly: c.HttpOnly,
		SameSite: c.SameSite,
		Created:  now,
	}
	if len(e.Name)+len(e.Value) > MaxCookieSize {
		return nil, ErrTooLarge
	}
	var err error
	e.Domain, e.HostOnly, err = jarDomainAndType(host, c.Domain)
	if err != nil {
		return nil, err
	}
	e.Path = c.Path
	if e.Path == "" {
		e.Path = cookie.DefaultPath(reqPath)
	}
	if e.Secure && !secureOrigin {
		return nil, ErrInsecureSecure
	}
	switch {
	case strings.HasPrefix(e.Name, "__Secure-") && !e.Secure,
		strings.HasPrefix(e.Name, "__Host-") && (!e.Secure || !e.HostOnly || e.Path != "/"):
		return nil, ErrCookiePrefix
	}
	at, persistent := c.ExpiresAt(now)
	switch {
	case !persistent:
		e.Session = true
	case !at.After(now):
		return e, errExpiredOnArrival
	default:
		e.Expires = at
		if limit := now.Add(MaxCookieLifetime); at.After(limit) {
			e.Expires = limit
		}
	}
	return e, nil
}

// jarDomainAndType decides a cookie's domain and whether it is host-only
// (RFC 6265 §5.3 steps 4-6), refusing public suffixes as browsers do.
func jarDomainAndType(host, domain string) (string, bool, error) {
	if domain == "" {
		return host, true, nil
	}
	d := strings.ToLower(strings.TrimPrefix(domain, "."))
	if d == "" || d[0] == '.' || d[len(d)-1] == '.' || strings.Contains(d, "..") {
		return "", false, ErrBadDomain
	}
	for i := 0; i < len(d); i++ {
		if b := d[i]; b <= ' ' || b >= 0x7f || b == ':' || b == '/' {
			return "", false, ErrBadDomain
		}
	}
	if net.ParseIP(host) != nil {
		// An IP host takes only its own address as Domain, host-only.
		if d != host {
			return "", false, ErrDomainMismatch
		}
		return host, true, nil
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		// A public suffix may only name the host itself (RFC 6265 §5.3
		// step 5): then the cookie is host-only.
		if d == host {
			return host, true, nil
		}
		return "", false, ErrPublicSuffix
	}
	if !cookie.DomainMatch(host, d, false) {
		return "", false, ErrDomainMismatch
	}
	return d, false, nil
}
