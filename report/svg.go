package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file holds the charts of the HTML report: a line and stacked-area
// chart with linear, log and percentile axes, laid out in Go as numbers
// and path data that the report's template writes as inline SVG (so that
// every text in a chart goes through html/template's escaping).

// Chart geometry in SVG user units, which the page shows at one pixel
// each: a chart is chartWidth wide (halfWidth for one of a pair), its
// plot area inside the margins.
const (
	chartWidth   = 1100
	halfWidth    = 540
	marginLeft   = 70
	marginRight  = 44
	marginTop    = 14
	marginBottom = 46
)

// tick is one labelled gridline of an axis, at data value V.
type tick struct {
	V     float64
	Label string
}

// axis is one dimension of a chart: its domain [Lo, Hi], linear or log10
// (Lo > 0), its gridlines and its title with the unit.
type axis struct {
	Title  string
	Lo, Hi float64
	Log    bool
	Ticks  []tick
}

// frac is where v falls in the axis's domain, 0 at Lo and 1 at Hi;
// values outside the domain are clamped to it.
func (a axis) frac(v float64) float64 {
	lo, hi := a.Lo, a.Hi
	if a.Log {
		v = math.Log10(math.Max(v, a.Lo))
		lo, hi = math.Log10(lo), math.Log10(hi)
	}
	if !(hi > lo) {
		return 0
	}
	return math.Min(1, math.Max(0, (v-lo)/(hi-lo)))
}

// niceStep is the step of about n gridlines over span: 1, 2 or 5 times a
// power of ten.
func niceStep(span float64, n int) float64 {
	if !(span > 0) {
		return 1
	}
	// A span a hair over a nice one (5.0003 s) takes its step: the
	// axis's end tolerates as much (linearAxis).
	raw := span / float64(n) / 1.02
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch norm := raw / mag; {
	case norm <= 1:
		return mag
	case norm <= 2:
		return 2 * mag
	case norm <= 5:
		return 5 * mag
	}
	return 10 * mag
}

// linearAxis is an axis from 0 to hi with about n gridlines at nice
// steps, its end moved up to the next of them (unless hi passes the one
// below by less than a fiftieth of a step: a run of 5.0003 s ends at 5).
func linearAxis(title string, hi float64, n int) axis {
	if !(hi > 0) || math.IsInf(hi, 0) {
		hi = 1
	}
	step := niceStep(hi, n)
	a := axis{Title: title, Hi: math.Max(1, math.Ceil(hi/step-0.02)) * step}
	for i := 0; ; i++ {
		v := float64(i) * step
		if v > a.Hi+step/2 {
			break
		}
		a.Ticks = append(a.Ticks, tick{V: v, Label: tickText(v, step, a.Hi)})
	}
	return a
}

// valueAxis is linearAxis for the values of a chart (its y): its top a
// twenty-fifth at least above hi, so that the highest point is drawn
// inside the plot, not on its frame nor clipped by the tolerance that
// lets a time axis end at a gridline just under its end.
func valueAxis(title string, hi float64, n int) axis { return linearAxis(title, hi*1.04, n) }

// logAxis is a log10 axis over the decades around [lo, hi] (lo > 0),
// with a gridline at each decade, and at 2 and 5 times each when the
// axis spans three decades or fewer.
func logAxis(title string, lo, hi float64) axis {
	if !(lo > 0) {
		lo = hi / 1000
	}
	if !(hi > lo) {
		hi = lo * 10
	}
	a := axis{Title: title, Log: true,
		Lo: math.Pow(10, math.Floor(math.Log10(lo)+1e-9)), Hi: math.Pow(10, math.Ceil(math.Log10(hi)-1e-9))}
	decades := int(math.Round(math.Log10(a.Hi / a.Lo)))
	for d := 0; d <= decades; d++ {
		v := a.Lo * math.Pow(10, float64(d))
		a.Ticks = append(a.Ticks, tick{V: v, Label: tickText(v, v, v)})
		if decades <= 3 && d < decades {
			a.Ticks = append(a.Ticks, tick{V: 2 * v, Label: tickText(2*v, v, 2*v)}, tick{V: 5 * v, Label: tickText(5*v, v, 5*v)})
		}
	}
	return a
}

// percentileX is where percentile p (a fraction) lies on a percentile
// axis: 1/(1-p), HdrHistogram's plot's x. The 100% row, at infinity, is
// placed at 1/(1-p) for the rank of the last of total values, (total-1)/total.
func percentileX(p float64, total int64) float64 {
	if p >= 1 {
		return math.Max(float64(total), 1)
	}
	return 1 / (1 - p)
}

// percentileAxis is HdrHistogram's percentile axis: 1/(1-p) on a log
// scale, labelled 0%, 90%, 99%, 99.9%, 99.99%, and further nines while
// the data (maxX, the largest percentileX) reaches them.
func percentileAxis(maxX float64) axis {
	a := axis{Title: "percentile", Lo: 1, Hi: 1e4, Log: true}
	for a.Hi < maxX && a.Hi < 1e9 {
		a.Hi *= 10
	}
	for v, nines := 1.0, 0; v <= a.Hi*1.0001; v, nines = v*10, nines+1 {
		a.Ticks = append(a.Ticks, tick{V: v, Label: ninesText(nines)})
	}
	return a
}

// ninesText is the percentile 1 - 10^-n as a person writes it: 0%, 90%,
// 99%, 99.9%, ...
func ninesText(n int) string {
	switch n {
	case 0:
		return "0%"
	case 1:
		return "90%"
	case 2:
		return "99%"
	}
	return "99." + strings.Repeat("9", n-2) + "%"
}

// tickText writes a gridline's value v on an axis whose gridlines are
// step apart and whose labels reach up to top: no more decimals than
// step needs, in thousands (k) from a top of 10,000 and in millions (M)
// from 10,000,000, so that the labels of an axis are all in one unit.
func tickText(v, step, top float64) string {
	switch {
	case v == 0:
		return "0"
	case top >= 1e7:
		return strconv.FormatFloat(v/1e6, 'f', decimalsFor(step/1e6), 64) + "M"
	case top >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', decimalsFor(step/1e3), 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', decimalsFor(step), 64)
}

// decimalsFor is the decimals that tell apart values step apart.
func decimalsFor(step float64) int {
	if step >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(step) - 1e-9))
}

// point is one datum of a line; a NaN Y breaks the line there.
type point struct{ X, Y float64 }

// line is one series of a chart: drawn as a polyline, or with Area as the
// top of a filled area down to Base (the Y of the stack below it, point
// by point; nil is the x axis).
type line struct {
	Label  string
	Colour string
	Dash   bool
	Area   bool
	Points []point
	Base   []float64
}

// chart is one chart of the report: its size (Width 0 is chartWidth),
// its axes, its lines, and the text shown instead when no line has a
// point (Empty).
type chart struct {
	ID     string
	Title  string
	Width  int
	Height int
	X, Y   axis
	Lines  []line
	Empty  string
}

// chartView is a chart laid out: what the template writes.
type chartView struct {
	ID, Title             string
	Width, Height         int
	Left, Top, Right, Bot float64
	XTicks, YTicks        []tickView
	XTitle, YTitle        string
	Paths                 []pathView // in the legend too, in order
	Empty                 string
	// Where the texts go: the y ticks' right end, the x ticks' baseline,
	// the x title's baseline, the plot's middle, and its size.
	YTickX, XTickY, XTitleY float64
	MidX, MidY              float64
	PlotWidth, PlotHeight   float64
}

type tickView struct {
	Pos   float64
	Label string
}

// pathView is one drawn line or area, and its key in the legend.
type pathView struct {
	D      string
	Colour string
	Dash   bool
	Area   bool
	Label  string
}

// view lays c out.
func (c chart) view() chartView {
	w := c.Width
	if w == 0 {
		w = chartWidth
	}
	v := chartView{ID: c.ID, Title: c.Title, Width: w, Height: c.Height,
		Left: marginLeft, Top: marginTop, Right: float64(w - marginRight), Bot: float64(c.Height - marginBottom),
		XTitle: c.X.Title, YTitle: c.Y.Title}
	v.YTickX, v.XTickY, v.XTitleY = v.Left-8, v.Bot+19, float64(c.Height)-6
	v.MidX, v.MidY = (v.Left+v.Right)/2, (v.Top+v.Bot)/2
	v.PlotWidth, v.PlotHeight = v.Right-v.Left, v.Bot-v.Top
	px := func(x float64) float64 { return v.Left + c.X.frac(x)*(v.Right-v.Left) }
	py := func(y float64) float64 { return v.Bot - c.Y.frac(y)*(v.Bot-v.Top) }
	for _, t := range c.X.Ticks {
		v.XTicks = append(v.XTicks, tickView{Pos: round1(px(t.V)), Label: t.Label})
	}
	for _, t := range c.Y.Ticks {
		v.YTicks = append(v.YTicks, tickView{Pos: round1(py(t.V)), Label: t.Label})
	}
	drawn := false
	for _, l := range c.Lines {
		d := pathData(l, px, py)
		if d == "" {
			continue
		}
		drawn = true
		v.Paths = append(v.Paths, pathView{D: d, Colour: l.Colour, Dash: l.Dash, Area: l.Area, Label: l.Label})
	}
	if !drawn {
		v.Empty = c.Empty
		if v.Empty == "" {
			v.Empty = "no data"
		}
	}
	return v
}

// pathData is the SVG path of l: for a line, "M x,y L x,y ..." with a new
// M after each break and a lone point drawn as a short level dash; for an area, each unbroken run closed down along
// its base. "" when l has no point to draw.
func pathData(l line, px, py func(float64) float64) string {
	var b strings.Builder
	var run []point // the unbroken run being drawn, in pixels
	var base []point
	flush := func() {
		if len(run) == 0 {
			return
		}
		switch {
		case l.Area && len(run) == 1:
			run = append(run, run[0])
			base = append(base, base[0])
		case len(run) == 1:
			// A lone point (a series of one second, a second between
			// two gaps): a path of a moveto alone draws nothing, so a
			// short dash across it, as the legend's key.
			p := run[0]
			run = append(run[:0], point{p.X - dotHalfWidth, p.Y}, point{p.X + dotHalfWidth, p.Y})
		}
		for i, p := range run {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%s,%s", cmd, num(p.X), num(p.Y))
		}
		if l.Area {
			for i := len(base) - 1; i >= 0; i-- {
				fmt.Fprintf(&b, "L%s,%s", num(base[i].X), num(base[i].Y))
			}
			b.WriteString("Z")
		}
		run, base = run[:0], base[:0]
	}
	for i, p := range l.Points {
		if math.IsNaN(p.Y) || math.IsInf(p.Y, 0) {
			flush()
			continue
		}
		y0 := 0.0
		if i < len(l.Base) && !math.IsNaN(l.Base[i]) {
			y0 = l.Base[i]
		}
		x := px(p.X)
		run = append(run, point{x, py(p.Y)})
		base = append(base, point{x, py(y0)})
	}
	flush()
	return b.String()
}

// dotHalfWidth is half the length of the dash that draws a line's lone
// point, in pixels.
const dotHalfWidth = 4

// num writes a pixel position with one decimal, no trailing zeros.
func num(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }

func round1(v float64) float64 { return math.Round(v*10) / 10 }
