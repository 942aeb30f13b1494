// Package cmd is sessctl's command line: Cobra commands that turn flags into
// options and make one call into client, cookie, demo or report. Main is the
// single place where errors become exit codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

// Exit codes, as diff and grep have them.
const (
	ExitOK          = 0   // success
	ExitCheckFailed = 1   // a check said no: bad signature, inconsistent counter
	ExitTrouble     = 2   // usage, bad input, unreachable server
	ExitInterrupted = 130 // SIGINT or SIGTERM
)

// CheckFailedError is returned by a command whose run worked but whose check
// said no; it maps to exit code 1. The result has already been printed, so
// Msg is a one-line summary for stderr; empty prints nothing more.
type CheckFailedError struct{ Msg string }

func (e *CheckFailedError) Error() string { return e.Msg }

// usageError marks bad flags or arguments (exit 2, like any trouble, but the
// message points at --help).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// NewRootCmd builds the sessctl command tree writing to streams.
func NewRootCmd(streams *report.Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "sessctl <command>",
		Short: "See and stress web sessions from outside",
		Long: `sessctl sees and stresses the session machinery of web apps from outside:
visit keeps a persistent cookie jar (curl's cookies.txt) and shows how the session
evolves; decode reads and verifies the session cookies of the major frameworks,
and sign makes them with a known secret; bench hammers an endpoint and checks the
session counter stays consistent; serve-demo runs an embedded express-session
compatible server.`,
		Example: `  sessctl visit -n 3
  sessctl serve-demo --secret s3cret &
  sessctl visit http://127.0.0.1:3000/ --jar cookies.txt
  sessctl bench -n 20000 -c 100 --shared`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	// --version prints what `sessctl version` prints; declared here so it
	// takes no -v, which reads as "verbose" beside curl's flags.
	root.SetVersionTemplate(versionLine("{{.Version}}") + "\n")
	root.Flags().Bool("version", false, "print sessctl's version")
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return &usageError{fmt.Errorf("unknown command %q (see 'sessctl --help')", args[0])}
		}
		return nil
	}
	root.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }

	root.AddCommand(
		newVisitCmd(streams, nil),
		newDecodeCmd(streams, nil),
		newBenchCmd(streams, nil),
		newServeDemoCmd(streams, nil),
		newSignCmd(streams, nil),
		newAuditCmd(streams, nil),
		newVersionCmd(streams),
	)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args, c.RunE = nil, completionShell
		}
		pointArgsToHelp(c)
	}
	return root
}

// completionShell runs for `sessctl completion [SHELL]` when SHELL is not
// one of its subcommands: help without one, a usage error naming the
// shells with one.
func completionShell(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return c.Help()
	}
	var shells []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			shells = append(shells, sub.Name())
		}
	}
	return &usageError{fmt.Errorf("completion: unknown shell %q: want %s (see '%s --help')",
		args[0], strings.Join(shells, ", "), c.CommandPath())}
}

// pointArgsToHelp wraps the argument check of c and of its subcommands so
// that a wrong number of arguments is a usage error naming the command and
// pointing at its --help: "visit: accepts at most 1 arg(s), received 2 (see
// 'sessctl visit --help')".
func pointArgsToHelp(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				name := strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
				return &usageError{fmt.Errorf("%s: %w (see '%s --help')", name, err, c.CommandPath())}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		pointArgsToHelp(sub)
	}
}

// completeValues offers values when the shell completes flag of c (no file
// names). A value ending in ":" or "/" is a prefix (file:, redis://): the
// shell adds no space after it. Each command calls it beside the flag.
func completeValues(c *cobra.Command, flag string, values ...string) {
	directive := cobra.ShellCompDirectiveNoFileComp
	for _, v := range values {
		if strings.HasSuffix(v, ":") || strings.HasSuffix(v, "/") {
			directive |= cobra.ShellCompDirectiveNoSpace
		}
	}
	if err := c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, directive)); err != nil {
		panic(fmt.Sprintf("complete --%s of %s: %v", flag, c.Name(), err)) // a flag name misspelt in cmd
	}
}

// Main runs sessctl with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	streams := report.System()
	root := NewRootCmd(streams)
	err := root.ExecuteContext(ctx)
	return ExitCode(err, ctx, streams)
}

// ExitCode maps the error a command returned to sessctl's exit code and
// prints it once to stderr as "sessctl: <err>" (report.Error).
func ExitCode(err error, ctx context.Context, streams *report.Streams) int {
	if err == nil {
		return ExitOK
	}
	var check *CheckFailedError
	switch {
	case errors.As(err, &check):
		if check.Msg != "" {
			report.Error(streams, check.Msg)
		}
		return ExitCheckFailed
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		report.Error(streams, "interrupted")
		return ExitInterrupted
	default:
		report.Error(streams, err.Error())
		return ExitTrouble
	}
}

// checkOutput is the -o/--output check of a command that prints formats:
// a usage error naming them when output is none of them.
func checkOutput(output string, formats ...string) error {
	if slices.Contains(formats, output) {
		return nil
	}
	list := strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
	return &usageError{fmt.Errorf("-o/--output must be %s, not %q", list, output)}
}
