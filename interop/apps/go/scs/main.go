// Command scs is a tiny app on alexedwards/scs v2's documented setup (the
// default memstore, LoadAndSave around the mux): GET / counts visits as the
// express-session reference example does, POST /login (RenewToken), GET
// /logout (Destroy). Loopback admin routes read the store's truth with scs's
// own codec: /_admin/session?token=T (one session's values) and
// /_admin/sessions (every session, token to values); /_truth counts requests.
//
//	scs -addr 127.0.0.1:PORT
package main

import (
	"encoding/json"
	"flag"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	sm := scs.New()
	sm.Lifetime = 24 * time.Hour
	store := memstore.New()
	sm.Store = store
	log.Fatal(http.ListenAndServe(*addr, newApp(sm, store)))
}

type truth struct {
	mu       sync.Mutex
	Requests int `json:"requests"`
	Created  int `json:"created"`
	MaxCount int `json:"max_count"`
	PID      int `json:"pid"`
}

func newApp(sm *scs.SessionManager, store *memstore.MemStore) http.Handler {
	t := truth{PID: os.Getpid()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		status := http.StatusOK
		if !sm.Exists(ctx, "sid") && !sm.Exists(ctx, "visitCount") {
			sm.Put(ctx, "sid", rand.IntN(10000))
			status = http.StatusCreated
		}
		n := sm.GetInt(ctx, "visitCount") + 1
		sm.Put(ctx, "visitCount", n)
		t.mu.Lock()
		t.Requests++
		if status == http.StatusCreated {
			t.Created++
		}
		t.MaxCount = max(t.MaxCount, n)
		t.mu.Unlock()
		writeJSON(w, status, map[string]int{"sid": sm.GetInt(ctx, "sid"), "visitCount": n})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.RenewToken(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		sm.Put(r.Context(), "user", r.FormValue("user"))
		writeJSON(w, http.StatusOK, map[string]string{"user": r.FormValue("user")})
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := sm.Destroy(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"logged_out": true})
	})
	mux.HandleFunc("GET /_truth", func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		defer t.mu.Unlock()
		writeJSON(w, http.StatusOK, &t)
	})
	admin := http.NewServeMux()
	admin.HandleFunc("GET /_admin/session", func(w http.ResponseWriter, r *http.Request) {
		b, found, err := store.Find(r.FormValue("token"))
		if err != nil || !found {
			http.Error(w, "no such session", http.StatusNotFound)
			return
		}
		_, values, err := sm.Codec.Decode(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, values)
	})
	admin.HandleFunc("GET /_admin/sessions", func(w http.ResponseWriter, r *http.Request) {
		all, err := store.All()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := make(map[string]map[string]interface{}, len(all))
		for token, b := range all {
			if _, values, err := sm.Codec.Decode(b); err == nil {
				out[token] = values
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
	root := http.NewServeMux()
	root.Handle("/_admin/", loopbackOnly(admin))
	root.Handle("/", sm.LoadAndSave(mux))
	return root
}

// loopbackOnly refuses the admin routes to anyone but this machine.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
