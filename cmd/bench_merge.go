package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/report"
)

type benchMergeOptions struct {
	// Files are the agents' result files (bench --result).
	Files  []string
	Output string
	// HTML is where to write the HTML report too (--html); "" none.
	HTML string
	// LatencySpectrum prints the full percentile distribution after the
	// text view, as bench's.
	LatencySpectrum bool
}

func newBenchMergeCmd(streams *report.Streams, runF func(context.Context, *benchMergeOptions) error) *cobra.Command {
	opts := &benchMergeOptions{}
	c := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Print the report of a whole test from its agents' result files",
		Long: `merge reads the result files that the agents of one test wrote (bench --segment
I/N --result FILE) and prints the report one run of the whole test would have
given, as bench prints it: counts and errors summed, throughput over the union
of the agents' time, latencies from the merged HDR histograms, the series on
absolute seconds, the session checks summed and, in --shared mode, the
duplicates and lost updates from the union of the counter values the agents saw
and their probes (see the README's "The result file"). Thresholds the agents had
are checked again, and the verdict is decided again. -o html prints bench's HTML
report of the whole test instead, and --html FILE writes it to FILE as well.

It refuses, with exit status 2 and the files named: a file that is not a result
file (or of another version), a damaged histogram or bitmap, files of different
tests (test ids), segments that overlap, and a part of the test no file ran.

Exit status: as bench's: 0 CONSISTENT with every threshold held; 1 INCONSISTENT
or a threshold failed; 2 as above, or when an agent's target went away or
nothing succeeded; 130 when interrupted.`,
		Example: `  sessctl bench merge agent0.json agent1.json agent2.json
  sessctl bench merge results/*.json -o json | jq .consistency
  sessctl bench merge results/*.json --html whole.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if err := checkBenchOutput(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runBenchMerge(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, or html (bench's HTML report on stdout)")
	completeValues(c, "output", "table", "json", "html")
	f.StringVar(&opts.HTML, "html", "", "also write the HTML report to `FILE`, atomically")
	f.BoolVar(&opts.LatencySpectrum, "latency-spectrum", false, "print the full latency percentile distribution after the results (always in -o json)")
	return c
}

func runBenchMerge(ctx context.Context, streams *report.Streams, opts *benchMergeOptions) error {
	files := make([]*bench.ResultFile, 0, len(opts.Files))
	for _, path := range opts.Files {
		f, err := bench.ReadResultFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(path, "*?[") {
				err = fmt.Errorf("%w (a pattern that matched no file, which the shell passes as it is)", err)
			}
			return fmt.Errorf("bench merge: %w", err)
		}
		files = append(files, f)
	}
	res, err := bench.Merge(files)
	if err != nil {
		return fmt.Errorf("bench %w", err)
	}
	if err := writeBenchReport(streams, opts.Output, opts.HTML, opts.LatencySpectrum, res); err != nil {
		return err
	}
	// An agent's Ctrl-C is not this merge's: its share is short, which is
	// trouble, not an interrupt.
	for _, f := range files {
		if f.Result.Interrupted {
			return fmt.Errorf("bench merge: %s: that agent was interrupted, its share of the test is incomplete", f.Path())
		}
	}
	return benchOutcome(ctx, res)
}
