package interop

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/testenv"
)

// appSpec is one real framework setup under apps/ and how to run and read it.
type appSpec struct {
	name    string
	cookie  string // the session cookie's name
	carried bool   // the session data lives in the cookie (else an id keyed into a store)
	secret  bool   // the cookie is signed with the app's secret: a wrong one must be named
	encKey  bool   // the cookie is encrypted with a key of its own (gorilla's block key)
	samples int    // fresh cookies for decode; 0 means 100
	salt    string // the salt decode must say verified, where the format has several
	gobType string // the app's own gob type that POST /login stores (gorilla)
	// lifetime is the framework's default session lifetime in days, for
	// apps whose verify script can sign a session in the past (old).
	lifetime float64
	start    func(t *testing.T) *instance
}

func (a appSpec) sampleCount() int {
	if a.samples == 0 {
		return 100
	}
	return a.samples
}

// instance is a running app.
type instance struct {
	url    string // its base URL, with the trailing slash
	secret string // decode's --secret; "" for opaque ids
	encKey string // decode's --enc-key; "" for none
	// verify reads each sample (the cookies of one fresh jar, name to value)
	// with the framework's own code: one {"payload": ..., "issued_at": unix,
	// "expires_ms": ms} or {"error": ...} per sample.
	verify func(t *testing.T, samples []map[string]string) []map[string]any
	// store returns every session of a server-side store, id to values: the
	// truth after a load. nil for cookie-carried sessions.
	store func(t *testing.T) map[string]map[string]any
	// old signs a session as the framework would have DAYS days ago and
	// returns the cookie value; nil where the framework's clock cannot be
	// moved.
	old func(t *testing.T, days float64) string
}

func values(samples []map[string]string, name string) []string {
	out := make([]string, len(samples))
	for i, s := range samples {
		out[i] = s[name]
	}
	return out
}

var apps = []appSpec{
	{name: "flask", cookie: "session", carried: true, secret: true, lifetime: 31, start: startFlask},
	{name: "django-signed", cookie: "sessionid", carried: true, secret: true, lifetime: 14,
		salt: "django.contrib.sessions.backends.signed_cookies", start: startDjango("signed")},
	{name: "django-db", cookie: "sessionid", start: startDjango("db")},
	{name: "gorilla-hash", cookie: "session", carried: true, secret: true, gobType: "main.Profile", start: startGorilla(false)},
	// 300 samples: a misreading of 1 cookie in 12 to 25 is then seen in all
	// but about one run in 200,000.
	{name: "gorilla-hashblock", cookie: "session", carried: true, secret: true, encKey: true, samples: 300,
		gobType: "main.Profile", start: startGorilla(true)},
	{name: "scs", cookie: "session", start: startSCS},
	{name: "koa", cookie: "koa.sess", carried: true, secret: true, start: startKoa},
	{name: "express-redis", cookie: "connect.sid", secret: true, start: startExpressRedis},
	{name: "rails", cookie: "_app_session", carried: true, secret: true, start: startRails},
}

func startFlask(t *testing.T) *instance {
	py := python(t, "flask", "python3-flask")
	dir := filepath.Join(appsDir(), "flask")
	in := &instance{secret: randHex(24)}
	in.url = serve(t, func(addr string) *process {
		return start(t, dir, []string{"SECRET=" + in.secret}, py, "app.py", port(addr))
	})
	in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
		return jsonLines(t, dir, values(samples, "session"), py, "verify.py", in.secret)
	}
	in.old = func(t *testing.T, days float64) string {
		return strings.TrimSpace(string(run(t, dir, "", py, "verify.py", in.secret, "old", fmt.Sprint(days)).stdout))
	}
	return in
}

func startDjango(engine string) func(t *testing.T) *instance {
	return func(t *testing.T) *instance {
		py := python(t, "django", "python3-django")
		dir := filepath.Join(appsDir(), "django")
		db := filepath.Join(t.TempDir(), "sessions.sqlite3")
		secret := randHex(25)
		in := &instance{secret: secret}
		in.url = serve(t, func(addr string) *process {
			return start(t, dir, []string{"SECRET=" + secret, "ENGINE=" + engine, "DB=" + db},
				py, "app.py", port(addr))
		})
		in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
			return jsonLines(t, dir, values(samples, "sessionid"), py, "verify.py", engine, secret, db)
		}
		in.old = func(t *testing.T, days float64) string {
			return strings.TrimSpace(string(run(t, dir, "", py, "verify.py", "old", secret, fmt.Sprint(days)).stdout))
		}
		if engine == "db" {
			in.old = nil
			in.secret = "" // the cookie is a bare session key
			in.store = func(t *testing.T) map[string]map[string]any {
				return storeMap(t, oneJSON(t, dir, py, "verify.py", "store", secret, db))
			}
		}
		return in
	}
}

func startGorilla(block bool) func(t *testing.T) *instance {
	return func(t *testing.T) *instance {
		bin := goApp(t, "gorilla")
		in := &instance{secret: randHex(32)}
		keys := []string{"-secret", in.secret}
		if block {
			in.encKey = randHex(16) // 32 characters: AES-256
			keys = append(keys, "-enc-key", in.encKey)
		}
		in.url = serve(t, func(addr string) *process {
			return start(t, binDir, nil, append([]string{bin, "serve", "-addr", addr}, keys...)...)
		})
		in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
			return jsonLines(t, binDir, values(samples, "session"), append([]string{bin, "verify"}, keys...)...)
		}
		return in
	}
}

func startSCS(t *testing.T) *instance {
	bin := goApp(t, "scs")
	in := &instance{}
	in.url = serve(t, func(addr string) *process { return start(t, binDir, nil, bin, "-addr", addr) })
	in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
		out := make([]map[string]any, len(samples))
		for i, s := range samples {
			token := s["session"]
			var data map[string]any
			resp, err := http.Get(in.url + "_admin/session?token=" + url.QueryEscape(token))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				out[i] = map[string]any{"error": "scs's store has no session " + token + ": " + resp.Status}
				continue
			}
			getJSON(t, in.url+"_admin/session?token="+url.QueryEscape(token), &data)
			out[i] = map[string]any{"payload": token, "data": data}
		}
		return out
	}
	in.store = func(t *testing.T) map[string]map[string]any {
		var all map[string]map[string]any
		getJSON(t, in.url+"_admin/sessions", &all)
		return all
	}
	return in
}

func startKoa(t *testing.T) *instance {
	testenv.Interop(t)
	dir := filepath.Join(appsDir(), "koa")
	in := &instance{secret: randHex(20)}
	in.url = serve(t, func(addr string) *process {
		return start(t, dir, []string{"SECRET=" + in.secret, "PORT=" + port(addr)}, "node", "app.js")
	})
	in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
		headers := make([]string, len(samples))
		for i, s := range samples {
			headers[i] = "koa.sess=" + s["koa.sess"] + "; koa.sess.sig=" + s["koa.sess.sig"]
		}
		return jsonLines(t, dir, headers, "node", "verify.js", in.secret)
	}
	return in
}

func startExpressRedis(t *testing.T) *instance {
	testenv.Interop(t)
	redisURL := testenv.StartRedis(t, "--appendonly", "no").URL()
	dir := filepath.Join(appsDir(), "express-redis")
	const prefix = "sess:"
	in := &instance{secret: randHex(20)}
	in.url = serve(t, func(addr string) *process {
		return start(t, dir, []string{"SECRET=" + in.secret, "PORT=" + port(addr),
			"REDIS_URL=" + redisURL, "PREFIX=" + prefix}, "node", "app.js")
	})
	in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
		return jsonLines(t, dir, values(samples, "connect.sid"), "node", "verify.js", "cookie", in.secret)
	}
	in.store = func(t *testing.T) map[string]map[string]any {
		return storeMap(t, oneJSON(t, dir, "node", "verify.js", "store", redisURL, prefix))
	}
	return in
}

func startRails(t *testing.T) *instance {
	rubyBin, rackup := ruby(t)
	dir := filepath.Join(appsDir(), "rails")
	in := &instance{secret: randHex(64)}
	in.url = serve(t, func(addr string) *process {
		return start(t, dir, []string{"SECRET=" + in.secret}, rackup, "-s", "webrick", "-o", "127.0.0.1",
			"-p", port(addr), "config.ru")
	})
	in.verify = func(t *testing.T, samples []map[string]string) []map[string]any {
		return jsonLines(t, dir, values(samples, "_app_session"), rubyBin, "verify.rb", in.secret)
	}
	return in
}

func port(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// storeMap reads a store dump (id to values).
func storeMap(t *testing.T, dump map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, v := range dump {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("store dump: session %s is %T, not an object", id, v)
		}
		out[id] = m
	}
	return out
}
