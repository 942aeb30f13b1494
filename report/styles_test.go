package report

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// ansiBefore returns the escape sequence that styles word in out.
func ansiBefore(t *testing.T, out []byte, word string) string {
	t.Helper()
	m := regexp.MustCompile(`(\x1b\[[0-9;]*m)` + regexp.QuoteMeta(word)).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no styled %q in %q", word, out)
	}
	return string(m[1])
}

// TestOnePalette checks that a verdict that passes looks the same in every
// view: decode's "valid", bench's "CONSISTENT" and visit's 2xx status.
func TestOnePalette(t *testing.T) {
	render := func(f func(*bytes.Buffer, *lipgloss.Renderer) error) []byte {
		var buf bytes.Buffer
		r := lipgloss.NewRenderer(&buf)
		r.SetColorProfile(termenv.ANSI256)
		if err := f(&buf, r); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	decoded := render(func(b *bytes.Buffer, r *lipgloss.Renderer) error { return decodeText(b, r, decodeSample(), now) })
	bench := render(func(b *bytes.Buffer, r *lipgloss.Renderer) error { return benchText(b, r, perSessionResult()) })
	visit := render(func(b *bytes.Buffer, r *lipgloss.Renderer) error { return visitText(b, r, demoVisit()) })

	good := map[string]string{
		"decode valid":      ansiBefore(t, decoded, "valid"),
		"bench CONSISTENT":  ansiBefore(t, bench, "CONSISTENT"),
		"visit 201 Created": ansiBefore(t, visit, "201 Created"),
	}
	bad := map[string]string{
		"decode invalid": ansiBefore(t, decoded, "invalid"),
		"bench errors":   ansiBefore(t, render(func(b *bytes.Buffer, r *lipgloss.Renderer) error { return benchText(b, r, sharedLossResult()) }), "INCONSISTENT"),
	}
	for _, set := range []map[string]string{good, bad} {
		var first string
		for k, v := range set {
			if first == "" {
				first = v
			}
			if v != first {
				t.Errorf("%s is styled %q, the others %q: %v", k, v, first, set)
			}
		}
	}
	checkGolden(t, "decode", "text.ansi", decoded)
}
