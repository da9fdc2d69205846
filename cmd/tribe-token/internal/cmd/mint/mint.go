// Package mint is "tribe-token mint": an app access token for the bot or a
// member, minted with Tribe's limitedToken query.
package mint

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// Options are mint's inputs.
type Options struct {
	Factory *cmdutil.Factory

	App      cmdutil.AppFlags
	Endpoint cmdutil.EndpointFlags
	Network  string
	Member   string
	Context  string
	Entity   string
	Insecure bool
	Output   string
	Cache    cmdutil.CacheFlags
	NoRetry  bool
}

// NewCmdMint builds "mint". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdMint(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "mint --network ID [--member ID]",
		Short: "Mint an app access token for the bot or a member",
		// "tribe-token token" and the like suggest mint.
		SuggestFor: []string{"token", "get-token", "new-token", "issue", "create", "new", "get"},
		Long: `Mint an access token with Tribe's limitedToken query, authenticated with the
app's client id and secret: for the app's bot account (which may do all a
community admin may do), or, with --member, acting as that member. The app must
be published and installed on the community.

The client id comes from --client-id or TRIBE_CLIENT_ID, the secret from
TRIBE_CLIENT_SECRET or --client-secret-file. With --cache URL (or
TRIBE_CACHE_URL) the token is shared with other processes through Redis,
encrypted with TRIBE_CACHE_KEY (see docs/tribe-token.md).

A rate limit or a server failing for a moment is waited out, with a line on
stderr saying how long, and tried again (at most 4 times, within --timeout);
--no-retry stops at once.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token mint --network CAx1mZ7I7a
  tribe-token mint --network CAx1mZ7I7a --member Dm12KzW34 --output json
  tribe-token mint --network CAx1mZ7I7a --region eu --client-secret-file secret.txt
  eval "$(tribe-token mint --network CAx1mZ7I7a --output env)"
  export TRIBE_CACHE_URL=redis://localhost:6379 TRIBE_CACHE_KEY=$(head -c 32 /dev/urandom | base64)
  tribe-token mint --network CAx1mZ7I7a --member Dm12KzW34`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, mintRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Network, "network", "", "community (network) id; required (default $TRIBE_NETWORK_ID)")
	fl.StringVar(&opts.Member, "member", "", "member id to act as (default: the app's bot account)")
	fl.StringVar(&opts.Context, "context", "", "permission context: NETWORK (default), MEMBER, POST or SPACE")
	fl.StringVar(&opts.Entity, "entity", "", "entity id for --context (default: the network id)")
	_ = cmd.RegisterFlagCompletionFunc("context", cobra.FixedCompletions([]string{"NETWORK", "MEMBER", "POST", "SPACE"}, cobra.ShellCompDirectiveNoFileComp))
	opts.App.Add(cmd)
	opts.Endpoint.Add(cmd)
	cmdutil.AddInsecureFlag(cmd, &opts.Insecure)
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutToken, cmdutil.OutJSON, cmdutil.OutEnv)
	opts.Cache.Add(cmd)
	cmdutil.AddNoRetryFlag(cmd, &opts.NoRetry)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Endpoint.Validate(); err != nil {
		return err
	}
	for _, id := range []struct{ flag, v string }{{"--network", o.Network}, {"--member", o.Member}, {"--entity", o.Entity}} {
		if err := cmdutil.CheckID(id.flag, id.v); err != nil {
			return err
		}
	}
	if o.Context != "" {
		c, err := tribe.ParsePermissionContext(o.Context)
		if err != nil {
			return cmdutil.Usagef("--context %q is not a permission context; use NETWORK, MEMBER, POST or SPACE", text.Clip(o.Context))
		}
		if c != tribe.ContextNetwork && o.Entity == "" {
			return cmdutil.Usagef("--context %s needs --entity ID (the %s's id); only NETWORK defaults it to the network id", c, strings.ToLower(string(c)))
		}
	}
	return nil
}

// mintRun mints the token and prints it.
func mintRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	req := cmdutil.TokenRequest{App: &opts.App, Endpoint: &opts.Endpoint, Network: opts.Network, Member: opts.Member, Entity: opts.Entity,
		Insecure: opts.Insecure, HTTPClient: f.HTTPClient()}
	if opts.Context != "" {
		c, err := tribe.ParsePermissionContext(opts.Context)
		if err != nil {
			return err
		}
		req.Context = c
	}
	t, err := f.CommandToken(req)
	if err != nil {
		return err
	}
	t.Endpoint.Announce(f)
	tok, err := mintOrCache(ctx, opts, t.App, t.Identity)
	if err != nil {
		return t.Explain(err)
	}
	return cmdutil.WriteToken(f.Out, opts.Output, cmdutil.NewTokenOutput(tok, t.Identity.String()))
}

// mintOrCache mints the token, or, with --cache, takes it from the cache
// shared through Redis, which mints it once for every process asking. A
// rate limit or a passing failure is waited out, with a line on stderr,
// unless --no-retry.
func mintOrCache(ctx context.Context, opts *Options, a *tribe.App, id tribe.Identity) (tok *oauth2.Token, err error) {
	f := opts.Factory
	mint := a.Mint
	if opts.Cache.Enabled(f) {
		tc, err := opts.Cache.Open(ctx, f, a)
		if err != nil {
			return nil, err
		}
		defer tc.Close()
		mint = tc.Token
	} else if opts.Cache.KeyFile != "" || opts.Cache.InsecureNoEncryption {
		// The usage error naming --cache.
		_, err := opts.Cache.Open(ctx, f, a)
		return nil, err
	}
	err = f.Retry(ctx, cmdutil.RetryOptions{NoRetry: opts.NoRetry}, func(ctx context.Context) error {
		tok, err = mint(ctx, id)
		return err
	})
	return tok, err
}
