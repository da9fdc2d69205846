package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionInfo is what the binary knows of its own build.
type versionInfo struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// buildInfo reads the module version, VCS revision and Go version from the
// binary's build information.
func buildInfo() versionInfo {
	v := versionInfo{Version: "(devel)", Go: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// newVersionCmd builds "version".
func (e *env) newVersionCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Show the tool's version, VCS revision and Go version",
		Example: "  tribe-token version\n  tribe-token version -o json",
		Args:    noArgs,
		RunE: e.runE(func(*cobra.Command, []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			v := buildInfo()
			if output == outJSON {
				return writeJSON(e.stdout, v)
			}
			var t table
			t.add("version", v.Version)
			rev := v.Revision
			if rev != "" && v.Modified {
				rev += " (modified)"
			}
			t.add("revision", rev)
			t.add("commit time", v.Time)
			t.add("go", v.Go)
			t.add("platform", fmt.Sprintf("%s/%s", runtime.GOOS, runtime.GOARCH))
			return t.write(e.stdout)
		}),
	}
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}
