package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

type benchReportOptions struct {
	// Files are the bench results to show, in order; Labels name them
	// (the file names unless --label).
	Files  []string
	Labels []string
	// Output is html, text or json; "" prints nothing (--html alone).
	Output string
	// HTML is the file the HTML report is written to (--html).
	HTML string
}

func newBenchReportCmd(streams *report.Streams, runF func(context.Context, *benchReportOptions) error) *cobra.Command {
	opts := &benchReportOptions{}
	c := &cobra.Command{
		Use:   "report FILE...",
		Short: "Show bench results side by side, as one HTML report",
		Long: `bench report reads the results of bench runs (what bench -o json prints, or a
result file of bench --result; - reads stdin) and shows them side by side, as
vegeta's plot does: one self-contained HTML document (inline SVG and CSS,
nothing fetched from the network) with every run's latency percentile spectrum
on one chart, the requests per second of every run on one time axis, each run's
latency percentiles and errors by class second by second on shared axes, each
run's consistency verdict with its figures, and a summary with one column per
run, labelled by its file name or --label.

The HTML goes to stdout, or with --html FILE to FILE (written atomically: a
temporary file renamed over it, through a symlink to its target). -o text
prints each run's text view, -o json a JSON array of {"label", "result"}.

Exit status: 0 when the report was written; 2 when a file is missing, is not
JSON or is not a bench result (the error names the file and what is wrong).`,
		Example: `  sessctl bench http://127.0.0.1:3000/ -d 30s -o json > before.json
  sessctl bench http://127.0.0.1:3000/ -d 30s -o json > after.json
  sessctl bench report before.json after.json > compare.html
  sessctl bench report --label memory --label redis m.json r.json --html compare.html
  sessctl bench http://127.0.0.1:3000/ -o json | sessctl bench report - -o text`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if len(opts.Labels) > 0 && len(opts.Labels) != len(opts.Files) {
				return &usageError{fmt.Errorf("bench report: %d --label for %d files: give one for each file, in order", len(opts.Labels), len(opts.Files))}
			}
			if err := checkOutput(opts.Output, "html", "text", "json"); err != nil {
				return err
			}
			if opts.HTML != "" && !c.Flags().Changed("output") {
				opts.Output = "" // --html alone: the file, nothing on stdout
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runBenchReport(streams, opts)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&opts.Labels, "label", nil, "`NAME` of a run in the legends and the summary, one for each FILE in order (default: the file names)")
	f.StringVarP(&opts.Output, "output", "o", "html", "output format: html, text or json (with --html alone: nothing on stdout)")
	completeValues(c, "output", "html", "text", "json")
	f.StringVar(&opts.HTML, "html", "", "write the HTML report to `FILE`, atomically")
	return c
}

func runBenchReport(streams *report.Streams, opts *benchReportOptions) error {
	runs := make([]report.BenchRun, len(opts.Files))
	for i, path := range opts.Files {
		res, err := report.ReadBenchFile(path, streams.In)
		if err != nil {
			return fmt.Errorf("bench report: %w", err)
		}
		runs[i] = report.BenchRun{Label: path, Result: res}
		if len(opts.Labels) > 0 {
			runs[i].Label = opts.Labels[i]
		}
	}
	if opts.HTML != "" {
		if err := report.WriteBenchHTMLFile(opts.HTML, runs); err != nil {
			return err
		}
	}
	var err error
	switch opts.Output {
	case "html":
		err = report.BenchHTML(streams.Out, runs)
	case "text":
		err = report.BenchReportText(streams, runs)
	case "json":
		err = report.BenchReportJSON(streams, runs)
	}
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	return nil
}
