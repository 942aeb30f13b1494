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
