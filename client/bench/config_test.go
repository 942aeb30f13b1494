package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Concurrency: 10, Timeout: time.Second}
	tests := []struct {
		name string
		edit func(*Config)
		err  string // "" for a valid config
	}{
		{"valid without URLs", func(c *Config) {}, ""},
		{"sessions at least connections", func(c *Config) { c.Sessions = 10 }, ""},
		{"no connections", func(c *Config) { c.Concurrency = 0 }, "connections must be at least 1, not 0"},
		{"negative requests", func(c *Config) { c.Requests = -1 }, "requests must not be negative"},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }, "duration must not be negative"},
		{"negative rate", func(c *Config) { c.Rate = -3 }, "rate must not be negative"},
		{"no timeout", func(c *Config) { c.Timeout = 0 }, "timeout must be above 0"},
		{"negative sessions", func(c *Config) { c.Sessions = -1 }, "sessions must not be negative"},
		{"sessions with shared", func(c *Config) { c.Shared, c.Sessions = true, 60 }, "sessions and shared mode exclude each other"},
		{"fewer sessions than connections", func(c *Config) { c.Sessions = 5 }, "5 sessions for 10 connections"},
		{"not http", func(c *Config) { c.URLs = []string{"ftp://x/"} }, "scheme must be http or https"},
		{"no host", func(c *Config) { c.URLs = []string{"http:///x"} }, "no host"},
		{"unknown engine", func(c *Config) { c.Engine = "fast" }, `engine must be auto, epoll or goroutine, not "fast"`},
		{"goroutine engine for https", func(c *Config) { c.Engine, c.URLs = EngineGoroutine, []string{"https://x/"} }, ""},
		{"negative threads", func(c *Config) { c.Threads = -1 }, "threads must not be negative"},
		{"negative latency limit", func(c *Config) { c.Thresholds.MaxP99 = -time.Second }, "latency limits must not be negative"},
		{"error limit past 100%", func(c *Config) { c.Thresholds.MaxErrors = ErrorLimit{Pct: 101, IsPct: true} }, "error limit 101%"},
		{"other cookies per session", func(c *Config) { c.Header = [][2]string{{"Cookie", "theme=dark; lang=en"}} }, ""},
		{"session cookie per session", func(c *Config) { c.Header = [][2]string{{"Cookie", "theme=dark; connect.sid=" + expressA}} },
			"session cookie in the Cookie header: connect.sid would give every virtual user that one session"},
		{"session cookie shared", func(c *Config) { c.Shared, c.Header = true, [][2]string{{"Cookie", "connect.sid=" + expressA}} }, ""},
		{"jar with sessions", func(c *Config) { c.Jar, c.Sessions = "cookies.txt", 10 }, "sessions and shared mode exclude each other"},
		{"jar with a Cookie header", func(c *Config) { c.Jar, c.Header = "cookies.txt", [][2]string{{"Cookie", "a=1"}} }, "a jar and a Cookie header exclude each other"},
		{"shared agent without its session", func(c *Config) { c.Shared, c.Segment = true, Segment{From: 1, To: 2, Den: 3} },
			"an agent of a shared test needs the test's session: segment 1/3:2/3 would load a session of its own"},
		{"shared agent with other cookies only", func(c *Config) {
			c.Shared, c.Segment, c.Header = true, Segment{From: 1, To: 2, Den: 3}, [][2]string{{"Cookie", "theme=dark"}}
		}, "an agent of a shared test needs the test's session"},
		{"shared agent on a jar", func(c *Config) { c.Jar, c.Segment = "cookies.txt", Segment{From: 1, To: 2, Den: 3} }, ""},
		{"shared agent on a Cookie header's session", func(c *Config) {
			c.Shared, c.Segment, c.Header = true, Segment{From: 1, To: 2, Den: 3}, [][2]string{{"Cookie", "connect.sid=" + expressA}}
		}, ""},
		{"shared whole test in one segment", func(c *Config) { c.Shared, c.Segment = true, Segment{From: 0, To: 3, Den: 3} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("%+v: %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(tt.name, "session cookie") && !errors.Is(err, ErrSessionCookieHeader) ||
				strings.Contains(tt.name, "shared agent") && !errors.Is(err, ErrSharedSegmentSession) {
				t.Fatalf("%+v: err %v, want %q", c, err, tt.err)
			}
		})
	}
}

func TestConfigWithDefaults(t *testing.T) {
	got := Config{Method: "put"}.withDefaults()
	if got.Method != "PUT" || got.Concurrency != DefaultConcurrency || got.Timeout != DefaultTimeout ||
		got.Duration != defaultDuration || got.Sessions != DefaultConcurrency || got.ProgressEvery != defaultProgressEvery {
		t.Errorf("defaults %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
	if got := (Config{Requests: 5, Shared: true}).withDefaults(); got.Duration != 0 || got.Sessions != 0 || got.Method != "GET" {
		t.Errorf("bounded shared run %+v: no duration and no sessions wanted", got)
	}
}

func TestRunRefuses(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{URLs: []string{"ftp://x/"}},
		{URLs: []string{"http://127.0.0.1:1/"}, Concurrency: 10, Sessions: 5},
		{URLs: []string{"http://127.0.0.1:1/"}, Rate: -1},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	// The shared session cannot be created on a port nobody listens on.
	addr := testenv.FreeAddr(t)
	if _, err := Run(context.Background(), Config{URLs: []string{"http://" + addr + "/"}, Shared: true, CounterPath: "visitCount"}); err == nil || !strings.Contains(err.Error(), "create the shared session") {
		t.Errorf("err %v", err)
	}
}
