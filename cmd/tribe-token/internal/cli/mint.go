package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
)

// appFlags are the flags that give a Tribe app's credentials.
type appFlags struct {
	clientID   string
	secretFile string
}

// add registers --client-id and --client-secret-file on cmd.
func (f *appFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.clientID, "client-id", "", "app's client id (default $TRIBE_CLIENT_ID)")
	cmd.Flags().StringVar(&f.secretFile, "client-secret-file", "", "read the app's client secret from `FILE` (- for stdin; default $TRIBE_CLIENT_SECRET)")
}

// credentials returns the client id and secret from the flags and the
// environment.
func (f *appFlags) credentials(e *env) (id, secret string, err error) {
	id = f.clientID
	if id == "" {
		id = e.getenv("TRIBE_CLIENT_ID")
	}
	if id == "" {
		return "", "", usagef("no client id: set TRIBE_CLIENT_ID, or pass --client-id")
	}
	secret, err = e.secret(secretSpec{what: "client secret", envVar: "TRIBE_CLIENT_SECRET", fileArg: "client-secret-file", file: f.secretFile})
	return id, secret, err
}

// newMintCmd builds "mint".
func (e *env) newMintCmd() *cobra.Command {
	var (
		app                        appFlags
		ep                         endpointFlags
		network, member, pctx, ent string
		output                     string
		insecure                   bool
	)
	cmd := &cobra.Command{
		Use:   "mint --network ID [--member ID]",
		Short: "Mint an app access token for the bot or a member",
		Long: `Mint an access token with Tribe's limitedToken query, authenticated with the
app's client id and secret: for the app's bot account (which may do all a
community admin may do), or, with --member, acting as that member.

The app must be published and installed on the community. The client id comes
from --client-id or TRIBE_CLIENT_ID, the secret from TRIBE_CLIENT_SECRET or
--client-secret-file.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token mint --network CAx1mZ7I7a
  tribe-token mint --network CAx1mZ7I7a --member Dm12KzW34 --output json
  tribe-token mint --network CAx1mZ7I7a --region eu --client-secret-file secret.txt
  eval "$(tribe-token mint --network CAx1mZ7I7a --output env)"`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outToken, outJSON, outEnv); err != nil {
				return err
			}
			endpoint, err := ep.resolve(e, insecure, "TRIBE_ENDPOINT")
			if err != nil {
				return err
			}
			if network == "" {
				network = e.getenv("TRIBE_NETWORK_ID")
			}
			if network == "" {
				return usagef("no community: pass --network ID (the community's id), or set TRIBE_NETWORK_ID")
			}
			id := tribe.Identity{NetworkID: network, MemberID: member, EntityID: ent}
			if pctx != "" {
				if id.Context, err = tribe.ParsePermissionContext(pctx); err != nil {
					return err
				}
			}
			clientID, secret, err := app.credentials(e)
			if err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			a := &tribe.App{ClientID: clientID, ClientSecret: secret, Endpoint: endpoint, AllowInsecureHTTP: insecure, HTTPClient: e.httpClient()}
			tok, err := a.Mint(ctx, id)
			if err != nil {
				return mintError(id, err)
			}
			return writeToken(e.stdout, output, newTokenOutput(tok, id.String()))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&network, "network", "", "community (network) id; required (default $TRIBE_NETWORK_ID)")
	f.StringVar(&member, "member", "", "member id to act as (default: the app's bot account)")
	f.StringVar(&pctx, "context", "", "permission context: NETWORK (default), MEMBER, POST or SPACE")
	f.StringVar(&ent, "entity", "", "entity id for --context (default: the network id)")
	_ = cmd.RegisterFlagCompletionFunc("context", cobra.FixedCompletions([]string{"NETWORK", "MEMBER", "POST", "SPACE"}, cobra.ShellCompDirectiveNoFileComp))
	app.add(cmd)
	ep.add(cmd)
	addInsecureFlag(cmd, &insecure)
	addOutputFlag(cmd, &output, outToken, outJSON, outEnv)
	return cmd
}

// mintError adds to a failed mint (whose message already says what was
// minted) what to do about it.
func mintError(id tribe.Identity, err error) error {
	switch {
	case errors.Is(err, tribe.ErrUnauthorized):
		return withHint(err, "set TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET (or --client-secret-file) to the app's credentials, and check the endpoint or --region")
	case errors.Is(err, tribe.ErrForbidden):
		return withHint(err, fmt.Sprintf("is the app published and installed on community %s?", id.NetworkID))
	case errors.Is(err, tribe.ErrNotFound) && !id.IsBot():
		return withHint(err, fmt.Sprintf("is %s a member of community %s?", id.MemberID, id.NetworkID))
	}
	return err
}
