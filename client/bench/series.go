package bench

import "time"

// MaxSeriesPoints bounds a run's per-second series: an hour of seconds.
// A longer run keeps its first hour and sets SeriesTruncated.
const MaxSeriesPoints = 3600

// SeriesPoint is one second of a run, as the watchdog sampled the
// workers' live counts (both engines feed them): TS is the end of the
// interval in seconds since the start, IntervalS its length (1, less for
// the last one), RequestsPerS the requests finished in it (answered or
// failed) per second and ErrorsPerS the failed ones.
type SeriesPoint struct {
	TS           float64 `json:"t_s"`
	IntervalS    float64 `json:"interval_s"`
	RequestsPerS float64 `json:"requests_per_s"`
	ErrorsPerS   float64 `json:"errors_per_s"`
}

// series samples the run's counts once a second into a capped slice.
type series struct {
	points          []SeriesPoint
	truncated       bool
	lastAt          time.Duration
	lastDone, lastF int64
}

// sample adds the interval from the previous sample to at, whose totals
// are done and failed; intervals shorter than a millisecond are skipped.
func (s *series) sample(at time.Duration, done, failed int64) {
	d := (at - s.lastAt).Seconds()
	if d < 0.001 {
		return
	}
	if len(s.points) == MaxSeriesPoints {
		s.truncated = true
		return
	}
	s.points = append(s.points, SeriesPoint{TS: at.Seconds(), IntervalS: d,
		RequestsPerS: float64(done-s.lastDone) / d, ErrorsPerS: float64(failed-s.lastF) / d})
	s.lastAt, s.lastDone, s.lastF = at, done, failed
}
