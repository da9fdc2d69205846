package root

import (
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// environmentLong is "tribe-token help environment": every variable the
// commands read, as docs/tribe-token.md lists them.
const environmentLong = `The environment variables tribe-token reads. A flag given on the command line
wins over its variable; an empty flag (--network "") is an error, not a fall
back to the variable.

  TRIBE_CLIENT_ID          the app's client id (mint, api, schema pull, password,
                           exchange, refresh); --client-id overrides
  TRIBE_CLIENT_SECRET      the app's client secret; --client-secret-file overrides
  TRIBE_NETWORK_ID         the community id for mint, api and schema pull;
                           --network overrides
  TRIBE_ENDPOINT           the GraphQL endpoint for mint, whoami, api and schema
                           pull; --endpoint, --region override
  TRIBE_COMMUNITY_URL      the community URL for password, exchange, refresh;
                           --community, --token-url override
  TRIBE_TOKEN              an access token for whoami, api, schema pull, decode,
                           jwt check; --token-file overrides
  TRIBE_CACHE_URL          the Redis that mint and api share minted tokens
                           through (redis://, rediss://); --cache overrides
  TRIBE_CACHE_KEY          the key tokens are encrypted with in that Redis (head
                           -c 32 /dev/urandom | base64); --cache-key-file overrides
  TRIBE_GATEWAY_URL        the endpoint a token is sent to first (set by "mint
                           --output env"), if it belongs to the token
  TRIBE_GATEWAY_FOR        the fingerprint of the token TRIBE_GATEWAY_URL belongs
                           to (set beside it); a gateway of another token is not
                           used
  TRIBE_PASSWORD           a user's password for password; --password-file
                           overrides
  TRIBE_REFRESH_TOKEN      a refresh token for refresh; --refresh-token-file
                           overrides
  TRIBE_CRM_CLIENT_ID      the Tribe CRM application's client id; --client-id
                           overrides
  TRIBE_CRM_CLIENT_SECRET  the Tribe CRM application's secret;
                           --client-secret-file overrides
  TRIBE_CRM_REFRESH_TOKEN  a Tribe CRM refresh token for "crm token --grant
                           refresh-token"; --refresh-token-file overrides
  TRIBE_CRM_TOKEN          a Tribe CRM access token for "crm whoami"; --token-file
                           overrides
  TRIBE_CRM_BASE_URL       one base URL for the CRM's OAuth and API (a mock);
                           --base-url overrides
  TRIBE_WEBHOOK_SECRET     the webhook signing secret for webhook listen, send and
                           verify; --secret-file overrides
  TRIBE_MOCK_ADMIN         the mock's admin API (set by "mock --admin --output
                           env"), without a trailing slash
  COLUMNS                  the width help is wrapped at when stdout is not a
                           terminal (80 if unset)`

// newCmdEnvironment is "environment": the environment variables, as
// "tribe-token help environment" or "tribe-token environment" shows them.
func newCmdEnvironment(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "environment",
		Short: "Show the environment variables tribe-token reads",
		Long:  environmentLong,
		Example: `  tribe-token help environment
  tribe-token environment | grep CACHE`,
		Args: cmdutil.NoArgs,
		RunE: f.RunE(func(cmd *cobra.Command, _ []string) error {
			f.Println(cmdutil.Reflow(environmentLong, f.Width()))
			return nil
		}),
	}
}
