package report

import "github.com/sessctl/sessctl/client/bench"

// This file reads the per-second figures of a series point that the HTML
// report charts, tolerating results that do not have them (an older
// sessctl's JSON).

// secondLatency is one second's latency percentiles in milliseconds.
type secondLatency struct {
	P50, P90, P99, P999, Max float64
}

// seriesLatency is the latency percentiles of pt's second; false when
// nothing was answered in it, or the result does not have them.
func seriesLatency(pt bench.SeriesPoint) (secondLatency, bool) {
	return secondLatency{}, false
}

// seriesSuccesses is pt's successes per second; false when the result
// does not have them.
func seriesSuccesses(pt bench.SeriesPoint) (float64, bool) {
	return 0, false
}

// seriesErrorClasses is pt's errors per second by class; a result
// without the classes gives its errors as one class, "errors".
func seriesErrorClasses(pt bench.SeriesPoint) map[string]float64 {
	if pt.ErrorsPerS > 0 {
		return map[string]float64{"errors": pt.ErrorsPerS}
	}
	return nil
}
