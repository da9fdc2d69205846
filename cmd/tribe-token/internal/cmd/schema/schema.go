// Package schema is "tribe-token schema", the group of the commands for
// Tribe's GraphQL schema: pull (package schema/pull).
package schema

import (
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/schema/pull"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// NewCmdSchema builds "schema" and its subcommands.
func NewCmdSchema(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:        "schema",
		Short:      "Get Tribe's GraphQL schema",
		SuggestFor: []string{"introspect", "sdl", "introspection"},
		Long: `Get the GraphQL schema an endpoint serves (Tribe's, a region's or the mock's),
as SDL for genqlient or any other code generator.`,
		Example: `  tribe-token schema pull --network CAx1mZ7I7a --file schema.graphql
  tribe-token schema pull --anonymous --endpoint http://127.0.0.1:4000/graphql`,
		Args: cmdutil.GroupArgs,
		RunE: f.RunE(cmdutil.GroupRun),
	}
	cmd.AddCommand(pull.NewCmdPull(f, nil))
	return cmd
}
