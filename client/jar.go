package client

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/sessctl/sessctl/cookie"
)

// MaxCookieLifetime caps a cookie's lifetime, as RFC 6265bis, browsers and
// curl do: a Max-Age or Expires further away is cut to 400 days from now.
const MaxCookieLifetime = 400 * 24 * time.Hour

// MaxCookieSize bounds a cookie's name and value together, as RFC 6265bis,
// browsers and curl do: a larger cookie is refused.
const MaxCookieSize = 4096

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

// Jar is a persistent cookie jar with RFC 6265 semantics and the public
// suffix list, whose cookies can be listed and saved as a
// Netscape cookies.txt file that curl and wget read and write. A Jar is safe
// for concurrent use.
type Jar struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*jarEntry
	seq     uint64 // creation order among entries with equal Created
}

type jarEntry struct {
	JarCookie
	seq uint64
}

// OpenJar reads the cookies.txt file at path into a new Jar that Save writes
// back to path. A missing file gives an empty jar; "" gives an in-memory jar
// that Save does not write. Expired cookies in the file are dropped. A file
// that is not a cookies.txt gives an error naming the file and the line.
func OpenJar(path string) (*Jar, error) {
	return openJar(path, time.Now)
}

// NewJar returns an empty Jar that Save writes to path ("" for an in-memory
// jar), whatever the file holds now: --fresh.
func NewJar(path string) *Jar {
	return &Jar{path: path, now: time.Now, entries: map[string]*jarEntry{}}
}

func openJar(path string, now func() time.Time) (*Jar, error) {
	j := &Jar{path: path, now: now, entries: map[string]*jarEntry{}}
	if path == "" {
		return j, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read jar: %w", err)
	}
	defer f.Close()
	cookies, err := parseCookiesTxt(f, now())
	if err != nil {
		return nil, fmt.Errorf("read jar %s: %w", path, err)
	}
	for i := range cookies {
		j.store(&cookies[i])
	}
	return j, nil
}

// Path returns the file Save writes to; "" for an in-memory jar.
func (j *Jar) Path() string { return j.path }

// All returns every unexpired cookie in the jar, sorted by domain, path
// (longest first) and name.
func (j *Jar) All() []JarCookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.expire(j.now())
	all := make([]JarCookie, 0, len(j.entries))
	for _, e := range j.entries {
		all = append(all, e.JarCookie)
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

// Save writes the jar to its file as a Netscape cookies.txt, atomically (a
// temporary file renamed over the old one) with mode 0600, creating the
// directory (mode 0700) if needed. Session cookies are written with expiry 0,
// as curl does. Save on an in-memory jar does nothing.
func (j *Jar) Save() error {
	if j.path == "" {
		return nil
	}
	var buf bytes.Buffer
	writeCookiesTxt(&buf, j.All())
	if err := writeFileAtomic(j.path, buf.Bytes()); err != nil {
		return fmt.Errorf("save jar: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// expire drops the cookies that expired at now; j.mu is held.
func (j *Jar) expire(now time.Time) {
	for k, e := range j.entries {
		if !e.Session && !e.Expires.After(now) {
			delete(j.entries, k)
		}
	}
}

// store puts c in the jar, keeping the creation time of a cookie it
// replaces; j.mu is held or j is not shared yet.
func (j *Jar) store(c *JarCookie) {
	k := c.key()
	if old, ok := j.entries[k]; ok {
		c.Created = old.Created
		j.entries[k] = &jarEntry{JarCookie: *c, seq: old.seq}
		return
	}
	j.seq++
	j.entries[k] = &jarEntry{JarCookie: *c, seq: j.seq}
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
// ErrCookiePrefix, ErrTooLarge, ErrUnsupportedURL.
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
		delete(j.entries, e.key())
		return true, nil
	}
	j.store(e)
	return false, nil
}

// shadowsSecure tells whether c, set from an insecure origin, would replace
// or shadow a Secure cookie of the same name (RFC 6265bis §5.7 step 16,
// "leave secure cookies alone"); j.mu is held.
func (j *Jar) shadowsSecure(c *JarCookie) bool {
	for _, e := range j.entries {
		if e.Secure && e.Name == c.Name &&
			(cookie.DomainMatch(e.Domain, c.Domain, false) || cookie.DomainMatch(c.Domain, e.Domain, false)) &&
			cookie.PathMatch(c.Path, e.Path) {
			return true
		}
	}
	return false
}

// Cookies returns the cookies to send to u, longest path first, then
// oldest first (RFC 6265 §5.4), their values byte for byte as stored.
// Secure cookies go only to https and loopback hosts.
func (j *Jar) Cookies(u *url.URL) []JarCookie {
	host, secureOrigin, err := jarRequestHost(u)
	if err != nil {
		return nil
	}
	path := u.Path
	if path == "" {
		path = "/"
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.expire(j.now())
	var sel []*jarEntry
	for _, e := range j.entries {
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
		if !x.Created.Equal(y.Created) {
			return x.Created.Before(y.Created)
		}
		return x.seq < y.seq
	})
	out := make([]JarCookie, len(sel))
	for i, e := range sel {
		out[i] = e.JarCookie
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
	return host, u.Scheme == "https" || jarIsLoopback(host), nil
}

func jarIsLoopback(host string) bool {
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

// cookiesTxtHeader starts every jar file sessctl writes; curl's own header
// is the same but for the last line.
const cookiesTxtHeader = "# Netscape HTTP Cookie File\n" +
	"# https://curl.se/docs/http-cookies.html\n" +
	"# This file was generated by sessctl. Edit at your own risk.\n\n"

// writeCookiesTxt writes cookies in the Netscape format as curl writes it:
// seven TAB-separated fields (domain with a leading dot for domain cookies,
// include-subdomains, path, secure, expiry in Unix seconds or 0 for a
// session cookie, name, value), "#HttpOnly_" before the domain of an
// HttpOnly cookie.
func writeCookiesTxt(w io.Writer, cookies []JarCookie) {
	bw := bufio.NewWriter(w)
	bw.WriteString(cookiesTxtHeader)
	for _, c := range cookies {
		if c.HttpOnly {
			bw.WriteString("#HttpOnly_")
		}
		sub := "FALSE"
		if !c.HostOnly {
			bw.WriteByte('.')
			sub = "TRUE"
		}
		var exp int64
		if !c.Session {
			exp = c.Expires.Unix()
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.Domain, sub, c.Path, jarBool(c.Secure), exp, c.Name, c.Value)
	}
	bw.Flush()
}

func jarBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// maxCookiesTxtLine bounds one line of a jar file, as curl does.
const maxCookiesTxtLine = 5000

// parseCookiesTxt reads a Netscape cookies.txt as curl and wget write it,
// dropping the cookies that expired at now. Errors name the line.
func parseCookiesTxt(r io.Reader, now time.Time) ([]JarCookie, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxCookiesTxtLine+2)
	var out []JarCookie
	for n := 1; sc.Scan(); n++ {
		c, ok, err := parseCookiesTxtLine(strings.TrimSuffix(sc.Text(), "\r"), now)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if ok {
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("a line longer than %d bytes", maxCookiesTxtLine)
		}
		return nil, err
	}
	return out, nil
}

// parseCookiesTxtLine parses one line; ok is false for comments, blank
// lines and expired cookies.
func parseCookiesTxtLine(line string, now time.Time) (c JarCookie, ok bool, err error) {
	if strings.HasPrefix(line, "#HttpOnly_") {
		line = line[len("#HttpOnly_"):]
		c.HttpOnly = true
	} else if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
		return c, false, nil
	}
	f := strings.Split(line, "\t")
	switch len(f) {
	case 7:
	case 6: // curl reads a missing value as empty
		f = append(f, "")
	default:
		return c, false, fmt.Errorf("want 7 TAB-separated fields, found %d", len(f))
	}
	for _, s := range f {
		for i := 0; i < len(s); i++ {
			if s[i] < ' ' || s[i] == 0x7f {
				return c, false, fmt.Errorf("control character %#02x", s[i])
			}
		}
	}
	c.Domain = strings.ToLower(strings.TrimPrefix(f[0], "."))
	if h, port, err := net.SplitHostPort(c.Domain); err == nil && port != "" {
		c.Domain = h // wget writes host:port for non-default ports
	}
	if c.Domain == "" || c.Domain[0] == '.' || strings.ContainsAny(c.Domain, " ;,/#") {
		return c, false, fmt.Errorf("bad domain %q", f[0])
	}
	sub, err := parseJarBool(f[1], "include-subdomains")
	if err != nil {
		return c, false, err
	}
	c.HostOnly = !sub
	c.Path = f[2]
	if c.Path == "" || c.Path[0] != '/' {
		return c, false, fmt.Errorf("path %q does not start with /", f[2])
	}
	if c.Secure, err = parseJarBool(f[3], "secure"); err != nil {
		return c, false, err
	}
	exp, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil || exp < 0 {
		return c, false, fmt.Errorf("expiry %q is not Unix seconds", f[4])
	}
	c.Name, c.Value = f[5], f[6]
	if c.Name == "" || strings.ContainsAny(c.Name, " =;,") {
		return c, false, fmt.Errorf("bad cookie name %q", f[5])
	}
	c.Created = now
	if exp == 0 {
		c.Session = true
		return c, true, nil
	}
	if exp > now.Add(100*365*24*time.Hour).Unix() {
		exp = now.Add(100 * 365 * 24 * time.Hour).Unix() // keep time.Time sane
	}
	c.Expires = time.Unix(exp, 0).UTC()
	return c, c.Expires.After(now), nil
}

func parseJarBool(s, field string) (bool, error) {
	switch {
	case strings.EqualFold(s, "TRUE"):
		return true, nil
	case strings.EqualFold(s, "FALSE"):
		return false, nil
	}
	return false, fmt.Errorf("%s field %q is neither TRUE nor FALSE", field, s)
}
