package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sessctl/sessctl/client/bench"
)

// Handler serves live's metrics (Collector), with the Go runtime's and
// the process's, in Prometheus's formats.
func Handler(live *bench.Live) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(live), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// Server serves a run's metrics on /metrics while the run lasts.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Listen binds addr (host:port; any address the user gives, as vegeta's
// and k6's endpoints do) and serves live's metrics on /metrics there until
// Close.
func Listen(addr string, live *bench.Live) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics address %s: %w", addr, err)
	}
	return Serve(ln, live), nil
}

// Serve serves live's metrics on /metrics from ln until Close.
func Serve(ln net.Listener, live *bench.Live) *Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler(live))
	s := &Server{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s
}

// URL is the address of the metrics: http://HOST:PORT/metrics.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/metrics" }

// Close stops the server, letting a scrape in progress finish for up to a
// second.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
