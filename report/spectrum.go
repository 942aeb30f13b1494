package report

import (
	"fmt"
	"io"
	"math"

	"github.com/sessctl/sessctl/client/bench"
)

// BenchSpectrum writes res's latency spectrum to s.Out in HdrHistogram's
// percentile table (the text of hdrhistogram-go's PercentilesPrint and
// the Java HistogramLogProcessor, values in milliseconds), which
// HdrHistogram's plotter reads: bench --latency-spectrum, after the text
// view. A run without answers writes the header alone.
func BenchSpectrum(s *Streams, res *bench.Result) error {
	return writeSpectrum(s.Out, res.LatencySpectrum)
}

func writeSpectrum(w io.Writer, sp *bench.Spectrum) error {
	ew := &errWriter{w: w}
	ew.printf("%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)")
	if sp == nil {
		return ew.err
	}
	for _, p := range sp.Points {
		inv := fmt.Sprintf("%12.2f", 1/(1-p.Percentile))
		if math.IsInf(1/(1-p.Percentile), 1) {
			inv = fmt.Sprintf("%12s", "inf")
		}
		ew.printf("%12.3f %12f %12d %s\n", p.ValueMs, p.Percentile, p.TotalCount, inv)
	}
	ew.printf("#[Mean    = %12.3f, StdDeviation   = %12.3f]\n#[Max     = %12.3f, Total count    = %12d]\n#[Buckets = %12d, SubBuckets     = %12d]\n",
		sp.MeanMs, sp.StdDevMs, sp.MaxMs, sp.TotalCount, sp.Buckets, sp.SubBuckets)
	return ew.err
}

// errWriter keeps the first write error, so a table's rows need no check
// each.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
