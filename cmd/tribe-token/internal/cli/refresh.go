package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
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
  - with --refresh-token-file FILE, FILE is rewritten with the new one;
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
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			g := &tribe.RefreshGrant{CommunityURL: community, TokenURL: tokenURL, ClientID: id, ClientSecret: secret, RefreshToken: rt}
			tok, err := g.Token(ctx)
			if err != nil {
				return grantError(err, "the refresh token is expired, revoked or already used (each works once); get a new one with 'tribe-token password' or 'exchange'")
			}
			if inPlace && tok.RefreshToken != "" && tok.RefreshToken != rt {
				if err := replaceFile(rtFile, tok.RefreshToken+"\n"); err != nil {
					return fmt.Errorf("saving the new refresh token (the old one no longer works) to %s: %w", rtFile, err)
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

// replaceFile replaces path's content atomically: a temporary file in the
// same directory, synced, then renamed over path, with mode 0600.
func replaceFile(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
