// Package refresh is "tribe-token refresh": a new access token for a
// refresh token at the community's v1 token endpoint, keeping the new
// refresh token Tribe rotates in.
package refresh

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/safefile"
)

// Options are refresh's inputs.
type Options struct {
	Factory *cmdutil.Factory

	App              cmdutil.AppFlags
	OAuth            grantflags.OAuthFlags
	RefreshTokenFile string
}

// NewCmdRefresh builds "refresh". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdRefresh(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "refresh --community URL",
		Short:      "Trade a refresh token for a new access token",
		SuggestFor: []string{"renew", "refresh-token"},
		Long: `Trade a refresh token (from "password" or "exchange" with --with-refresh-token)
for a new access token at the community's v1 token endpoint.

Tribe rotates refresh tokens: the answer carries a new one and the old one
stops working. So the new refresh token is never lost:
  - with --refresh-token-file FILE, FILE is replaced with the new one
    (atomically, mode 0600; never through a symlink: give the real file's
    path). FILE must be writable: that is checked before the old token is
    sent. Should writing it still fail, the new refresh token is printed on
    stdout (in the --output format; with the token output, on a second line)
    and the exit status is 1;
  - with TRIBE_REFRESH_TOKEN or stdin, --with-refresh-token (and --output json
    or env) is required, so that the new one is printed.`,
		Example: `  export TRIBE_COMMUNITY_URL=https://community.example.com
  tribe-token password --username alice -o json --with-refresh-token \
    | jq -r .refresh_token > refresh.txt
  tribe-token refresh --refresh-token-file refresh.txt
  eval "$(tribe-token refresh -o env --with-refresh-token)"   # TRIBE_REFRESH_TOKEN`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, refreshRun),
	}
	cmd.Flags().StringVar(&opts.RefreshTokenFile, "refresh-token-file", "", "read the refresh token from `FILE`, and write the new one back (- for stdin; default $TRIBE_REFRESH_TOKEN)")
	opts.App.Add(cmd)
	opts.OAuth.Add(cmd)
	return cmd
}

// inPlace reports whether the new refresh token is written back to the
// file the old one came from.
func (o *Options) inPlace() bool { return o.RefreshTokenFile != "" && o.RefreshTokenFile != "-" }

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.OAuth.Validate(); err != nil {
		return err
	}
	if !o.inPlace() && !o.OAuth.WithRefresh {
		return cmdutil.Usagef("Tribe rotates refresh tokens, so the new one must be kept: pass --refresh-token-file FILE (rewritten in place), or --with-refresh-token with --output json or env")
	}
	return nil
}

// refreshRun trades the refresh token, keeps the new one and prints the
// token.
func refreshRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	conf, err := opts.OAuth.Config(f, &opts.App, true)
	if err != nil {
		return err
	}
	spec := cmdutil.SecretSpec{What: "refresh token", EnvVar: "TRIBE_REFRESH_TOKEN", FileArg: "refresh-token-file", File: opts.RefreshTokenFile}
	rt, err := f.Secret(spec)
	if err != nil {
		return err
	}
	if err := cmdutil.CheckBare("refresh token", spec.Source(), rt); err != nil {
		return err
	}
	file := opts.RefreshTokenFile
	if opts.inPlace() {
		// The refresh spends the token: make sure the new one can be
		// kept before asking for it.
		if err := safefile.CheckWritable(file); err != nil {
			return cmdutil.Usagef("cannot write the new refresh token to %s (%w); nothing was sent, and the refresh token in it still works", file, err)
		}
	}
	tok, err := conf.Refresh(ctx, rt)
	if err != nil {
		return grantflags.GrantError(err, "the refresh token is expired, revoked or already used (each works once); get a new one with 'tribe-token password' or 'exchange'")
	}
	if opts.inPlace() && tok.RefreshToken != "" && tok.RefreshToken != rt {
		if err := safefile.WriteFile(file, []byte(tok.RefreshToken+"\n"), 0o600); err != nil {
			out := cmdutil.NewTokenOutput(tok, "refreshed token")
			return f.WriteUnsaved(opts.OAuth.Output, out, tok.RefreshToken, file, err)
		}
	}
	return opts.OAuth.Write(f, tok, "refreshed token")
}
