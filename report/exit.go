package report

import "fmt"

// Error prints msg on s.ErrOut as "sessctl: msg": the one line a run that
// failed ends with (cmd.ExitCode prints it). Control bytes are escaped, as
// an error may quote what a server or a file held; line breaks are kept.
func Error(s *Streams, msg string) {
	fmt.Fprintf(s.ErrOut, "sessctl: %s\n", escapeLines(msg))
}
