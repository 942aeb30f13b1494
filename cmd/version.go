package cmd

import (
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/report"
)

func newVersionCmd(streams *report.Streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print sessctl's version from the build info",
		Example: "  sessctl version",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return report.Version(streams, versionLine(version()))
		},
	}
}

// versionLine is what `sessctl version` and `sessctl --version` print for
// version v.
func versionLine(v string) string { return "sessctl " + v }

// version is the module version, or the VCS revision for a build from a
// checkout, or "(devel)".
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "(devel) " + rev + dirty + " " + info.GoVersion
	}
	return v + " " + info.GoVersion
}
