// Package exchange is "tribe-token exchange": any user's token from the
// app's client secret, with Tribe's grant tribe:client_secret_credentials.
package exchange

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/grant"
)

// Options are exchange's inputs.
type Options struct {
	Factory *cmdutil.Factory

	App        cmdutil.AppFlags
	OAuth      grantflags.OAuthFlags
	Email      string
	UserID     string
	ExternalID string
}

// NewCmdExchange builds "exchange". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdExchange(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "exchange --community URL (--email ADDR | --user-id ID | --external-id ID)",
		Short:      "Get any user's token with the app's client secret",
		SuggestFor: []string{"user-token", "client-credentials", "impersonate"},
		Long: `Get a token for any user of a community with Tribe's grant
tribe:client_secret_credentials at the v1 token endpoint: the app's client id
and secret, and exactly one of --email, --user-id (Tribe's member id) or
--external-id (your product's id for the user).`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token exchange --community https://community.example.com --email alice@example.com
  tribe-token exchange --community https://community.example.com --external-id u-42 -o env`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, exchangeRun),
	}
	cmd.Flags().StringVar(&opts.Email, "email", "", "the user's email address")
	cmd.Flags().StringVar(&opts.UserID, "user-id", "", "the user's Tribe member id")
	cmd.Flags().StringVar(&opts.ExternalID, "external-id", "", "the user's id in your product")
	opts.App.Add(cmd)
	opts.OAuth.Add(cmd)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.OAuth.Validate(); err != nil {
		return err
	}
	var given []string
	for _, u := range []struct{ flag, v string }{{"--email", o.Email}, {"--user-id", o.UserID}, {"--external-id", o.ExternalID}} {
		if u.v == "" {
			continue
		}
		given = append(given, u.flag)
		if u.v != strings.TrimSpace(u.v) || cmdutil.HasControl(u.v) {
			return cmdutil.Usagef("%s %q has spaces or control characters around or in it; give it bare", u.flag, text.Clip(u.v))
		}
	}
	switch len(given) {
	case 0:
		return cmdutil.Usagef("name the user: give one of --email, --user-id or --external-id")
	case 1:
	default:
		return cmdutil.Usagef("give only one of --email, --user-id or --external-id, not %s", strings.Join(given, " and "))
	}
	if o.Email != "" && !strings.Contains(o.Email, "@") {
		return cmdutil.Usagef("--email %q is not an email address; give one like user@example.com, or use --user-id or --external-id", text.Clip(o.Email))
	}
	return nil
}

// exchangeRun trades the client secret for the user's token and prints it.
func exchangeRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	conf, err := opts.OAuth.Config(f, &opts.App, false)
	if err != nil {
		return err
	}
	tok, err := conf.UserToken(ctx, grant.User{Email: opts.Email, UserID: opts.UserID, ExternalID: opts.ExternalID})
	if err != nil {
		return grantflags.GrantError(err, "is the user a member of the community?")
	}
	who := "email " + opts.Email
	switch {
	case opts.UserID != "":
		who = "user " + opts.UserID
	case opts.ExternalID != "":
		who = "external id " + opts.ExternalID
	}
	return opts.OAuth.Write(f, tok, who)
}
