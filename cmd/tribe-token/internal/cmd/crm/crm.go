// Package crm is "tribe-token crm", the group of the commands for Tribe CRM
// (tribecrm.nl), a separate product: token (package crm/token), login
// (package crm/login) and whoami (package crm/whoami).
package crm

import (
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/login"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/token"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// NewCmdCRM builds "crm" and its subcommands.
func NewCmdCRM(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "crm",
		Short: "Tokens for Tribe CRM (tribecrm.nl), a separate product",
		Long: `Tribe CRM (tribecrm.nl) is another product of the same name, with a standard
OAuth 2.0 server. These commands get and keep its tokens:

  crm login    authorization code flow through your browser; the token is kept
               in a file (--store) and refreshed from it
  crm token    print an access token: the stored one (refreshed when expired),
               one for client credentials, or one from a refresh token copied
               from the CRM (quick setup)
  crm whoami   the CRM user the token acts as (GetCurrentEmployee)

The CRM rotates refresh tokens: each refresh replaces the old one, and the new
one is saved to the token file before it is used.`,
		Example: `  export TRIBE_CRM_CLIENT_ID=... TRIBE_CRM_CLIENT_SECRET=...
  tribe-token crm login --open
  tribe-token crm whoami
  curl -H "Authorization: Bearer $(tribe-token crm token)" https://api.tribecrm.nl/v1/odata/Relation_Person`,
		Args: cmdutil.GroupArgs,
		RunE: f.RunE(cmdutil.GroupRun),
	}
	cmd.AddCommand(token.NewCmdToken(f, nil), login.NewCmdLogin(f, nil), whoami.NewCmdWhoami(f, nil))
	return cmd
}
