package audit

import (
	"context"
	"fmt"

	"github.com/sessctl/sessctl/client/bench"
)

// checkConcurrency sends a short --shared bench: concurrent requests of one
// session, whose counter must count them all.
func (a *auditor) checkConcurrency(ctx context.Context) (string, error) {
	if a.cfg.NoLoad {
		return skipped + "--no-load", nil
	}
	if a.sess == nil {
		return skipped + "no session cookie", nil
	}
	counter := a.cfg.CounterPath
	if counter == "" {
		counter = bench.DefaultCounterPath
	}
	res, err := bench.Run(ctx, bench.Config{
		URLs: []string{a.cfg.URL}, Requests: a.cfg.LoadRequests, Concurrency: a.cfg.LoadConcurrency, Shared: true,
		CounterPath: counter, Timeout: a.cfg.Timeout, Insecure: a.cfg.Insecure, Engine: a.cfg.Engine, Header: benchHeader(a.cfg),
	})
	if err != nil {
		return skipped + fmt.Sprintf("no session counter at %q: %v", counter, err), nil
	}
	if res.Interrupted {
		return "", ctx.Err()
	}
	c := res.Consistency
	if c.Verdict == bench.VerdictUnchecked || c.Checked == 0 {
		return skipped + fmt.Sprintf("no session counter at %q in the responses", counter), nil
	}
	a.res.Load = &c
	if c.LostUpdates > 0 {
		a.add(Finding{ID: "concurrency-lost-updates", Check: "concurrency", Severity: Medium,
			Title: fmt.Sprintf("%d of %d concurrent updates of one session lost (%.1f%%): the store loads and saves the whole session", c.LostUpdates, c.ExpectedFinal-c.InitialCounter, c.LostUpdatesPct),
			Evidence: Evidence{Request: fmt.Sprintf("%d × GET %s with one session, %d at a time", res.Requests, a.cfg.URL, a.cfg.LoadConcurrency),
				Detail: fmt.Sprintf("%s went from %d to %d; %d expected", counter, c.InitialCounter, c.FinalCounter, c.ExpectedFinal)}})
	}
	return "", nil
}
