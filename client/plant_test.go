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

// TestStoreSession: the cookies the jar sent to the URL are replaced by
// those of the response, with their attributes; another site's stay.
func TestStoreSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.txt")
	u, _ := url.Parse("http://127.0.0.1:3000/")
	other, _ := url.Parse("http://example.com/")
	jar, _ := OpenJar(path, JarOptions{})
	for _, c := range []struct {
		u    *url.URL
		line string
	}{{u, "connect.sid=old; Path=/"}, {u, "theme=dark; Path=/"}, {other, "sid=keep; Path=/"}} {
		sc, _ := cookie.ParseSetCookie(c.line)
		if _, err := jar.SetCookie(c.u, &sc); err != nil {
			t.Fatal(err)
		}
	}
	if err := jar.Save(); err != nil {
		t.Fatal(err)
	}
	if err := StoreSession(path, u, []string{"connect.sid=s%3Anew.sig; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"}); err != nil {
		t.Fatal(err)
	}
	jar, err := OpenJar(path, JarOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	got := jar.Cookies(u)
	if len(got) != 1 || got[0].Name != "connect.sid" || got[0].Value != "s%3Anew.sig" || !got[0].HttpOnly || got[0].Session {
		t.Fatalf("cookies for %s: %+v, want only the new connect.sid, HttpOnly and persistent", u, got)
	}
	if kept := jar.Cookies(other); len(kept) != 1 || kept[0].Value != "keep" {
		t.Errorf("cookies for %s: %+v, want them kept", other, kept)
	}
	for _, bad := range []string{"=nameless", "__Host-s=v; Path=/"} {
		if err := StoreSession(path, u, []string{bad}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Set-Cookie %q: err %v, want one naming the jar", bad, err)
		}
	}
}
