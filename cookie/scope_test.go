package cookie

import "testing"

func TestPathMatch(t *testing.T) {
	for _, tt := range []struct {
		req, cookie string
		want        bool
	}{
		{"/", "/", true},
		{"/a", "/", true},
		{"/a/b", "/a", true},
		{"/a/b", "/a/", true},
		{"/ab", "/a", false},
		{"/a", "/a/", false},
		{"/a?x=/b", "/a", true},
		{"/b?/a", "/a", false},
		{"/a", "", false},
	} {
		if got := PathMatch(tt.req, tt.cookie); got != tt.want {
			t.Errorf("PathMatch(%q, %q) = %v, want %v", tt.req, tt.cookie, got, tt.want)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	for req, want := range map[string]string{
		"": "/", "x": "/", "/": "/", "/a": "/", "/a/": "/a", "/a/b": "/a", "/a/b?c/d": "/a",
	} {
		if got := DefaultPath(req); got != want {
			t.Errorf("DefaultPath(%q) = %q, want %q", req, got, want)
		}
	}
}

func TestDomainMatch(t *testing.T) {
	for _, tt := range []struct {
		host, domain string
		hostOnly     bool
		want         bool
	}{
		{"example.com", "example.com", true, true},
		{"www.example.com", "example.com", false, true},
		{"www.example.com", "example.com", true, false},
		{"wwwexample.com", "example.com", false, false},
		{"127.0.0.1", "0.0.1", false, false},
		{"example.com", "www.example.com", false, false},
	} {
		if got := DomainMatch(tt.host, tt.domain, tt.hostOnly); got != tt.want {
			t.Errorf("DomainMatch(%q, %q, %v) = %v, want %v", tt.host, tt.domain, tt.hostOnly, got, tt.want)
		}
	}
}
