package bench

import (
	"math"
	"math/bits"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// spectrumTicks is the percentile ticks per halving of the distance to
// 100%: HdrHistogram's default (PercentilesPrint, HistogramLogProcessor).
const spectrumTicks = 5

// Spectrum is a run's full latency percentile distribution, the rows of
// HdrHistogram's percentile table: what its plotter reads, and what
// report prints for --latency-spectrum.
type Spectrum struct {
	// Points are the rows, percentile ascending to 100%.
	Points []SpectrumPoint `json:"points"`
	// MeanMs, StdDevMs and MaxMs summarise the histogram in milliseconds;
	// TotalCount is its number of values.
	MeanMs     float64 `json:"mean_ms"`
	StdDevMs   float64 `json:"stddev_ms"`
	MaxMs      float64 `json:"max_ms"`
	TotalCount int64   `json:"total_count"`
	// Buckets and SubBuckets are the histogram's layout, printed in the
	// table's footer as HdrHistogram does.
	Buckets    int32 `json:"buckets"`
	SubBuckets int32 `json:"sub_buckets"`
}

// SpectrumPoint is one row: ValueMs is the latency at Percentile (a
// fraction, 0 to 1) and TotalCount the values at or below it.
type SpectrumPoint struct {
	ValueMs    float64 `json:"value_ms"`
	Percentile float64 `json:"percentile"`
	TotalCount int64   `json:"total_count"`
}

// spectrumOf reads h (microseconds) into a Spectrum; nil when h is empty.
func spectrumOf(h *hdrhistogram.Histogram) *Spectrum {
	if h.TotalCount() == 0 {
		return nil
	}
	dist := h.CumulativeDistributionWithTicks(spectrumTicks)
	s := &Spectrum{
		Points:     make([]SpectrumPoint, 0, len(dist)),
		MeanMs:     h.Mean() / 1000,
		StdDevMs:   h.StdDev() / 1000,
		MaxMs:      float64(h.Max()) / 1000,
		TotalCount: h.TotalCount(),
	}
	for _, b := range dist {
		s.Points = append(s.Points, SpectrumPoint{ValueMs: float64(b.ValueAt) / 1000, Percentile: b.Quantile / 100, TotalCount: b.Count})
	}
	// The layout HdrHistogram prints in the footer (hdrhistogram-go keeps
	// it unexported): its export says as much.
	snap := h.Export()
	largest := int64(2 * math.Pow10(int(snap.SignificantFigures)))
	s.SubBuckets = int32(1) << bits.Len64(uint64(largest-1))
	s.Buckets = int32(len(snap.Counts))/(s.SubBuckets/2) - 1
	return s
}
