package audit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/cookie"
)

// checkAttributes checks the attributes of the session cookie the first
// response set, and whether that response may be stored by shared caches
// (WSTG-SESS-02).
func (a *auditor) checkAttributes(ctx context.Context) (string, error) {
	if a.sess == nil {
		return skipped + "the app set no session cookie on " + a.first.Method + " " + a.first.URL, nil
	}
	c := a.sess
	req := a.first.Method + " " + a.first.URL
	raw := ""
	for _, sc := range a.first.SetCookies {
		if sc.Name == c.Name {
			raw = sc.Raw
		}
	}
	ev := Evidence{Request: req, Detail: "Set-Cookie: " + raw}
	https := a.base.Scheme == "https"
	loop := client.IsLoopback(strings.ToLower(a.base.Hostname()))
	note := ""

	if !c.HttpOnly {
		a.add(Finding{ID: "cookie-no-httponly", Check: "attributes", Severity: Medium,
			Title: "session cookie without HttpOnly: scripts on the page (an XSS) can read and send it away", Evidence: ev})
	}
	switch {
	case https && !c.Secure:
		a.add(Finding{ID: "cookie-no-secure", Check: "attributes", Severity: High,
			Title: "session cookie without Secure on an https app: it is also sent over plain http", Evidence: ev})
	case !https && !loop:
		a.add(Finding{ID: "plain-http", Check: "attributes", Severity: High,
			Title: "the app sets its session cookie over plain http: anyone on the path can read it", Evidence: ev})
	case !https:
		note = "plain http on loopback: Secure and __Host- not checked"
	}
	switch {
	case c.SameSite == "":
		a.add(Finding{ID: "cookie-no-samesite", Check: "attributes", Severity: Low,
			Title: "session cookie without SameSite: browsers other than Chrome send it on cross-site requests (CSRF)", Evidence: ev})
	case c.SameSite == "None" && !c.Secure:
		a.add(Finding{ID: "cookie-samesite-none-insecure", Check: "attributes", Severity: Medium,
			Title: "SameSite=None without Secure: browsers refuse the cookie, and it would go to every cross-site request", Evidence: ev})
	}
	if d := strings.TrimPrefix(strings.ToLower(c.Domain), "."); d != "" {
		a.add(Finding{ID: "cookie-wide-domain", Check: "attributes", Severity: Medium,
			Title: fmt.Sprintf("Domain=%s: the cookie goes to every host under %s, not only %s", c.Domain, d, a.base.Hostname()), Evidence: ev})
	}
	if c.Path != "" && c.Path != "/" {
		a.add(Finding{ID: "cookie-path", Check: "attributes", Severity: Info,
			Title: fmt.Sprintf("Path=%s limits where the cookie is sent, not who can read it: pages of other paths on the origin can", c.Path), Evidence: ev})
	}
	if https && c.Secure && c.Domain == "" && c.Path == "/" && !strings.HasPrefix(c.Name, "__Host-") {
		a.add(Finding{ID: "cookie-no-host-prefix", Check: "attributes", Severity: Info,
			Title: "the cookie fits the __Host- prefix (Secure, Path=/, no Domain): the prefix would stop a sibling host or http page from setting it", Evidence: ev})
	}
	if at, persistent := c.ExpiresAt(a.cfg.Now()); persistent && at.After(a.cfg.Now()) {
		d := at.Sub(a.cfg.Now()).Round(time.Second)
		sev := Low
		if d > 30*24*time.Hour {
			sev = Medium
		}
		a.add(Finding{ID: "cookie-persistent", Check: "attributes", Severity: sev,
			Title: fmt.Sprintf("a persistent session cookie (%s): it outlives the browser session, on disk, for %s", lifetimeAttr(c), humanDuration(d)), Evidence: ev})
	}
	if n := len(c.Name) + len(c.Value); n > 4096 {
		a.add(Finding{ID: "cookie-too-big", Check: "attributes", Severity: Medium,
			Title: fmt.Sprintf("the cookie takes %d bytes, over the 4096 browsers keep: they drop it", n), Evidence: ev})
	} else if n >= cookie.NearLimitBytes {
		a.add(Finding{ID: "cookie-near-limit", Check: "attributes", Severity: Low,
			Title: fmt.Sprintf("the cookie takes %d bytes, near the 4096 browsers keep", n), Evidence: ev})
	}
	if why := sharedCacheable(a.first.Status, header(a.first, "Cache-Control"), header(a.first, "Expires"), header(a.first, "Last-Modified"), header(a.first, "Pragma")); why != "" {
		a.add(Finding{ID: "set-cookie-cacheable", Check: "attributes", Severity: Medium,
			Title:    "Set-Cookie on a response shared caches may store (" + why + "): a proxy or CDN can hand this session to other users",
			Evidence: Evidence{Request: req, Detail: "Cache-Control: " + header(a.first, "Cache-Control")}})
	}
	return note, nil
}

// lifetimeAttr is the lifetime attribute as sent.
func lifetimeAttr(c *cookie.SetCookie) string {
	if c.HasMaxAge {
		return "Max-Age=" + c.MaxAgeRaw
	}
	return "Expires=" + c.ExpiresRaw
}

// sharedCacheable says why a response may be stored by a shared cache
// (RFC 9111 §3, §4.2.2), "" when it may not: no-store, private or
// no-cache (which keeps Set-Cookie from being reused without revalidation)
// stop it; public, s-maxage, max-age, Expires, or a Last-Modified (a
// heuristic lifetime) let it.
func sharedCacheable(status int, cc, expires, lastModified, pragma string) string {
	if status != http.StatusOK && status != http.StatusCreated && status != http.StatusNonAuthoritativeInfo &&
		status != http.StatusNoContent && status != http.StatusMovedPermanently && status != http.StatusNotFound {
		if !strings.Contains(strings.ToLower(cc), "public") {
			return ""
		}
	}
	dirs := map[string]string{}
	for _, d := range strings.Split(strings.ToLower(cc), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		if k != "" {
			dirs[k] = strings.Trim(v, `"`)
		}
	}
	for _, stop := range []string{"no-store", "private", "no-cache"} {
		if _, ok := dirs[stop]; ok {
			return ""
		}
	}
	if strings.Contains(strings.ToLower(pragma), "no-cache") && cc == "" {
		return ""
	}
	if _, ok := dirs["public"]; ok {
		return "Cache-Control: public"
	}
	for _, k := range []string{"s-maxage", "max-age"} {
		if v, ok := dirs[k]; ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return "Cache-Control: " + k + "=" + v
			}
		}
	}
	if _, ok := dirs["max-age"]; !ok && expires != "" {
		if t, ok := cookie.ParseCookieDate(expires); ok && t.After(time.Now()) {
			return "Expires: " + expires
		}
	}
	if cc == "" && lastModified != "" {
		return "no Cache-Control and a Last-Modified: a heuristic lifetime"
	}
	return ""
}

// humanDuration writes d in its largest unit: 14d, 3h, 20m, 45s.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.0f days", d.Hours()/24)
	case d >= 2*time.Hour:
		return fmt.Sprintf("%.0f hours", d.Hours())
	case d >= 2*time.Minute:
		return fmt.Sprintf("%.0f minutes", d.Minutes())
	}
	return fmt.Sprintf("%.0f seconds", d.Seconds())
}
