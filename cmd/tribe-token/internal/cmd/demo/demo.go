// Package demo is "tribe-token demo": a mock Tribe server in the process,
// and what an app does against it, offline.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// Options are demo's inputs: none but the run's.
type Options struct {
	Factory *cmdutil.Factory
}

// NewCmdDemo builds "demo". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdDemo(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:        "demo",
		Short:      "See it work offline: mint tokens from a built-in mock server",
		SuggestFor: []string{"try", "tour", "example", "quickstart"},
		Long: `Start a mock Tribe server in this process, then do what an app does, through
the library's real client code: mint a token for the app's bot account and one
acting as a member (limitedToken with the app's client id and secret), ask the
server who each token acts as (authMember), and try a community the app is not
installed on. It prints identities, expiries and endpoints, never a token,
explains its words (limitedToken, bot, impersonation, gateway), and ends with
the commands that start 'tribe-token mock' and mint against it from a clone.

It needs no network, account or flags.`,
		Example: `  tribe-token demo
  go run ./cmd/tribe-token demo`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, nil, runF, demoRun),
	}
}

// demoRun runs the demonstration.
func demoRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
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
	w := f.Out
	fmt.Fprintf(w, "Mock Tribe server at %s; app %s, installed on community %s.\n",
		srv.URL, tribetest.DefaultClientID, tribetest.DefaultNetworkID)
	fmt.Fprint(w, Glossary)
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
		var t text.Table
		t.Add("  acts as", whoami.MemberLine(m)+roleSuffix(m))
		t.Add("  expires", text.DescribeTime(tok.Expiry, f.Now(), "expired"))
		t.Add("  gateway", c.Endpoint())
		if err := t.Write(w); err != nil {
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
	fmt.Fprintln(w, "\nNext, try it yourself from a clone of the repository: start the mock in the background, wait for its settings, and mint a token acting as Carol (stop the mock with: kill %1):")
	fmt.Fprintln(w, "  "+NextCommand)
	return nil
}

// Glossary explains the words the demo uses, a sentence each.
const Glossary = `
Words:
  limitedToken   the GraphQL query an app mints access tokens with, sent with
                 the app's client id and secret (HTTP Basic auth).
  bot            the app's own account in a community: a token minted for it
                 may do all a community admin may do.
  impersonation  a token minted with a member id acts as that member, with that
                 member's permissions only.
  gateway        the community's own GraphQL URL, returned with each token: the
                 calls made with that token go there.
`

// NextCommand is the demo's last line: a command sequence for a POSIX
// shell, run from a clone of the repository, that starts the mock, waits
// for its env output to be complete (its last line is "unset ..."; an old
// mock.env is removed first so that it cannot be mistaken for it) while
// the mock lives (one that fails to start says why on stderr, and the
// wait ends), and mints a member token against it. mock.env is in the
// repository's .gitignore.
const NextCommand = "rm -f mock.env; go run ./cmd/tribe-token mock --print-credentials --output env > mock.env & " +
	"until grep -q '^unset ' mock.env 2>/dev/null; do kill -0 $! 2>/dev/null || break; sleep 1; done; " +
	". ./mock.env && go run ./cmd/tribe-token mint --member " + tribetest.PlainMemberID

// roleSuffix is ", role TYPE" for a member with a role.
func roleSuffix(m *tribe.Member) string {
	if r := whoami.RoleLine(m); r != "" && !strings.HasPrefix(r, "id ") {
		return ", role " + r
	}
	return ""
}
