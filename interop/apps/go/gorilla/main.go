// Command gorilla is a tiny app on gorilla/sessions' documented setup, a
// CookieStore (hash key, and a block key when -enc-key is given): GET /
// counts visits as the express-session reference example does, POST /login
// (the user, and a Profile of the app's own gob-registered type),
// GET /logout, and /_truth counts requests. "gorilla verify" reads cookie
// values (one a line on stdin) with the store's own codecs and prints each
// session's Values as one JSON line.
//
//	gorilla serve -addr 127.0.0.1:PORT -secret HASHKEY [-enc-key BLOCKKEY]
//	gorilla verify -secret HASHKEY [-enc-key BLOCKKEY] < values
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

const cookieName = "session"

// Profile is an application type kept in the session at login, registered
// with gob as gorilla/sessions' documentation asks for custom types.
type Profile struct {
	Name  string
	Since time.Time
}

func init() { gob.Register(Profile{}) }

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: gorilla serve|verify [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	secret := fs.String("secret", "", "hash key")
	encKey := fs.String("enc-key", "", "block key (AES): none for hash only")
	fs.Parse(os.Args[2:])
	keys := [][]byte{[]byte(*secret)}
	if *encKey != "" {
		keys = append(keys, []byte(*encKey))
	}
	store := sessions.NewCookieStore(keys...)
	switch os.Args[1] {
	case "serve":
		log.Fatal(http.ListenAndServe(*addr, newApp(store)))
	case "verify":
		verify(store)
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

type truth struct {
	mu       sync.Mutex
	Requests int `json:"requests"`
	Created  int `json:"created"`
	MaxCount int `json:"max_count"`
	PID      int `json:"pid"`
}

func newApp(store *sessions.CookieStore) http.Handler {
	t := truth{PID: os.Getpid()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, cookieName) // a bad cookie gives a new session, as documented
		status := http.StatusOK
		n, ok := s.Values["visitCount"].(int)
		if _, hasSid := s.Values["sid"]; !hasSid && !ok {
			s.Values["sid"] = rand.IntN(10000)
			n, status = 0, http.StatusCreated
		}
		s.Values["visitCount"] = n + 1
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		t.mu.Lock()
		t.Requests++
		if status == http.StatusCreated {
			t.Created++
		}
		t.MaxCount = max(t.MaxCount, n+1)
		t.mu.Unlock()
		writeJSON(w, status, jsonValues(s.Values))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, cookieName)
		s.Values["user"] = r.FormValue("user")
		s.Values["profile"] = Profile{Name: r.FormValue("user"), Since: time.Now().UTC()}
		if err := s.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, jsonValues(s.Values))
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		s, _ := store.Get(r, cookieName)
		s.Options.MaxAge = -1
		if err := s.Save(r, w); err != nil {
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
	return mux
}

// verify decodes each value on stdin with the store's codecs, as store.Get
// does, and prints {"payload": Values, "issued_at": unix} or {"error": ...}.
func verify(store *sessions.CookieStore) {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(nil, 1<<20)
	enc := json.NewEncoder(os.Stdout)
	for sc.Scan() {
		value := strings.TrimSpace(sc.Text())
		values := map[interface{}]interface{}{}
		out := map[string]any{}
		if err := securecookie.DecodeMulti(cookieName, value, &values, store.Codecs...); err != nil {
			out["error"] = err.Error()
		} else {
			out["payload"] = jsonValues(values)
			out["issued_at"] = timestamp(value)
		}
		enc.Encode(out)
	}
}

// timestamp reads the date securecookie put before the first "|" of a value
// that DecodeMulti has just verified.
func timestamp(value string) int64 {
	b, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return 0
	}
	ts, _ := strconv.ParseInt(strings.SplitN(string(b), "|", 2)[0], 10, 64)
	return ts
}

func jsonValues(v map[interface{}]interface{}) map[string]any {
	m := make(map[string]any, len(v))
	for k, x := range v {
		m[fmt.Sprint(k)] = x
	}
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
