package client

import (
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/cookie"
)

func TestPlantCookies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	u, _ := url.Parse("http://127.0.0.1:3000/app")
	cs := []cookie.SignedCookie{{Name: "session", Value: "eyJ2IjoxfQ"}, {Name: "session.sig", Value: "abc"}}
	if err := PlantCookies(path, u, cs); err != nil {
		t.Fatal(err)
	}
	jar, err := OpenJar(path, JarOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := url.Parse("http://127.0.0.1:3000/elsewhere")
	got := jar.Cookies(other)
	if len(got) != 2 {
		t.Fatalf("cookies for %s: %+v", other, got)
	}
	for i, c := range got {
		if c.Name != cs[i].Name || c.Value != cs[i].Value || c.Path != "/" || !c.HttpOnly || !c.Session {
			t.Errorf("planted %+v, want %s=%s, Path=/, HttpOnly, a session cookie", c, cs[i].Name, cs[i].Value)
		}
	}
	if err := PlantCookies(path, u, []cookie.SignedCookie{{Name: "__Host-s", Value: "v"}}); !errors.Is(err, ErrCookiePrefix) || !strings.Contains(err.Error(), "plant __Host-s in "+path) {
		t.Errorf("a __Host- cookie without Secure: %v", err)
	}
}
