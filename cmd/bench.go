package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

type benchOptions struct{}

// Placeholder until the bench command lands.
func newBenchCmd(streams *report.Streams, runF func(*benchOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "bench",
		Short:  "(not yet implemented)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("bench: not implemented yet") },
	}
}
