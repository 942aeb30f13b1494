package report

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func tickLabels(a axis) []string {
	var out []string
	for _, t := range a.Ticks {
		out = append(out, t.Label)
	}
	return out
}

func TestNiceStep(t *testing.T) {
	for _, test := range []struct {
		span float64
		n    int
		want float64
	}{
		{10, 10, 1}, {9500, 5, 2000}, {3.13, 10, 0.5}, {1, 6, 0.2}, {0.7, 5, 0.2}, {450, 6, 100}, {0, 5, 1}, {-3, 5, 1},
	} {
		if got := niceStep(test.span, test.n); math.Abs(got-test.want) > 1e-12 {
			t.Errorf("niceStep(%v, %d) = %v, want %v", test.span, test.n, got, test.want)
		}
	}
}

func TestLinearAxis(t *testing.T) {
	for _, test := range []struct {
		hi     float64
		n      int
		wantHi float64
		want   []string
	}{
		// Requests/s past 10,000 are in thousands, every label alike.
		{9500, 5, 10000, []string{"0", "2k", "4k", "6k", "8k", "10k"}},
		{14500, 5, 15000, []string{"0", "5k", "10k", "15k"}},
		{3.13, 10, 3.5, []string{"0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5"}},
		{5.0003, 10, 5, []string{"0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"}},
		{5.0003, 5, 5, []string{"0", "1", "2", "3", "4", "5"}},
		{0.001, 5, 0.001, []string{"0", "0.0002", "0.0004", "0.0006", "0.0008", "0.0010"}},
		{0.7, 5, 0.8, []string{"0", "0.2", "0.4", "0.6", "0.8"}},
		{2.4e7, 5, 2.5e7, []string{"0", "5M", "10M", "15M", "20M", "25M"}},
		// Nothing to show: an axis 0 to 1 all the same.
		{0, 4, 1, []string{"0", "0.5", "1.0"}},
		{math.Inf(1), 4, 1, []string{"0", "0.5", "1.0"}},
	} {
		a := linearAxis("x", test.hi, test.n)
		if a.Lo != 0 || math.Abs(a.Hi-test.wantHi) > 1e-9 || !reflect.DeepEqual(tickLabels(a), test.want) {
			t.Errorf("linearAxis(%v, %d): [%v, %v] %q, want [0, %v] %q", test.hi, test.n, a.Lo, a.Hi, tickLabels(a), test.wantHi, test.want)
		}
	}
}

func TestValueAxis(t *testing.T) {
	// A rate at a gridline, or a hair past one, is below the top.
	for _, hi := range []float64{2000, 2001, 30050, 5, 0.001} {
		if a := valueAxis("y", hi, 5); !(a.Hi > hi) || a.frac(hi) > 0.97 {
			t.Errorf("valueAxis(%v): top %v, the highest point at %.3f of the height", hi, a.Hi, a.frac(hi))
		}
	}
	if a := valueAxis("y", 0, 4); a.Hi != 1 {
		t.Errorf("valueAxis(0): top %v, want 1", a.Hi)
	}
}

func TestLogAxis(t *testing.T) {
	a := logAxis("ms", 0.02, 450)
	if a.Lo != 0.01 || a.Hi != 1000 || !a.Log {
		t.Errorf("domain [%v, %v] log %v, want [0.01, 1000] log", a.Lo, a.Hi, a.Log)
	}
	if got, want := tickLabels(a), []string{"0.01", "0.1", "1", "10", "100", "1000"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ticks %q, want %q", got, want)
	}
	// Three decades or fewer: 2 and 5 times each decade too.
	b := logAxis("ms", 1.5, 40)
	if got, want := tickLabels(b), []string{"1", "2", "5", "10", "20", "50", "100"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ticks %q, want %q", got, want)
	}
	// A decade itself is not pushed to the next one.
	if c := logAxis("ms", 1, 100); c.Lo != 1 || c.Hi != 100 {
		t.Errorf("logAxis(1, 100): [%v, %v]", c.Lo, c.Hi)
	}
	// The mapping is logarithmic: 10 is a third of the way from 1 to 1000.
	d := axis{Lo: 1, Hi: 1000, Log: true}
	for v, want := range map[float64]float64{1: 0, 10: 1.0 / 3, 100: 2.0 / 3, 1000: 1, 0.001: 0, 1e6: 1, 0: 0} {
		if got := d.frac(v); math.Abs(got-want) > 1e-9 {
			t.Errorf("log frac(%v) = %v, want %v", v, got, want)
		}
	}
	lin := axis{Lo: 0, Hi: 200}
	for v, want := range map[float64]float64{0: 0, 50: 0.25, 200: 1, -5: 0, 300: 1} {
		if got := lin.frac(v); math.Abs(got-want) > 1e-9 {
			t.Errorf("linear frac(%v) = %v, want %v", v, got, want)
		}
	}
	if got := (axis{Lo: 5, Hi: 5}).frac(5); got != 0 {
		t.Errorf("empty domain: frac %v, want 0", got)
	}
}

func TestPercentileAxis(t *testing.T) {
	a := percentileAxis(2000)
	if got, want := tickLabels(a), []string{"0%", "90%", "99%", "99.9%", "99.99%"}; !reflect.DeepEqual(got, want) {
		t.Errorf("2,000 values: ticks %q, want %q", got, want)
	}
	// Data past 99.99% adds 99.999%.
	b := percentileAxis(24875)
	if got, want := tickLabels(b), []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}; !reflect.DeepEqual(got, want) {
		t.Errorf("24,875 values: ticks %q, want %q", got, want)
	}
	// 1/(1-p) on a log scale: 90% a quarter of the way to 99.99%, 99% half.
	for p, want := range map[float64]float64{0: 0, 0.9: 0.25, 0.99: 0.5, 0.999: 0.75, 0.9999: 1} {
		if got := a.frac(percentileX(p, 2000)); math.Abs(got-want) > 1e-9 {
			t.Errorf("percentile %v at %v, want %v", p, got, want)
		}
	}
	// 100% is at the rank of the last value.
	if got := percentileX(1, 2000); got != 2000 {
		t.Errorf("percentileX(1, 2000) = %v, want 2000", got)
	}
	if got := percentileX(1, 0); got != 1 {
		t.Errorf("percentileX(1, 0) = %v, want 1", got)
	}
}

func TestTickText(t *testing.T) {
	for _, test := range []struct {
		v, step, top float64
		want         string
	}{
		{0, 1, 10, "0"}, {2500, 500, 10000, "2.5k"}, {8000, 2000, 10000, "8k"}, {8000, 2000, 8000, "8000"},
		{0.25, 0.05, 1, "0.25"}, {0.01, 0.01, 0.01, "0.01"}, {3e6, 1e6, 2e7, "3M"}, {150, 50, 200, "150"},
	} {
		if got := tickText(test.v, test.step, test.top); got != test.want {
			t.Errorf("tickText(%v, %v, %v) = %q, want %q", test.v, test.step, test.top, got, test.want)
		}
	}
}

func TestPathData(t *testing.T) {
	px := func(x float64) float64 { return 10 * x }
	py := func(y float64) float64 { return 100 - y }
	l := line{Points: []point{{0, 0}, {1, 10}, {2, math.NaN()}, {3, 20}, {4, 30}}}
	if got, want := pathData(l, px, py), "M0,100L10,90M30,80L40,70"; got != want {
		t.Errorf("line: %q, want %q (a NaN breaks it)", got, want)
	}
	// A lone point, a series of one second or a second between gaps, is
	// a dash: a moveto alone draws nothing.
	lone := line{Points: []point{{0, 0}, {1, math.NaN()}, {2, 10}, {3, math.NaN()}}}
	if got, want := pathData(lone, px, py), "M-4,100L4,100M16,90L24,90"; got != want {
		t.Errorf("lone points: %q, want %q", got, want)
	}
	a := line{Area: true, Points: []point{{0, 10}, {1, 20}}, Base: []float64{5, 5}}
	if got, want := pathData(a, px, py), "M0,90L10,80L10,95L0,95Z"; got != want {
		t.Errorf("area: %q, want %q (closed along its base)", got, want)
	}
	if got := pathData(line{Points: []point{{0, math.NaN()}}}, px, py); got != "" {
		t.Errorf("nothing to draw: %q", got)
	}
	// A chart with nothing drawn says so, and has no path.
	v := chart{ID: "c", Height: 200, X: linearAxis("x", 1, 2), Y: linearAxis("y", 1, 2), Empty: "no errors",
		Lines: []line{{Label: "none", Points: []point{{0, math.NaN()}}}}}.view()
	if v.Empty != "no errors" || len(v.Paths) != 0 {
		t.Errorf("empty chart: %+v", v)
	}
	// Points land inside the plot area.
	w := chart{ID: "c", Height: 300, X: linearAxis("x", 10, 5), Y: linearAxis("y", 100, 5),
		Lines: []line{{Label: "l", Points: []point{{0, 0}, {10, 100}}}}}.view()
	want := "M" + num(marginLeft) + "," + num(float64(300-marginBottom)) + "L" + num(chartWidth-marginRight) + "," + num(marginTop)
	if len(w.Paths) != 1 || w.Paths[0].D != want || w.Empty != "" {
		t.Errorf("corners: %+v, want %s", w.Paths, want)
	}
	if !strings.HasPrefix(w.XTicks[0].Label, "0") || w.XTicks[0].Pos != marginLeft {
		t.Errorf("first x tick %+v", w.XTicks[0])
	}
}
