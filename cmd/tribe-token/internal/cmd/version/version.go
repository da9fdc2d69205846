// Package version is "tribe-token version": the tool's version, VCS
// revision and Go version, read from the binary's build information.
package version

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// Info is what the binary knows of its own build.
type Info struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	// Platform is GOOS/GOARCH, e.g. linux/amd64.
	Platform string `json:"platform"`
}

// BuildInfo reads the module version, VCS revision and Go version from the
// binary's build information.
func BuildInfo() Info {
	v := Info{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
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

// Options are version's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Output string
}

// NewCmdVersion builds "version". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the tool's version, VCS revision and Go version",
		Long: `Show the tool's version, VCS revision (and whether the tree was modified),
commit time, Go version and platform. --output text (the default; table is its
old name) prints them as a table, json as one JSON object with the same fields:
version, revision, time, modified, go and platform.`,
		Example: "  tribe-token version\n  tribe-token version -o json",
		Args:    cmdutil.NoArgs,
		RunE:    cmdutil.RunLocal(f, opts, nil, runF, versionRun),
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutTable, cmdutil.OutJSON)
	return cmd
}

// versionRun prints the build information.
func versionRun(opts *Options) error {
	w := opts.Factory.Out
	v := BuildInfo()
	if opts.Output == cmdutil.OutJSON {
		return cmdutil.WriteJSON(w, v)
	}
	var t text.Table
	t.Add("version", v.Version)
	rev := v.Revision
	if rev != "" && v.Modified {
		rev += " (modified)"
	}
	t.Add("revision", rev)
	t.Add("commit time", v.Time)
	t.Add("go", v.Go)
	t.Add("platform", v.Platform)
	return t.Write(w)
}
