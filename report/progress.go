package report

import (
	"fmt"
	"sync"
	"time"

	"github.com/sessctl/sessctl/client/bench"
)

// ProgressLine draws bench's live progress line on stderr: done/total,
// rate, errors, elapsed and remaining time, redrawn in place. It draws only
// when stderr is a terminal; otherwise its methods do nothing, so logs and
// CI output get no animation.
type ProgressLine struct {
	s      *Streams
	mu     sync.Mutex
	drawn  bool
	active bool
	label  string
}

// NewProgressLine returns the progress line for s.ErrOut.
func NewProgressLine(s *Streams) *ProgressLine {
	return &ProgressLine{s: s, active: s.ErrTTY, label: "bench"}
}

// WithLabel sets what the line starts with ("bench" by default; audit's
// token collection says "audit: tokens") and returns p.
func (p *ProgressLine) WithLabel(label string) *ProgressLine {
	p.label = label
	return p
}

// Func returns the callback for bench.Config.Progress, or nil when
// stderr is not a terminal.
func (p *ProgressLine) Func() func(bench.Progress) {
	if !p.active {
		return nil
	}
	return p.Update
}

// Update redraws the line.
func (p *ProgressLine) Update(bp bench.Progress) {
	if !p.active {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	done := thousands(bp.Done)
	if bp.Total > 0 {
		done += "/" + thousands(bp.Total)
	}
	line := fmt.Sprintf("%s: %s requests  %s req/s  %s errors  %s elapsed",
		p.label, done, thousands(int64(bp.RateRPS+0.5)), thousands(bp.Errors), bp.Elapsed.Round(100*time.Millisecond))
	if bp.Remaining > 0 {
		r := bp.Remaining.Round(time.Second)
		if bp.Remaining < 10*time.Second {
			r = bp.Remaining.Round(100 * time.Millisecond)
		}
		line += fmt.Sprintf("  %s left", r)
	}
	p.drawLocked(line)
}

// draw redraws the line with text.
func (p *ProgressLine) draw(text string) {
	if !p.active {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked(text)
}

func (p *ProgressLine) drawLocked(text string) {
	fmt.Fprintf(p.s.ErrOut, "\r\x1b[K%s", text)
	p.drawn = true
}

// Clear erases the line, before the result is printed.
func (p *ProgressLine) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.s.ErrOut, "\r\x1b[K")
		p.drawn = false
	}
}
