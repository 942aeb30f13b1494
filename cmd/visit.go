package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

type visitOptions struct{}

// Placeholder until the visit command lands.
func newVisitCmd(streams *report.Streams, runF func(*visitOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "visit",
		Short:  "(not yet implemented)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("visit: not implemented yet") },
	}
}
