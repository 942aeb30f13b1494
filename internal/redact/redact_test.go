package redact

import "testing"

func TestURL(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{"http://bob:hunter2@host/p", "http://bob:xxxxx@host/p"},
		{"http://bob@host/p", "http://bob@host/p"},
		{"http://host/p@q", "http://host/p@q"},
		{"http://bob:hunter2@host:abc/p", "http://bob:xxxxx@host:abc/p"},
		{"http://bob:hunter2@ho st/a:b@c", "http://bob:xxxxx@ho st/a:b@c"},
		{"http://bob:hunter2@x@ho st/", "http://bob:xxxxx@ho st/"},
		{"not a url: x@y", "not a url: x@y"},
		// serve-demo's store URLs.
		{"redis://:s3cret@127.0.0.1:6379/0", "redis://:xxxxx@127.0.0.1:6379/0"},
		{"redis://u:s3cret@h:bad/0", "redis://u:xxxxx@h:bad/0"},
		{"redis+cluster://:s3cret@h:7000,h:7001/", "redis+cluster://:xxxxx@h:7000,h:7001/"},
		{"redis+sentinel://:s3cret@h:26379/mymaster?x=1", "redis+sentinel://:xxxxx@h:26379/mymaster?x=1"},
		{"memory://", "memory://"},
	} {
		if got := URL(test.in); got != test.want {
			t.Errorf("URL(%q) = %q, want %q", test.in, got, test.want)
		}
	}
}
