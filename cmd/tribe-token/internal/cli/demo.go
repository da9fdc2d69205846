package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// newDemoCmd builds "demo".
func (e *env) newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "See it work offline: mint tokens from a built-in mock server",
		Long: `Start a mock Tribe server in this process, then do what an app does, through
the library's real client code: mint a token for the app's bot account and one
acting as a member (limitedToken with the app's client id and secret), ask the
server who each token acts as (authMember), and try a community the app is not
installed on. It prints identities, expiries and endpoints, never a token.

It needs no network, account or flags.`,
		Example: `  tribe-token demo
  go run ./cmd/tribe-token demo`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			srv, err := tribetest.Start("127.0.0.1:0")
			if err != nil {
				return fmt.Errorf("starting the mock server: %w", err)
			}
			defer srv.Close()
			app := &tribe.App{
				ClientID:     tribetest.DefaultClientID,
				ClientSecret: tribetest.DefaultClientSecret,
				Endpoint:     srv.GraphQLURL(),
			}
			tokens, err := cache.New(app, cache.Options{})
			if err != nil {
				return err
			}
			defer tokens.Close()
			w := e.stdout
			fmt.Fprintf(w, "Mock Tribe server at %s; app %s, installed on community %s.\n",
				srv.URL, tribetest.DefaultClientID, tribetest.DefaultNetworkID)
			for _, id := range []tribe.Identity{
				tribe.Bot(tribetest.DefaultNetworkID),
				tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID),
			} {
				tok, err := tokens.Token(ctx, id)
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				ts, err := tokens.TokenSource(ctx, id)
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				c, err := app.Client(ctx, ts)
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				m, err := c.AuthMember(ctx)
				if err != nil {
					return fmt.Errorf("demo: %w", err)
				}
				fmt.Fprintf(w, "\nMinted a token for %s\n", id)
				var t table
				t.add("  acts as", memberLine(m)+roleSuffix(m))
				t.add("  expires", describeTime(tok.Expiry, e.now(), "expired"))
				t.add("  gateway", c.Endpoint())
				if err := t.write(w); err != nil {
					return err
				}
			}
			other := tribe.Bot(tribetest.OtherNetworkID)
			_, err = app.Mint(ctx, other)
			switch {
			case errors.Is(err, tribe.ErrForbidden):
				fmt.Fprintf(w, "\nMinting for %s was refused with tribe.ErrForbidden: the app is not installed there.\n", other)
			case err != nil:
				return fmt.Errorf("demo: %w", err)
			default:
				return fmt.Errorf("demo: minting for %s should have been refused", other)
			}
			fmt.Fprintf(w, "\n%d limitedToken calls: one per token (the cache reuses it for authMember) and the refused one. No token was printed.\n", srv.Count("limitedToken"))
			fmt.Fprintln(w, "Next: run 'tribe-token mock' and point your app, or 'tribe-token mint', at it.")
			return nil
		}),
	}
}

// roleSuffix is ", role TYPE" for a member with a role.
func roleSuffix(m *tribe.Member) string {
	if r := roleLine(m); r != "" && !strings.HasPrefix(r, "id ") {
		return ", role " + r
	}
	return ""
}
