// Command bare is the baseline for sessctl's benchmark scripts: a bare
// net/http handler that answers every request with the same bytes serve-demo
// sends for a session (102 bytes of JSON), no session work at all.
//
//	go run ./benchmarks/bare -addr 127.0.0.1:8081
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
)

const body = `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":1}`

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	b := []byte(body)
	ctype := []string{"application/json; charset=utf-8"}
	clen := []string{strconv.Itoa(len(b))}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = ctype
		w.Header()["Content-Length"] = clen
		w.Write(b)
	})
	log.Printf("bare handler on http://%s/", *addr)
	log.Fatal(http.ListenAndServe(*addr, h))
}
