package bench

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"sync"
)

// Engines of a bench run (Config.Engine).
const (
	// EngineAuto picks EngineEpoll when every URL is plain http and the
	// system has epoll (Linux), and EngineGoroutine otherwise.
	EngineAuto = "auto"
	// EngineEpoll runs the load on event loops, one per OS thread, over
	// non-blocking sockets: wrk's design. Plain http on Linux only.
	EngineEpoll = "epoll"
	// EngineGoroutine runs a goroutine per connection on net.Conn: http
	// and https (crypto/tls needs a blocking connection), any system.
	EngineGoroutine = "goroutine"
)

// loader runs a run's workers until stop is done or the run's bound is
// reached, and cuts the requests in flight when cut is done (counting
// them with worker.cutShort). The engines differ only here: both drive
// the same workers (plan, completed, handle, fail, cutShort), so the
// checks, counts and results are one set.
type loader interface {
	load(stop, cut context.Context, e *engine)
}

// EngineFor returns the engine a run of cfg uses: cfg.Engine when it names
// one, else (auto or empty) EngineEpoll when the system has it and every
// URL is plain http, EngineGoroutine otherwise.
func EngineFor(cfg Config) string {
	switch cfg.Engine {
	case EngineEpoll, EngineGoroutine:
		return cfg.Engine
	}
	if !epollAvailable {
		return EngineGoroutine
	}
	for _, raw := range cfg.URLs {
		if t, err := parseTarget(raw); err != nil || t.tls {
			return EngineGoroutine
		}
	}
	return EngineEpoll
}

// ThreadsFor is the GOMAXPROCS for a run on engine: n when given; all the
// CPUs for the epoll engine, whose event loops each want a core (measured
// on 2 cores beside the server: a single loop leaves 12-14% of the machine
// idle, as wrk -t1 does); for the goroutine engine with targets all on
// loopback, half the CPUs (at least 1), because the server runs on the same
// cores and every cycle the client's scheduler spends is taken from it
// (measured on 2 cores: about a tenth more requests/s with 1 than with 2);
// otherwise, and for the embedded server, which runs in this process, all.
func ThreadsFor(n int, urls []string, engine string) int {
	if n > 0 {
		return n
	}
	if len(urls) == 0 || engine == EngineEpoll {
		return runtime.GOMAXPROCS(0)
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return runtime.GOMAXPROCS(0)
		}
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return runtime.GOMAXPROCS(0)
		}
	}
	return max(1, runtime.NumCPU()/2)
}

// validateEngine is Validate's part about Engine and Threads.
func (c Config) validateEngine() error {
	switch c.Engine {
	case "", EngineAuto, EngineGoroutine:
	case EngineEpoll:
		if !epollAvailable {
			return fmt.Errorf("engine %s needs Linux: use %s or %s", EngineEpoll, EngineGoroutine, EngineAuto)
		}
		for _, raw := range c.URLs {
			if t, err := parseTarget(raw); err == nil && t.tls {
				return fmt.Errorf("engine %s speaks plain http only, not %s: use %s or %s for https", EngineEpoll, raw, EngineGoroutine, EngineAuto)
			}
		}
	default:
		return fmt.Errorf("engine must be %s, %s or %s, not %q", EngineAuto, EngineEpoll, EngineGoroutine, c.Engine)
	}
	if c.Threads < 0 {
		return fmt.Errorf("threads must not be negative, not %d", c.Threads)
	}
	return nil
}

func newLoader(cfg Config) loader {
	if EngineFor(cfg) == EngineEpoll {
		return newEpollLoader(cfg.Threads)
	}
	return goroutineLoader{}
}

// goroutineLoader is the goroutine engine: one goroutine per worker, each
// blocking on its net.Conns.
type goroutineLoader struct{}

func (goroutineLoader) load(stop, cut context.Context, e *engine) {
	s := newHistSink()
	for _, w := range e.workers {
		s.add(w)
	}
	e.addSink(s)
	var wg sync.WaitGroup
	for _, w := range e.workers {
		wg.Go(func() {
			w.loop(stop, cut)
			for i, hc := range w.conns {
				if hc != nil {
					hc.close()
					w.conns[i] = nil
				}
			}
		})
	}
	wg.Wait()
}
