// Package token is "tribe-token crm token": a Tribe CRM access token, the
// stored one (refreshed when expired), one for client credentials, or one
// from a refresh token copied from the CRM.
package token

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/crm"
)

// Options are crm token's inputs.
type Options struct {
	Factory *cmdutil.Factory

	CRM              shared.Flags
	Grant            string
	RefreshTokenFile string
	WithRefresh      bool
	Output           string
}

// NewCmdToken builds "crm token". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdToken(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "token [--grant stored|client-credentials|refresh-token]",
		Short:      "Print a Tribe CRM access token",
		SuggestFor: []string{"mint", "get", "access-token"},
		Long: `Print a Tribe CRM access token, by --grant:

  stored              (default) the token in the token file (--store), refreshed
                      and saved again when it has expired, with the redirect
                      URL recorded beside it in STORE.meta.json (no secret
                      in it); see 'crm login'
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
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, tokenRun),
	}
	opts.CRM.Add(cmd)
	cmd.Flags().StringVar(&opts.Grant, "grant", shared.GrantStored, "how to get the token: stored, client-credentials or refresh-token")
	cmd.Flags().StringVar(&opts.RefreshTokenFile, "refresh-token-file", "", "read the refresh token for --grant refresh-token from `FILE` (- for stdin; default $TRIBE_CRM_REFRESH_TOKEN)")
	cmd.Flags().BoolVar(&opts.WithRefresh, "with-refresh-token", false, "also print the refresh token (json and env output only)")
	_ = cmd.RegisterFlagCompletionFunc("grant", cobra.FixedCompletions([]string{shared.GrantStored, shared.GrantClientCredentials, shared.GrantRefreshToken}, cobra.ShellCompDirectiveNoFileComp))
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutToken, cmdutil.OutJSON, cmdutil.OutEnv)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if o.WithRefresh && o.Output == cmdutil.OutToken {
		return cmdutil.Usagef("--with-refresh-token needs --output json or env; the token output is the access token alone")
	}
	switch o.Grant {
	case shared.GrantStored, shared.GrantClientCredentials:
	case shared.GrantRefreshToken:
		if o.CRM.RedirectURL == "" {
			return cmdutil.Usagef("--grant refresh-token needs --redirect-url: the application's registered redirect URL, which the CRM wants with every refresh")
		}
	default:
		return cmdutil.Usagef("unknown --grant %q; use stored, client-credentials or refresh-token", text.Clip(o.Grant))
	}
	return o.CRM.Validate()
}

// tokenRun gets the token by the grant asked for and prints it.
func tokenRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	cf := &opts.CRM
	if err := cf.CheckURLs(f, shared.UseToken); err != nil {
		return err
	}
	var (
		tok      *oauth2.Token
		identity string
		path     string
		err      error
	)
	switch opts.Grant {
	case shared.GrantStored:
		var ts oauth2.TokenSource
		if ts, path, err = cf.StoredSource(ctx, f); err != nil {
			return err
		}
		tok, err = ts.Token()
		identity = "crm user (token file " + path + ")"
	case shared.GrantClientCredentials:
		var cfg *crm.Config
		if cfg, err = cf.Config(f, true); err != nil {
			return err
		}
		var ts oauth2.TokenSource
		if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
			return err
		}
		tok, err = ts.Token()
		identity = "crm application " + cfg.ClientID
	case shared.GrantRefreshToken:
		var cfg *crm.Config
		if cfg, err = cf.Config(f, true); err != nil {
			return err
		}
		if path, err = cf.StorePath(); err != nil {
			return err
		}
		rt, serr := f.Secret(cmdutil.SecretSpec{What: "CRM refresh token", EnvVar: "TRIBE_CRM_REFRESH_TOKEN", FileArg: "refresh-token-file", File: opts.RefreshTokenFile})
		if serr != nil {
			return serr
		}
		// Quick setup spends the refresh token: make sure the new one can
		// be saved before sending it.
		if err := shared.CheckStoreWritable(path); err != nil {
			return cmdutil.Usagef("cannot save the token to %s (%w); nothing was sent, and the refresh token still works", path, err)
		}
		identity = "crm user (token file " + path + ")"
		tok, err = cfg.QuickSetup(ctx, rt, crm.FileStore{Path: path})
		if tok != nil && err != nil {
			return f.WriteUnsaved(opts.Output, output(tok, identity, false), tok.RefreshToken, path, err)
		}
		if err == nil {
			if merr := shared.SaveMeta(path, shared.Meta{RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes}); merr != nil {
				// The token is saved; only its redirect URL is not.
				if werr := cmdutil.WriteToken(f.Out, opts.Output, output(tok, identity, opts.WithRefresh)); werr != nil {
					return werr
				}
				return cmdutil.WithHint(merr, fmt.Sprintf("the token is saved to %s, but refreshing it will need --redirect-url", path))
			}
		}
	}
	if err != nil {
		return shared.Error(err, path)
	}
	return cmdutil.WriteToken(f.Out, opts.Output, output(tok, identity, opts.WithRefresh))
}

// output describes a CRM token, with its refresh token if withRefresh.
func output(tok *oauth2.Token, identity string, withRefresh bool) cmdutil.TokenOutput {
	out := cmdutil.NewTokenOutput(tok, identity)
	out.EnvVar = "TRIBE_CRM_TOKEN"
	out.RefreshEnvVar = "TRIBE_CRM_REFRESH_TOKEN"
	if withRefresh {
		out.RefreshToken = tok.RefreshToken
	}
	return out
}
