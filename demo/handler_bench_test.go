package demo

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmarks
// measure the handler alone.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkHandlerNewSession: GET / without a cookie (a session created
// per request).
func BenchmarkHandlerNewSession(b *testing.B) {
	h := NewHandler(Options{Secrets: [][]byte{[]byte("k")}, Store: NewMemoryStoreWith(MemoryStoreOptions{TTL: DefaultTTL, MaxSessions: 100_000})})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/", nil)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkHandlerOneSession: GET / with one existing session's cookie.
func BenchmarkHandlerOneSession(b *testing.B) {
	h := NewHandler(Options{Secrets: [][]byte{[]byte("k")}})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	ck := w.Result().Header.Get("Set-Cookie")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", ck)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	})
}
