package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/internal/testenv"
)

// testRedis starts a redis-server of the test's own and returns its URL.
func testRedis(t testing.TB) string {
	t.Helper()
	return testenv.StartRedis(t).URL()
}

func newTestRedisStore(t testing.TB, url string) *RedisStore {
	t.Helper()
	s, err := NewRedisStore(url, RedisStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func rawRedis(t testing.TB, url string) *redis.Client {
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisStoreLayout(t *testing.T) {
	url := testRedis(t)
	s := newTestRedisStore(t, url)
	rc := rawRedis(t, url)
	ctx := t.Context()
	id := newSessionID()
	if err := s.Create(ctx, id, Session{SID: 1234, VisitCount: 1}); err != nil {
		t.Fatal(err)
	}
	// connect-redis' layout: the JSON express-session stores, EX 86400
	got, _ := rc.Get(ctx, "sess:"+id).Result()
	if want := `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":1}`; got != want {
		t.Fatalf("stored %s\nwant   %s", got, want)
	}
	if ttl, _ := rc.TTL(ctx, "sess:"+id).Result(); ttl < 86390*time.Second || ttl > 86400*time.Second {
		t.Fatalf("TTL %s, want 86400s", ttl)
	}
	sess, err := s.Visit(ctx, id)
	if err != nil || sess.VisitCount != 2 || sess.SID != 1234 {
		t.Fatalf("visit: %+v %v", sess, err)
	}
	if got, _ := rc.Get(ctx, "sess:"+id).Result(); got != `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}` {
		t.Fatalf("after visit: %s", got)
	}
	if _, err := s.Visit(ctx, "nope"+id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("visit of a missing key: %v", err)
	}
	id2 := newSessionID()
	if sess, err := s.Rename(ctx, id, id2); err != nil || sess.VisitCount != 2 {
		t.Fatalf("rename: %+v %v", sess, err)
	}
	if n, _ := rc.Exists(ctx, "sess:"+id).Result(); n != 0 {
		t.Fatal("old key survives rename")
	}
	if sess, err := s.Load(ctx, id2); err != nil || sess.VisitCount != 2 {
		t.Fatalf("load: %+v %v", sess, err)
	}
	s.Destroy(ctx, id2)
	if _, err := s.Load(ctx, id2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after destroy: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRedisStoreMaxAge(t *testing.T) {
	url := testRedis(t)
	s := newTestRedisStore(t, url)
	rc := rawRedis(t, url)
	clk := newFakeClock()
	s.now = clk.Now
	srv := httptest.NewServer(NewHandler(Options{Store: s, MaxAge: time.Hour, SameSite: "lax", Now: clk.Now}))
	defer srv.Close()
	resp, body := request(t, srv.Client(), "GET", srv.URL+"/", "")
	keys, _ := rc.Keys(t.Context(), "sess:*").Result()
	found := false
	for _, k := range keys {
		if v, _ := rc.Get(t.Context(), k).Result(); v == body {
			found = true
			if ttl, _ := rc.TTL(t.Context(), k).Result(); ttl > time.Hour || ttl < time.Hour-10*time.Second {
				t.Errorf("TTL %s, want the max-age (1h)", ttl)
			}
		}
	}
	if !found {
		t.Fatalf("no key holds the body %s", body)
	}
	clk.Advance(time.Minute)
	resp, body = request(t, srv.Client(), "GET", srv.URL+"/", cookiePairs(resp))
	if resp.StatusCode != 200 || !strings.Contains(body, `"expires":"2026-11-28T02:02:03.456Z"`) {
		t.Fatalf("visit: %d %s", resp.StatusCode, body)
	}
	resp, body = request(t, srv.Client(), "GET", srv.URL+"/", cookiePairs(resp))
	if resp.StatusCode != 200 || !strings.Contains(body, `"expires":"2026-11-28T02:03:03.456Z"`) {
		t.Fatalf("the visit renews cookie.expires in Redis: %d %s", resp.StatusCode, body)
	}
}

// TestRedisTwoServersNoLostUpdates: two demo servers, each with its own
// RedisStore (its own connection pool) on one Redis, visited concurrently
// on one session: every increment counts. With Racy, updates are lost.
func TestRedisTwoServersNoLostUpdates(t *testing.T) {
	url := testRedis(t)
	for _, racy := range []bool{false, true} {
		secret := [][]byte{[]byte("shared")}
		a := httptest.NewServer(NewHandler(Options{Secrets: secret, Store: newTestRedisStore(t, url), Racy: racy, Delay: time.Millisecond}))
		b := httptest.NewServer(NewHandler(Options{Secrets: secret, Store: newTestRedisStore(t, url), Racy: racy, Delay: time.Millisecond}))
		resp, _ := request(t, a.Client(), "GET", a.URL+"/", "")
		ck := cookiePairs(resp)
		const n = 400
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := range n {
			u := a.URL
			if i%2 == 1 {
				u = b.URL
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				if resp, _ := request(t, http.DefaultClient, "GET", u+"/", ck); resp.StatusCode != 200 {
					t.Errorf("status %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		_, body := request(t, b.Client(), "GET", b.URL+"/", ck)
		var got struct{ VisitCount int }
		json.Unmarshal([]byte(body), &got)
		if !racy && got.VisitCount != n+2 {
			t.Errorf("atomic: visitCount %d, want %d", got.VisitCount, n+2)
		}
		if racy && got.VisitCount >= n+2 {
			t.Errorf("racy: visitCount %d, want lost updates (< %d)", got.VisitCount, n+2)
		}
		a.Close()
		b.Close()
	}
}

// TestConnectRedisInterop: the reference Express app with express-session
// and connect-redis (the real npm packages) and the demo, on one Redis with
// one secret, continue each other's sessions both ways.
func TestConnectRedisInterop(t *testing.T) {
	url := testRedis(t)
	dir := testenv.Interop(t)
	const secret = "sessionTesting"
	nodeURL, nodeErr := startExpressRedis(t, dir, url, secret, "")

	store := newTestRedisStore(t, url)
	rc := rawRedis(t, url)
	goSrv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte(secret)}, Store: store}))
	defer goSrv.Close()
	goURL := goSrv.URL + "/"
	c := &http.Client{}

	check := func(who, url, ck string, wantStatus, wantCount int) (string, string) {
		t.Helper()
		resp, body := request(t, c, "GET", url, ck)
		var s struct {
			SID        int `json:"sid"`
			VisitCount int `json:"visitCount"`
		}
		if err := json.Unmarshal([]byte(body), &s); err != nil || resp.StatusCode != wantStatus || s.VisitCount != wantCount {
			t.Fatalf("%s: %d %s, want %d and visitCount %d (node stderr: %s)", who, resp.StatusCode, body, wantStatus, wantCount, nodeErr)
		}
		if ck == "" {
			ck = cookiePairs(resp)
		}
		return ck, body
	}

	// Started by serve-demo, continued by Node, then by serve-demo again.
	ck, goBody := check("demo creates", goURL, "", 201, 1)
	_, nodeBody := check("node continues", nodeURL, ck, 200, 2)
	if strings.TrimSuffix(goBody, `1}`) != strings.TrimSuffix(nodeBody, `2}`) {
		t.Fatalf("node's JSON %s differs from the demo's %s beyond visitCount", nodeBody, goBody)
	}
	check("demo continues", goURL, ck, 200, 3)

	// Started by Node, continued by serve-demo, then by Node.
	ck, nodeBody = check("node creates", nodeURL, "", 201, 1)
	id, ok := mustSigner(secret).ParseSessionCookie(strings.TrimPrefix(ck, "connect.sid="))
	if !ok {
		t.Fatalf("node's cookie %q does not verify", ck)
	}
	if stored, _ := rc.Get(t.Context(), "sess:"+id).Result(); stored != nodeBody {
		t.Fatalf("connect-redis stored %s, node sent %s", stored, nodeBody)
	}
	check("demo continues node's", goURL, ck, 200, 2)
	if stored, _ := rc.Get(t.Context(), "sess:"+id).Result(); stored != strings.TrimSuffix(nodeBody, "1}")+"2}" {
		t.Fatalf("the demo stored %s, want node's JSON with visitCount 2", stored)
	}
	check("node continues the demo's", nodeURL, ck, 200, 3)
}

// TestRedisDownAndBack: with Redis stopped the demo answers 503 and logs one
// clear line; when Redis is back the same handler answers 200 on the same
// session, with no restart.
func TestRedisDownAndBack(t *testing.T) {
	rs := testenv.StartRedis(t)
	addr := rs.Addr
	store := newTestRedisStore(t, rs.URL())
	var logs strings.Builder
	var mu sync.Mutex
	srv := httptest.NewServer(NewHandler(Options{Store: store, ErrorLog: newTestLogger(&logs, &mu)}))
	defer srv.Close()
	c := srv.Client()

	resp, _ := request(t, c, "GET", srv.URL+"/", "")
	ck := cookiePairs(resp)
	request(t, c, "GET", srv.URL+"/", ck) // visitCount 2

	rs.Stop() // a clean shutdown: the AOF keeps the session
	for _, path := range []string{"/", "/", "/healthz"} {
		resp, body := request(t, c, "GET", srv.URL+path, ck)
		if resp.StatusCode != 503 {
			t.Fatalf("GET %s with Redis down: %d %s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/", ""); resp.StatusCode != 503 {
		t.Fatalf("new session with Redis down: %d", resp.StatusCode)
	}

	rs.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, body := request(t, c, "GET", srv.URL+"/", ck)
		if resp.StatusCode == 200 {
			if !strings.HasSuffix(body, `"visitCount":3}`) {
				t.Fatalf("after Redis is back: %s, want visitCount 3", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d 10 s after Redis is back", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if resp, _ := request(t, c, "GET", srv.URL+"/healthz", ""); resp.StatusCode != 200 {
		t.Fatalf("healthz after Redis is back: %d", resp.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 2 || !strings.Contains(lines[0], "session store unavailable") || !strings.Contains(lines[0], addr) ||
		!strings.Contains(lines[1], "session store available again") {
		t.Fatalf("want one outage line naming %s and one recovery line, got:\n%s", addr, logs.String())
	}
}

func TestRedisStoreBadURL(t *testing.T) {
	if _, err := NewRedisStore("redis://[::1", RedisStoreOptions{}); err == nil {
		t.Fatal("bad URL accepted")
	}
	// an unreachable Redis fails fast, as an error (the handler's 503)
	s := newTestRedisStore(t, "redis://127.0.0.1:1/0")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.Visit(ctx, "x"); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("visit on a closed port: %v", err)
	}
}

func mustSigner(secret string) *cookie.ExpressSigner {
	s, err := cookie.NewExpressSigner([]byte(secret))
	if err != nil {
		panic(err)
	}
	return s
}

// startExpressRedis runs interop/express-redis-app.js (express-session +
// connect-redis) on a free port and returns its URL and its stderr.
func startExpressRedis(t *testing.T, dir, redisURL, secret, cookieJSON string) (string, *strings.Builder) {
	t.Helper()
	nodeAddr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(nodeAddr)
	node := exec.Command("node", "express-redis-app.js")
	node.Dir = dir
	node.Env = append(os.Environ(), "PORT="+port, "SECRET="+secret, "REDIS_URL="+redisURL, "COOKIE="+cookieJSON)
	nodeErr := &strings.Builder{}
	node.Stderr = nodeErr
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Process.Kill(); node.Wait() })
	testenv.WaitListening(t, nodeAddr, 30*time.Second)
	return "http://" + nodeAddr + "/", nodeErr
}

// originalMaxAge matches the originalMaxAge of a session JSON.
var originalMaxAge = regexp.MustCompile(`"originalMaxAge":(\d+),`)

// sameMaxAge returns s with its originalMaxAge replaced by want when it is
// within a second below want, and fails otherwise. express-session computes
// originalMaxAge from its clock at save time (expires - Date.now()), so a
// session the real package creates with maxAge 3600000 may say 3599999: a
// test of the real peer must accept that.
func sameMaxAge(t *testing.T, who, s string, want int64) string {
	t.Helper()
	m := originalMaxAge.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s: no originalMaxAge in %s", who, s)
	}
	got, _ := strconv.ParseInt(m[1], 10, 64)
	if got > want || got < want-1000 {
		t.Fatalf("%s: originalMaxAge %d, want %d (or up to a second less)", who, got, want)
	}
	return strings.Replace(s, m[0], `"originalMaxAge":`+strconv.FormatInt(want, 10)+`,`, 1)
}

// TestConnectRedisInteropMaxAge: with maxAge and sameSite set alike on both
// sides, the demo's cookie attributes and JSON are express-session's, and
// each side continues what the other stored (cookie.expires included).
func TestConnectRedisInteropMaxAge(t *testing.T) {
	url := testRedis(t)
	dir := testenv.Interop(t)
	const secret = "sessionTesting"
	const maxAge = 3600000
	nodeURL, nodeErr := startExpressRedis(t, dir, url, secret, `{"maxAge":3600000,"sameSite":"lax"}`)
	goSrv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte(secret)}, Store: newTestRedisStore(t, url),
		MaxAge: time.Hour, SameSite: "lax"}))
	defer goSrv.Close()
	rc := rawRedis(t, url)
	c := &http.Client{}
	attrs := regexp.MustCompile(`^connect\.sid=s%3A[^;]+; Path=/; Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT; HttpOnly; SameSite=Lax$`)
	body := regexp.MustCompile(`^\{"cookie":\{"originalMaxAge":3600000,"expires":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","httpOnly":true,"path":"/","sameSite":"lax"\},"sid":\d+,"visitCount":\d+\}$`)

	resp, nodeBody := request(t, c, "GET", nodeURL, "")
	if resp.StatusCode != 201 || !attrs.MatchString(resp.Header.Get("Set-Cookie")) || !body.MatchString(sameMaxAge(t, "node", nodeBody, maxAge)) {
		t.Fatalf("node: %d %q %s (stderr %s)", resp.StatusCode, resp.Header.Get("Set-Cookie"), nodeBody, nodeErr)
	}
	ck := cookiePairs(resp)
	id, _ := mustSigner(secret).ParseSessionCookie(strings.TrimPrefix(ck, "connect.sid="))
	stored, _ := rc.Get(t.Context(), "sess:"+id).Result()
	stored = sameMaxAge(t, "node's stored session", stored, maxAge)

	resp, goBody := request(t, c, "GET", goSrv.URL+"/", ck)
	if resp.StatusCode != 200 || !attrs.MatchString(resp.Header.Get("Set-Cookie")) ||
		goBody != strings.Replace(stored, `"visitCount":1}`, `"visitCount":2}`, 1) {
		t.Fatalf("demo continuing node's session: %d %q\n%s\nwant what node stored, visitCount 2:\n%s", resp.StatusCode, resp.Header.Get("Set-Cookie"), goBody, stored)
	}
	stored, _ = rc.Get(t.Context(), "sess:"+id).Result()
	stored = sameMaxAge(t, "the demo's stored session", stored, maxAge)
	if !body.MatchString(stored) {
		t.Fatalf("the demo stored %s", stored)
	}
	resp, nodeBody = request(t, c, "GET", nodeURL, ck)
	if resp.StatusCode != 200 || sameMaxAge(t, "node continuing", nodeBody, maxAge) != strings.Replace(stored, `"visitCount":2}`, `"visitCount":3}`, 1) {
		t.Fatalf("node continuing the demo's: %d\n%s\nwant what the demo stored, visitCount 3:\n%s", resp.StatusCode, nodeBody, stored)
	}
}

// TestRedisSentinel: through redis+sentinel:// the store finds the master a
// real Sentinel names and keeps connect-redis' layout on it.
func TestRedisSentinel(t *testing.T) {
	master := testenv.StartRedis(t)
	sentinel := testenv.StartRedisSentinel(t, master, "mymaster")
	store, err := NewRedisStore("redis+sentinel://"+sentinel+"/mymaster/0", RedisStoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if store.Addr() != "sentinel mymaster@"+sentinel {
		t.Errorf("Addr %q", store.Addr())
	}
	srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte("k")}, Store: store}))
	defer srv.Close()
	resp, _ := request(t, srv.Client(), "GET", srv.URL+"/", "")
	ck := cookiePairs(resp)
	resp, body := request(t, srv.Client(), "GET", srv.URL+"/", ck)
	if resp.StatusCode != 200 || !strings.HasSuffix(body, `"visitCount":2}`) {
		t.Fatalf("second visit: %d %s", resp.StatusCode, body)
	}
	id, _ := mustSigner("k").ParseSessionCookie(strings.TrimPrefix(ck, "connect.sid="))
	if got, _ := rawRedis(t, master.URL()).Get(t.Context(), "sess:"+id).Result(); got != body {
		t.Fatalf("the master holds %q, want %s", got, body)
	}
}
