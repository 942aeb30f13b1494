package client

import (
	"fmt"
	"net/url"

	"github.com/sessctl/sessctl/cookie"
)

// PlantCookies stores cookies in the cookies.txt jar at path as if u's
// server had set them with Path=/ and HttpOnly, and saves the jar, so that
// the next visit or bench of u sends them. sign --jar plants with it.
func PlantCookies(path string, u *url.URL, cookies []cookie.SignedCookie) error {
	jar, err := OpenJar(path, JarOptions{})
	if err != nil {
		return err
	}
	for _, c := range cookies {
		if _, err := jar.SetCookie(u, &cookie.SetCookie{Name: c.Name, Value: c.Value, Path: "/", HttpOnly: true}); err != nil {
			return fmt.Errorf("plant %s in %s: %w", c.Name, path, err)
		}
	}
	return jar.Save()
}

// StoreSession replaces the cookies that the cookies.txt jar at path would
// send to u with those a response from u set (its Set-Cookie lines, stored
// as visit stores them, attributes and all), and saves the jar, locked and
// atomically. bench --create-session-only hands a new session to the
// agents of a test that way; the jar's cookies for other sites stay. A
// line the jar refuses (malformed, or against its rules) is an error
// naming the cookie.
func StoreSession(path string, u *url.URL, setCookies []string) error {
	jar, err := OpenJar(path, JarOptions{})
	if err != nil {
		return err
	}
	jar.Forget(u)
	for _, line := range setCookies {
		c, err := cookie.ParseSetCookie(line)
		if err != nil {
			return fmt.Errorf("store the session in %s: Set-Cookie %q: %w", path, line, err)
		}
		if _, err := jar.SetCookie(u, &c); err != nil {
			return fmt.Errorf("store %s in %s: %w", c.Name, path, err)
		}
	}
	return jar.Save()
}
