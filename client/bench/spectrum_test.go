package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// TestSpectrumMatchesHdrHistogram: the spectrum's rows and footer are what
// hdrhistogram-go's PercentilesPrint writes for the same histogram.
func TestSpectrumMatchesHdrHistogram(t *testing.T) {
	h := hdrhistogram.New(1, 3_600_000_000, 3)
	for i := int64(1); i <= 5000; i++ {
		h.RecordValue(i * i % 70000)
	}
	sp := spectrumOf(h)
	var out bytes.Buffer
	if _, err := h.PercentilesPrint(&out, spectrumTicks, 1000); err != nil {
		t.Fatal(err)
	}
	var rows []SpectrumPoint
	var footer []string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			footer = append(footer, line)
			continue
		}
		var p SpectrumPoint
		if n, _ := fmt.Sscanf(line, "%f %f %d", &p.ValueMs, &p.Percentile, &p.TotalCount); n == 3 {
			rows = append(rows, p)
		}
	}
	if len(rows) != len(sp.Points) || len(rows) < 50 {
		t.Fatalf("%d rows, PercentilesPrint %d", len(sp.Points), len(rows))
	}
	for i, p := range sp.Points {
		r := rows[i]
		if math.Abs(p.ValueMs-r.ValueMs) > 0.0005 || math.Abs(p.Percentile-r.Percentile) > 1e-6 || p.TotalCount != r.TotalCount {
			t.Fatalf("row %d: %+v, PercentilesPrint %+v", i, p, r)
		}
	}
	want := fmt.Sprintf("#[Buckets = %12d, SubBuckets     = %12d]", sp.Buckets, sp.SubBuckets)
	if len(footer) != 3 || footer[2] != want {
		t.Fatalf("footer %q, want last %q", footer, want)
	}
	if sp.TotalCount != 5000 || sp.Points[len(sp.Points)-1].Percentile != 1 {
		t.Fatalf("total %d, last %+v", sp.TotalCount, sp.Points[len(sp.Points)-1])
	}
	if spectrumOf(hdrhistogram.New(1, 10, 3)) != nil {
		t.Fatal("an empty histogram has a spectrum")
	}
}
