// Package jwt is "tribe-token jwt", the group of the commands for Tribe's
// JWT passthrough: sign (package jwt/sign) and check (package jwt/check).
package jwt

import (
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/jwt/check"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/jwt/sign"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// NewCmdJWT builds "jwt" and its subcommands.
func NewCmdJWT(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jwt",
		Short: "Sign and check JWTs for Tribe's JWT passthrough",
		Long: `A product that issues its own JWTs can send them to Tribe as Bearer tokens once
the "JWT Authorization" app is installed; Tribe checks the signature with the
product's key and acts for the user named by sub, name and email.

"jwt sign" signs such a JWT (for tests, or for a product that has no JWTs of
its own yet); "jwt check" tells whether Tribe can take a JWT.`,
		Example: `  tribe-token jwt sign --hs256-secret-file secret.txt --sub u-42 --name "Ada L" --email ada@example.com
  tribe-token jwt sign --private-key-file key.pem --sub u-42 --name Ada --email ada@example.com | tribe-token jwt check --token-file -`,
		Args: cmdutil.GroupArgs,
		RunE: f.RunE(cmdutil.GroupRun),
	}
	cmd.AddCommand(sign.NewCmdSign(f, nil), check.NewCmdCheck(f, nil))
	return cmd
}
