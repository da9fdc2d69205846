package cli

import (
	"github.com/spf13/cobra"
)

// newRefreshCmd builds "refresh".
func (e *env) newRefreshCmd() *cobra.Command {
	var (
		app    appFlags
		of     oauthFlags
		rtFile string
	)
	cmd := &cobra.Command{
		Use:   "refresh --community URL",
		Short: "Trade a refresh token for a new access token",
		Long: `Trade a refresh token (from "password" or "exchange" with --with-refresh-token)
for a new access token at the community's v1 token endpoint.

Tribe rotates refresh tokens: the answer carries a new one and the old one
stops working. So the new refresh token is never lost:
  - with --refresh-token-file FILE, FILE is rewritten with the new one
    (atomically; if FILE is a symlink, the file it points at). FILE must be
    writable: that is checked before the old token is sent. Should writing it
    still fail, the new refresh token is printed on stdout (in the --output
    format; with the token output, on a second line) and the exit status is 1;
  - with TRIBE_REFRESH_TOKEN or stdin, --with-refresh-token (and --output json
    or env) is required, so that the new one is printed.`,
		Example: `  tribe-token password --community https://community.example.com --username alice -o json --with-refresh-token \
    | jq -r .refresh_token > refresh.txt
  tribe-token refresh --community https://community.example.com --refresh-token-file refresh.txt
  eval "$(tribe-token refresh --community https://community.example.com -o env --with-refresh-token)"`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := of.check(); err != nil {
				return err
			}
			inPlace := rtFile != "" && rtFile != "-"
			if !inPlace && !of.withRefresh {
				return usagef("Tribe rotates refresh tokens, so the new one must be kept: pass --refresh-token-file FILE (rewritten in place), or --with-refresh-token with --output json or env")
			}
			community, tokenURL, err := of.endpoint(e)
			if err != nil {
				return err
			}
			id, secret, err := app.credentials(e)
			if err != nil {
				return err
			}
			rt, err := e.secret(secretSpec{what: "refresh token", envVar: "TRIBE_REFRESH_TOKEN", fileArg: "refresh-token-file", file: rtFile})
			if err != nil {
				return err
			}
			if inPlace {
				// The refresh spends the token: make sure the new one can
				// be kept before asking for it.
				if err := checkWritable(rtFile); err != nil {
					return usagef("cannot write the new refresh token to %s (%w); nothing was sent, and the refresh token in it still works", rtFile, err)
				}
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			tok, err := of.config(e, community, tokenURL, id, secret).Refresh(ctx, rt)
			if err != nil {
				return grantError(err, "the refresh token is expired, revoked or already used (each works once); get a new one with 'tribe-token password' or 'exchange'")
			}
			if inPlace && tok.RefreshToken != "" && tok.RefreshToken != rt {
				if err := replaceFile(rtFile, tok.RefreshToken+"\n"); err != nil {
					out := newTokenOutput(tok, "refreshed token")
					return e.writeUnsaved(of.output, out, tok.RefreshToken, rtFile, err)
				}
			}
			return of.write(e, tok, "refreshed token")
		}),
	}
	cmd.Flags().StringVar(&rtFile, "refresh-token-file", "", "read the refresh token from `FILE`, and write the new one back (- for stdin; default $TRIBE_REFRESH_TOKEN)")
	app.add(cmd)
	of.add(cmd)
	return cmd
}
