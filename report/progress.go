package report

import (
	"fmt"
	"sync"
	"time"

	"github.com/sessctl/sessctl/client"
)

// BenchProgress draws bench's live progress line on stderr: done/total,
// rate, errors, elapsed and remaining time, redrawn in place. It draws only
// when stderr is a terminal; otherwise its methods do nothing, so logs and
// CI output get no animation.
type BenchProgress struct {
	s      *Streams
	mu     sync.Mutex
	drawn  bool
	active bool
}

// NewBenchProgress returns the progress line for s.ErrOut.
func NewBenchProgress(s *Streams) *BenchProgress {
	return &BenchProgress{s: s, active: s.ErrTTY}
}

// Func returns the callback for client.BenchConfig.Progress, or nil when
// stderr is not a terminal.
func (p *BenchProgress) Func() func(client.BenchProgress) {
	if !p.active {
		return nil
	}
	return p.Update
}

// Update redraws the line.
func (p *BenchProgress) Update(bp client.BenchProgress) {
	if !p.active {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	done := benchNum(bp.Done)
	if bp.Total > 0 {
		done += "/" + benchNum(bp.Total)
	}
	line := fmt.Sprintf("bench: %s requests  %s req/s  %s errors  %s elapsed",
		done, benchNum(int64(bp.RateRPS+0.5)), benchNum(bp.Errors), bp.Elapsed.Round(100*time.Millisecond))
	if bp.Remaining > 0 {
		r := bp.Remaining.Round(time.Second)
		if bp.Remaining < 10*time.Second {
			r = bp.Remaining.Round(100 * time.Millisecond)
		}
		line += fmt.Sprintf("  %s left", r)
	}
	fmt.Fprintf(p.s.ErrOut, "\r\x1b[K%s", line)
	p.drawn = true
}

// Clear erases the line, before the result is printed.
func (p *BenchProgress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.s.ErrOut, "\r\x1b[K")
		p.drawn = false
	}
}
