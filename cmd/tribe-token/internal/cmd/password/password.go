// Package password is "tribe-token password": a user's token from their
// username and password, with the OAuth2 password grant at the community's
// v1 token endpoint.
package password

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// Options are password's inputs.
type Options struct {
	Factory *cmdutil.Factory

	App          cmdutil.AppFlags
	OAuth        grantflags.OAuthFlags
	Username     string
	PasswordFile string
}

// NewCmdPassword builds "password". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdPassword(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "password --community URL --username NAME",
		Short:      "Get a user's token with the OAuth2 password grant",
		SuggestFor: []string{"login", "signin", "sign-in"},
		Long: `Get a token for a user from their username (or email) and password with the
OAuth2 password grant at the community's v1 token endpoint (URL/api/v1/oauth/token).

The password comes from TRIBE_PASSWORD or --password-file; the app's client id
and secret from TRIBE_CLIENT_ID / --client-id and TRIBE_CLIENT_SECRET /
--client-secret-file.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  TRIBE_PASSWORD=... tribe-token password --community https://community.example.com --username alice
  tribe-token password --token-url http://127.0.0.1:8080/api/v1/oauth/token --username alice --password-file - < pw.txt
  tribe-token password --community https://community.example.com --username alice -o json --with-refresh-token`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.OAuth.Validate, runF, passwordRun),
	}
	cmd.Flags().StringVar(&opts.Username, "username", "", "the user's username or email; required")
	cmd.Flags().StringVar(&opts.PasswordFile, "password-file", "", "read the password from `FILE` (- for stdin; default $TRIBE_PASSWORD)")
	opts.App.Add(cmd)
	opts.OAuth.Add(cmd)
	return cmd
}

// passwordRun trades the username and password for a token and prints it.
func passwordRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	switch {
	case strings.TrimSpace(opts.Username) == "":
		return cmdutil.Usagef("no username: pass --username NAME (a username or an email)")
	case opts.Username != strings.TrimSpace(opts.Username) || cmdutil.HasControl(opts.Username):
		return cmdutil.Usagef("--username %q has spaces or control characters around or in it; give it bare", text.Clip(opts.Username))
	}
	conf, err := opts.OAuth.Config(f, &opts.App, false)
	if err != nil {
		return err
	}
	password, err := f.Secret(cmdutil.SecretSpec{What: "password", EnvVar: "TRIBE_PASSWORD", FileArg: "password-file", File: opts.PasswordFile})
	if err != nil {
		return err
	}
	tok, err := conf.PasswordToken(ctx, opts.Username, password)
	if err != nil {
		return grantflags.GrantError(err, "the password is read from TRIBE_PASSWORD or --password-file")
	}
	return opts.OAuth.Write(f, tok, "user "+opts.Username)
}
