package report

import "fmt"

// ServeDemoListening tells where serve-demo listens: the URL alone on stdout,
// so a script can read it, and a hint on stderr.
func ServeDemoListening(s *Streams, url string) {
	fmt.Fprintln(s.Out, url)
	fmt.Fprintf(s.ErrOut, "serve-demo listening on %s (Ctrl-C to stop)\n", url)
}

// BenchMetricsServing tells on s.ErrOut where bench serves its metrics
// (--metrics-addr) while the run lasts.
func BenchMetricsServing(s *Streams, url string) {
	fmt.Fprintf(s.ErrOut, "metrics of the run on %s while it lasts\n", url)
}
