package report

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// styles is the one stylesheet of every text view: a colour means the same
// thing in visit, decode and bench (green is good, red is bad, yellow asks
// for a look). It is built per run from the renderer of the stream written
// to, so pipes and NO_COLOR get plain text; there are no package-level styles.
type styles struct {
	title lipgloss.Style // headings: "Visit 1", "bench", a cookie's name
	label lipgloss.Style // the label column
	faint lipgloss.Style // context a reader may skip

	good lipgloss.Style // verdicts and statuses that pass: valid, CONSISTENT, 2xx
	bad  lipgloss.Style // what failed: invalid, INCONSISTENT, 5xx, errors
	warn lipgloss.Style // what needs a look: UNCHECKED, unverified, 4xx, warnings
	note lipgloss.Style // neither good nor bad: 3xx redirects

	// added, removed and changed mark a difference: a cookie stored or
	// deleted, a counter that moved.
	added, removed, changed lipgloss.Style
}

// Colours of the palette: the bright ANSI colours, readable on dark and
// light terminals alike.
const (
	colourRed    = lipgloss.Color("9")
	colourGreen  = lipgloss.Color("10")
	colourYellow = lipgloss.Color("11")
	colourBlue   = lipgloss.Color("12")
	colourCyan   = lipgloss.Color("14")
)

func newStyles(r *lipgloss.Renderer) styles {
	return styles{
		title:   r.NewStyle().Bold(true),
		label:   r.NewStyle().Foreground(colourBlue),
		faint:   r.NewStyle().Faint(true),
		good:    r.NewStyle().Bold(true).Foreground(colourGreen),
		bad:     r.NewStyle().Bold(true).Foreground(colourRed),
		warn:    r.NewStyle().Bold(true).Foreground(colourYellow),
		note:    r.NewStyle().Bold(true).Foreground(colourCyan),
		added:   r.NewStyle().Foreground(colourGreen),
		removed: r.NewStyle().Foreground(colourRed),
		changed: r.NewStyle().Foreground(colourYellow),
	}
}

// status is the style of an HTTP status code.
func (st styles) status(code int) lipgloss.Style {
	switch {
	case code >= 500:
		return st.bad
	case code >= 400:
		return st.warn
	case code >= 300:
		return st.note
	}
	return st.good
}

// nonZero renders n with thousands separators, in the bad style unless it is
// 0: for counts of things that should not happen.
func (st styles) nonZero(n int64) string {
	if n == 0 {
		return "0"
	}
	return st.bad.Render(thousands(n))
}

// columns writes "  label   text" rows, the label column width wide (at
// least one space before the text): the layout of every text view. Lines of
// a multi-line text after the first are indented to the text column.
type columns struct {
	b     *strings.Builder
	st    styles
	width int
}

// row writes one row; an empty label continues the rows above.
func (c columns) row(label, text string) {
	pad := strings.Repeat(" ", max(c.width-len(label), 1))
	indent := "\n" + strings.Repeat(" ", 2+c.width)
	if label != "" {
		label = c.st.label.Render(label)
	}
	c.b.WriteString("  " + label + pad + strings.ReplaceAll(text, "\n", indent) + "\n")
}
