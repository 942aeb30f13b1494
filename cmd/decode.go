package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

type decodeOptions struct{}

// Placeholder until the decode command lands.
func newDecodeCmd(streams *report.Streams, runF func(*decodeOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:    "decode",
		Short:  "(not yet implemented)",
		Hidden: true,
		RunE:   func(*cobra.Command, []string) error { return errors.New("decode: not implemented yet") },
	}
}
