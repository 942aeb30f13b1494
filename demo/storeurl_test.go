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
		{"redis+cluster://127.0.0.1:7001,127.0.0.1:7002/", "redis", "", ""},
		{"redis+cluster://127.0.0.1:7001", "redis", "", ""},
		{"rediss+cluster://u:p@a.example:7001,b.example:7002/?dial_timeout=2s", "redis", "", ""},
		{"redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster", "redis", "", ""},
		{"redis+sentinel://127.0.0.1:26379/mymaster/3", "redis", "", ""},
		{"redis+cluster://127.0.0.1:7001/2", "", "", "no database number"},
		{"redis+cluster://127.0.0.1,127.0.0.1:7002/", "", "", `address "127.0.0.1"`},
		{"redis+cluster://127.0.0.1:x/", "", "", "bad port"},
		{"redis+sentinel://127.0.0.1:26379/", "", "", "no master name"},
		{"redis+sentinel://127.0.0.1:26379/m/x", "", "", "invalid database"},
		{"redis+replica://127.0.0.1:1/", "", "", "want redis://"},
		{"redisx://127.0.0.1:1/", "", "", "want redis://"},
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

func TestParseStoreURLTargets(t *testing.T) {
	for _, tc := range []struct{ in, kind, label string }{
		{"redis://127.0.0.1:6379/2", "redis", "127.0.0.1:6379"},
		{"redis+cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003/", "cluster", "cluster 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003"},
		{"redis+sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380/mymaster/3", "sentinel", "sentinel mymaster@127.0.0.1:26379,127.0.0.1:26380"},
	} {
		u, err := ParseStoreURL(tc.in)
		if err != nil || u.redis.kind != tc.kind || u.redis.label != tc.label {
			t.Errorf("%q: %+v %v", tc.in, u.redis, err)
		}
	}
	u, _ := ParseStoreURL("redis+cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003/")
	if got := strings.Join(u.redis.opts.Addrs, " "); got != "127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003" {
		t.Errorf("cluster seeds %q", got)
	}
	u, _ = ParseStoreURL("redis+sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380/mymaster/3")
	if o := u.redis.opts; o.MasterName != "mymaster" || o.DB != 3 || len(o.Addrs) != 2 || o.SentinelPassword != "pw" {
		t.Errorf("sentinel options %+v", o)
	}
}

// TestStoreURLNeverShowsAPassword: errors and String mask the password.
func TestStoreURLNeverShowsAPassword(t *testing.T) {
	for _, raw := range []string{
		"redis://:hunter2@127.0.0.1:6379/notanumber",
		"redis://user:hunter2@127.0.0.1:6379/x",
		"redis+cluster://u:hunter2@127.0.0.1:1/2",
		"redis+sentinel://u:hunter2@127.0.0.1:26379/",
		"postgres://u:hunter2@db/x",
		"redis://:hunter2@[::1",
		"redis+cluster://:hunter2@127.0.0.1:1/?nosuchoption=1",
	} {
		_, err := ParseStoreURL(raw)
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "xxxxx") {
			t.Errorf("%s: %v", raw, err)
		}
		if _, err := NewRedisStore(raw, RedisStoreOptions{}); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewRedisStore %s: %v", raw, err)
		}
	}
	u, _ := ParseStoreURL("redis://:hunter2@127.0.0.1:6379/0")
	if got := u.String(); got != "redis://:xxxxx@127.0.0.1:6379/0" {
		t.Errorf("String %q", got)
	}
}
