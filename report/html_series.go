package report

import "github.com/sessctl/sessctl/client/bench"

// This file reads the per-second figures of a series point that the HTML
// report charts, tolerating results of an older sessctl that lack some.

// seriesLatency is the latency percentiles of pt's second; false when
// nothing was answered in it, or the result does not have them.
func seriesLatency(pt bench.SeriesPoint) (bench.SeriesLatency, bool) {
	if pt.Latency == nil {
		return bench.SeriesLatency{}, false
	}
	return *pt.Latency, true
}

// seriesSuccesses is pt's successes per second: the requests that did not
// fail, which a result without successes_per_s tells as well.
func seriesSuccesses(pt bench.SeriesPoint) float64 {
	if pt.SuccessesPerS > 0 {
		return pt.SuccessesPerS
	}
	return max(0, pt.RequestsPerS-pt.ErrorsPerS)
}

// seriesErrorClasses is pt's errors per second by class; a result
// without the classes gives its errors as one class, "errors".
func seriesErrorClasses(pt bench.SeriesPoint) map[string]float64 {
	if pt.ErrorsByClassPerS != nil {
		return pt.ErrorsByClassPerS
	}
	if pt.ErrorsPerS > 0 {
		return map[string]float64{"errors": pt.ErrorsPerS}
	}
	return nil
}
