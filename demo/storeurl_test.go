package demo

import (
	"strings"
	"testing"
)

func TestParseStoreURL(t *testing.T) {
	for _, tc := range []struct {
		in, scheme, path, err string
	}{
		{"memory", "memory", "", ""},
		{"redis://127.0.0.1:6379/0", "redis", "", ""},
		{"rediss://u:p@cache.example:6380/2", "redis", "", ""},
		{"file:sessions.db", "file", "sessions.db", ""},
		{"file:/var/lib/s.db", "file", "/var/lib/s.db", ""},
		{"file:", "", "", "needs a path"},
		{"redis://127.0.0.1:6379/notanumber", "", "", "redis url"},
		{"postgres://db", "", "", "want memory, redis://HOST:PORT/DB or file:PATH"},
		{"", "", "", "want memory"},
		{"Memory", "", "", "want memory"},
	} {
		u, err := ParseStoreURL(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("%q: err %v, want one naming the value and %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || u.Scheme != tc.scheme || u.Path != tc.path || u.Raw != tc.in {
			t.Errorf("%q: %+v %v", tc.in, u, err)
		}
	}
}
