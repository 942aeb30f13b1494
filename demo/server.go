package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server timeouts and limits: a slow or hostile client cannot hold a
// connection or memory for long.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10
	// ShutdownTimeout bounds how long Close waits for requests in flight.
	ShutdownTimeout = 5 * time.Second
	// SweepInterval is how often a Server asks a Sweeper store to drop
	// expired sessions.
	SweepInterval = time.Minute
)

// Server is the demo app listening on a TCP address.
type Server struct {
	srv   *http.Server
	ln    net.Listener
	store Store
	done  chan error
	stop  chan struct{}
	once  sync.Once
}

// Open listens on addr ("127.0.0.1:0" when empty: a free loopback port) and
// serves NewHandler(opts) until Close.
func Open(addr string, opts Options) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if opts.Store == nil && opts.Mode != ModeCookie {
		opts.Store = NewMemoryStore()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{
		srv: &http.Server{
			Handler:           NewHandler(opts),
			ReadHeaderTimeout: ReadHeaderTimeout,
			ReadTimeout:       ReadTimeout,
			WriteTimeout:      WriteTimeout,
			IdleTimeout:       IdleTimeout,
			MaxHeaderBytes:    MaxHeaderBytes,
		},
		ln:    ln,
		store: opts.Store,
		done:  make(chan error, 1),
		stop:  make(chan struct{}),
	}
	if sw, ok := opts.Store.(Sweeper); ok {
		go s.sweep(sw)
	}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Addr returns the address the server listens on, e.g. 127.0.0.1:41234.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns the app's URL, e.g. http://127.0.0.1:41234/.
func (s *Server) URL() string { return "http://" + s.Addr() + "/" }

// Done returns a channel that receives the error that stopped serving (nil
// after Close).
func (s *Server) Done() <-chan error { return s.done }

// Close shuts the server down gracefully, waiting up to ShutdownTimeout for
// requests in flight, then closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	s.once.Do(func() { close(s.stop) })
	err := s.srv.Shutdown(ctx)
	if s.store != nil {
		if cerr := s.store.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// sweep drops expired sessions every SweepInterval until Close.
func (s *Server) sweep(sw Sweeper) {
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), SweepInterval)
			sw.Sweep(ctx)
			cancel()
		}
	}
}
