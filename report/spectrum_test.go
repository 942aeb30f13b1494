package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/client/bench"
)

// TestWriteSpectrum: HdrHistogram's table layout, an inf last row, the
// footer; a run without answers writes the header alone.
func TestWriteSpectrum(t *testing.T) {
	sp := &bench.Spectrum{
		Points: []bench.SpectrumPoint{{ValueMs: 0.5, Percentile: 0, TotalCount: 1},
			{ValueMs: 1.25, Percentile: 0.5, TotalCount: 5}, {ValueMs: 9, Percentile: 1, TotalCount: 10}},
		MeanMs: 2, StdDevMs: 1.5, MaxMs: 9, TotalCount: 10, Buckets: 22, SubBuckets: 2048,
	}
	var b bytes.Buffer
	if err := writeSpectrum(&b, sp); err != nil {
		t.Fatal(err)
	}
	want := `       Value     Percentile TotalCount 1/(1-Percentile)

       0.500     0.000000            1         1.00
       1.250     0.500000            5         2.00
       9.000     1.000000           10          inf
#[Mean    =        2.000, StdDeviation   =        1.500]
#[Max     =        9.000, Total count    =           10]
#[Buckets =           22, SubBuckets     =         2048]
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeSpectrum(&b, nil); err != nil || strings.Count(b.String(), "\n") != 2 {
		t.Fatalf("empty: %q %v", b.String(), err)
	}
}
