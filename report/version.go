package report

import "fmt"

// Version prints line, what `sessctl version` says, on s.Out.
func Version(s *Streams, line string) error {
	_, err := fmt.Fprintln(s.Out, line)
	return err
}
