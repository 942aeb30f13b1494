package report

import (
	"bytes"
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// Streams are the three standard streams of one sessctl run, with what is
// known about them: whether each output is a terminal and whether colour is
// wanted there. Results go to Out, progress, logs and warnings to ErrOut.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// OutTTY and ErrTTY report whether Out and ErrOut are terminals.
	OutTTY bool
	ErrTTY bool
	// NoColor is true when NO_COLOR is set: plain text even on a terminal.
	NoColor bool
}

// System returns the process's own streams, with TTY detection and NO_COLOR.
func System() *Streams {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &Streams{
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		OutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		NoColor: noColor,
	}
}

// Test returns streams backed by buffers, none of them a terminal, and the
// buffers: stdin, stdout and stderr.
func Test() (s *Streams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &Streams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// renderer returns a lipgloss renderer for Out: colour only when Out is a
// terminal and NO_COLOR is unset; plain text for pipes, files and tests.
func (s *Streams) renderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(s.Out)
	if !s.OutTTY || s.NoColor {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}
