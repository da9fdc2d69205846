// Package pull is "tribe-token schema pull": the GraphQL schema an endpoint
// serves, introspected and printed as stable SDL.
package pull

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/safefile"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/schema"
)

// Options are schema pull's inputs.
type Options struct {
	Factory *cmdutil.Factory

	App       cmdutil.AppFlags
	Token     cmdutil.TokenFlag
	Endpoint  cmdutil.EndpointFlags
	Network   string
	Anonymous bool
	Insecure  bool
	// Output is the file the SDL is written to; "" or "-" for stdout.
	Output string
}

// NewCmdPull builds "schema pull". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdPull(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "pull [--network ID | --anonymous] [-o FILE]",
		Short: "Introspect an endpoint and print its schema as SDL",
		Long: `Send the standard introspection query to an endpoint and print the schema it
describes as SDL: definitions sorted by name, built-in types left out, so the
same schema always prints the same text (for genqlient's schema setting, or to
diff against a committed copy). -o FILE writes it to a file instead, replaced
atomically.

How it authenticates, the first that applies:
  - --anonymous: no token, for an endpoint that allows introspection so;
  - --token-file FILE: that token;
  - --network ID: a token minted for the app's bot, with TRIBE_CLIENT_ID and
    TRIBE_CLIENT_SECRET (or --client-id, --client-secret-file);
  - TRIBE_TOKEN: that token;
  - TRIBE_NETWORK_ID: a bot token, as --network.
With none of them it refuses rather than guess: an endpoint that needs a token
would answer an anonymous pull with an error. --anonymous with a token or a
network is refused too.

The endpoint is --endpoint or --region, else TRIBE_ENDPOINT (or, for a token
of TRIBE_TOKEN or --token-file, TRIBE_GATEWAY_URL first if it belongs to the
token), else ` + tribe.DefaultEndpoint + ` (a line on stderr says so).
` + cmdutil.GatewayRule,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token schema pull --network CAx1mZ7I7a -o schema.graphql
  tribe-token schema pull --network CAx1mZ7I7a --region eu
  TRIBE_TOKEN=$TOKEN tribe-token schema pull > schema.graphql
  tribe-token schema pull --anonymous --endpoint http://127.0.0.1:4000/graphql`,
		Args: cmdutil.NoArgs,
		RunE: f.RunE(func(cmd *cobra.Command, _ []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, cancel := f.TimeoutContext(cmd)
			defer cancel()
			return pullRun(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Network, "network", "", "community (network) id to mint a bot token for (default $TRIBE_NETWORK_ID)")
	fl.BoolVar(&opts.Anonymous, "anonymous", false, "send no token (for an endpoint that allows introspection without one)")
	fl.StringVarP(&opts.Output, "output", "o", "", "write the schema to `FILE` (atomically) instead of stdout")
	opts.App.Add(cmd)
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	opts.Endpoint.Add(cmd)
	cmdutil.AddInsecureFlag(cmd, &opts.Insecure)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Endpoint.Validate(); err != nil {
		return err
	}
	if err := cmdutil.CheckID("--network", o.Network); err != nil {
		return err
	}
	switch {
	case o.Anonymous && o.Token.File != "":
		return cmdutil.Usagef("--anonymous sends no token and --token-file gives one; give one of them")
	case o.Anonymous && o.Network != "":
		return cmdutil.Usagef("--anonymous sends no token and --network mints one; give one of them")
	case o.Token.File != "" && o.Network != "":
		return cmdutil.Usagef("--token-file gives the token and --network mints one; give one of them")
	}
	return nil
}

// pullRun introspects the endpoint and writes the schema.
func pullRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	ts, ep, err := tokenSource(ctx, opts)
	if err != nil {
		return err
	}
	s, err := schema.Pull(ctx, schema.Config{Endpoint: ep.URL, TokenSource: ts, HTTPClient: f.HTTPClient(), AllowInsecureHTTP: opts.Insecure})
	if err != nil {
		err = ep.Explain(err)
		if ts == nil && (errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized) || errors.Is(err, tribe.ErrForbidden)) {
			return cmdutil.WithHint(err, "the endpoint wants a token: pass --network ID to mint one, or set TRIBE_TOKEN")
		}
		if errors.Is(err, tribe.ErrInvalidToken) {
			return cmdutil.WithHint(err, "the token is invalid or expired, or belongs to another endpoint; mint a new one")
		}
		return err
	}
	sdl := schema.Format(s)
	if opts.Output == "" || opts.Output == "-" {
		_, err := fmt.Fprint(f.Out, sdl)
		return err
	}
	// A schema is no secret: readable by all, as a source file is.
	if err := safefile.WriteFile(opts.Output, []byte(sdl), 0o644); err != nil {
		return fmt.Errorf("tribe-token: writing the schema to -o %s: %w", opts.Output, err)
	}
	return nil
}

// tokenSource returns how the pull authenticates (nil: not at all) and the
// endpoint it goes to.
func tokenSource(ctx context.Context, opts *Options) (oauth2.TokenSource, cmdutil.Endpoint, error) {
	f := opts.Factory
	if opts.Anonymous {
		ep, err := opts.Endpoint.ResolveFrom(f, opts.Insecure, "TRIBE_ENDPOINT")
		if err == nil {
			ep.Announce(f)
		}
		return nil, ep, err
	}
	network, networkSource := opts.Network, "--network"
	if opts.Token.File == "" && network == "" && f.Env("TRIBE_TOKEN") == "" {
		network, networkSource = f.Env("TRIBE_NETWORK_ID"), "TRIBE_NETWORK_ID"
		if err := cmdutil.CheckID("TRIBE_NETWORK_ID", network); err != nil {
			return nil, cmdutil.Endpoint{}, err
		}
		if network == "" {
			return nil, cmdutil.Endpoint{}, cmdutil.Usagef("no credentials: pass --network ID (or set TRIBE_NETWORK_ID) to mint a bot token with TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET, set TRIBE_TOKEN (or pass --token-file FILE), or pass --anonymous for an endpoint that allows introspection without a token")
		}
	}
	if network == "" {
		tok, err := opts.Token.Token(f, "TRIBE_TOKEN")
		if err != nil {
			return nil, cmdutil.Endpoint{}, err
		}
		ep, err := opts.Endpoint.ResolveForToken(f, opts.Insecure, tok)
		if err != nil {
			return nil, ep, err
		}
		ep.Announce(f)
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"}), ep, nil
	}
	ep, err := opts.Endpoint.ResolveFrom(f, opts.Insecure, "TRIBE_ENDPOINT")
	if err != nil {
		return nil, ep, err
	}
	var missing cmdutil.Missing
	clientID, secret, err := opts.App.CredentialsFor(f, ep, &missing)
	if err != nil {
		return nil, ep, err
	}
	if err := missing.Err(""); err != nil {
		return nil, ep, err
	}
	a := &tribe.App{ClientID: clientID, ClientSecret: secret, Endpoint: ep.URL, AllowInsecureHTTP: opts.Insecure, HTTPClient: f.HTTPClient()}
	id := tribe.Bot(network)
	ep.Announce(f)
	tok, err := a.Mint(ctx, id)
	if err != nil {
		return nil, ep, ep.Explain(mint.ExplainFrom(id, networkSource, err))
	}
	f.AddSecret(tok.AccessToken)
	// The introspection goes to the endpoint without the app's credentials.
	if u, perr := url.Parse(strings.TrimSpace(ep.URL)); perr == nil && u.User != nil {
		u.User = nil
		ep.URL = u.String()
	}
	return oauth2.StaticTokenSource(tok), ep, nil
}
