package root

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

// run runs tribe-token in-process, as Run does, with inv's environment and
// stdin.
func run(t *testing.T, inv cmdtest.Invocation) cmdtest.Outcome {
	t.Helper()
	return cmdtest.RunTree(t, NewCmdRoot, inv)
}

// args is a shorthand for a command line.
func args(a ...string) []string { return a }

// commandPaths lists every command of the tree, the root's as empty.
func commandPaths() [][]string {
	f, _, _ := cmdtest.Factory(nil, "")
	var paths [][]string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		paths = append(paths, strings.Fields(c.CommandPath())[1:])
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdRoot(f))
	return paths
}
