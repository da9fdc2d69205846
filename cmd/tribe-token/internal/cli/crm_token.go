package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

// newCRMTokenCmd builds "crm token".
func (e *env) newCRMTokenCmd() *cobra.Command {
	var (
		cf          crmFlags
		grant       string
		rtFile      string
		withRefresh bool
		output      string
	)
	cmd := &cobra.Command{
		Use:   "token [--grant stored|client-credentials|refresh-token]",
		Short: "Print a Tribe CRM access token",
		Long: `Print a Tribe CRM access token, by --grant:

  stored              (default) the token in the token file (--store), refreshed
                      and saved again when it has expired; see 'crm login'
  client-credentials  a token for the application's own virtual user, for
                      server-to-server jobs; nothing is stored
  refresh-token       quick setup: trade a refresh token copied from the CRM
                      (Configuration > Applications > Refresh token), from
                      TRIBE_CRM_REFRESH_TOKEN or --refresh-token-file, and save
                      the new token to the token file; needs --redirect-url.
                      The token file must be writable: that is checked before
                      the refresh token is sent. Should saving still fail, the
                      new refresh token is printed (with the token output, on
                      a second line) and the exit status is 1

The application's credentials come from TRIBE_CRM_CLIENT_ID / --client-id and
TRIBE_CRM_CLIENT_SECRET / --client-secret-file.`,
		Example: `  tribe-token crm token
  tribe-token crm token --grant client-credentials -o json
  TRIBE_CRM_REFRESH_TOKEN=... tribe-token crm token --grant refresh-token --redirect-url https://app.example.com/oauth/callback`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outToken, outJSON, outEnv); err != nil {
				return err
			}
			if withRefresh && output == outToken {
				return usagef("--with-refresh-token needs --output json or env; the token output is the access token alone")
			}
			if err := cf.checkURLs(e, useToken); err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			var (
				tok      *oauth2.Token
				identity string
				path     string
				err      error
			)
			switch grant {
			case grantStored:
				var ts oauth2.TokenSource
				if ts, path, err = cf.storedSource(ctx, e); err != nil {
					return err
				}
				tok, err = ts.Token()
				identity = "crm user (token file " + path + ")"
			case grantClientCredentials:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				var ts oauth2.TokenSource
				if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
					return err
				}
				tok, err = ts.Token()
				identity = "crm application " + cfg.ClientID
			case grantRefreshToken:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				if path, err = cf.storePath(); err != nil {
					return err
				}
				if cfg.RedirectURL == "" {
					return usagef("--grant refresh-token needs --redirect-url: the application's registered redirect URL, which the CRM wants with every refresh")
				}
				rt, serr := e.secret(secretSpec{what: "CRM refresh token", envVar: "TRIBE_CRM_REFRESH_TOKEN", fileArg: "refresh-token-file", file: rtFile})
				if serr != nil {
					return serr
				}
				// Quick setup spends the refresh token: make sure the new
				// one can be saved before sending it.
				if err := checkStoreWritable(path); err != nil {
					return usagef("cannot save the token to %s (%w); nothing was sent, and the refresh token still works", path, err)
				}
				identity = "crm user (token file " + path + ")"
				tok, err = cfg.QuickSetup(ctx, rt, crm.FileStore{Path: path})
				if tok != nil && err != nil {
					return e.writeUnsaved(output, crmTokenOutput(tok, identity, false), tok.RefreshToken, path, err)
				}
				if err == nil {
					if merr := saveMeta(path, crmMeta{RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes}); merr != nil {
						// The token is saved; only its redirect URL is not.
						if werr := writeToken(e.stdout, output, crmTokenOutput(tok, identity, withRefresh)); werr != nil {
							return werr
						}
						return withHint(merr, fmt.Sprintf("the token is saved to %s, but refreshing it will need --redirect-url", path))
					}
				}
			default:
				return usagef("unknown --grant %q; use stored, client-credentials or refresh-token", grant)
			}
			if err != nil {
				return crmError(err, path)
			}
			return writeToken(e.stdout, output, crmTokenOutput(tok, identity, withRefresh))
		}),
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&grant, "grant", grantStored, "how to get the token: stored, client-credentials or refresh-token")
	cmd.Flags().StringVar(&rtFile, "refresh-token-file", "", "read the refresh token for --grant refresh-token from `FILE` (- for stdin; default $TRIBE_CRM_REFRESH_TOKEN)")
	cmd.Flags().BoolVar(&withRefresh, "with-refresh-token", false, "also print the refresh token (json and env output only)")
	_ = cmd.RegisterFlagCompletionFunc("grant", cobra.FixedCompletions([]string{grantStored, grantClientCredentials, grantRefreshToken}, cobra.ShellCompDirectiveNoFileComp))
	addOutputFlag(cmd, &output, outToken, outJSON, outEnv)
	return cmd
}

// crmTokenOutput describes a CRM token, with its refresh token if
// withRefresh.
func crmTokenOutput(tok *oauth2.Token, identity string, withRefresh bool) tokenOutput {
	out := newTokenOutput(tok, identity)
	out.EnvVar = "TRIBE_CRM_TOKEN"
	out.RefreshEnvVar = "TRIBE_CRM_REFRESH_TOKEN"
	if withRefresh {
		out.RefreshToken = tok.RefreshToken
	}
	return out
}

// checkStoreWritable checks that the token file and the record beside it can
// be written, before a grant that spends something is sent.
func checkStoreWritable(path string) error {
	if err := checkWritable(path); err != nil {
		return err
	}
	return checkWritable(metaPath(path))
}
