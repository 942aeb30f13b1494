package client

import (
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, test := range []struct{ in, want, err string }{
		{"127.0.0.1:3000/a", "http://127.0.0.1:3000/a", ""},
		{"https://app.test/", "https://app.test/", ""},
		{"ftp://host/", "", `bad URL "ftp://host/": scheme must be http or https`},
		{"http:///path", "", `bad URL "http:///path": no host`},
		{"http://host:abc/", "", `bad URL "http://host:abc/": invalid port ":abc" after host`},
		// A password never shows in an error, whatever is wrong.
		{"ftp://bob:hunter2@host/", "", `bad URL "ftp://bob:xxxxx@host/": scheme must be http or https`},
		{"http://bob:hunter2@/x", "", `bad URL "http://bob:xxxxx@/x": no host`},
		{"http://bob:hunter2@host:abc/", "", `bad URL "http://bob:xxxxx@host:abc/": invalid port ":abc" after host`},
		{"bob:hunter2@ho st/p?q=1", "", `bad URL "http://bob:xxxxx@ho st/p?q=1": invalid character " " in host name`},
		{"http://bob:hun%zzter2@host/", "", `bad URL "http://bob:xxxxx@host/": invalid URL escape "%zz"`},
	} {
		got, err := ParseURL(test.in)
		switch {
		case test.err == "" && (err != nil || got != test.want):
			t.Errorf("ParseURL(%q) = %q, %v; want %q", test.in, got, err, test.want)
		case test.err != "" && (err == nil || err.Error() != test.err):
			t.Errorf("ParseURL(%q) error %v; want %s", test.in, err, test.err)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("ParseURL(%q) error shows the password: %v", test.in, err)
		}
	}
}
