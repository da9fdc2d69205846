// Package pull is "tribe-token schema pull": the GraphQL schema an endpoint
// serves, introspected and printed as stable SDL or as the introspection
// answer (JSON), on stdout or into a file.
package pull

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
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
	NoRetry   bool
	// Output is the format: [FormatSDL] or [FormatJSON].
	Output string
	// File is the file the schema is written to; "" or "-" for stdout.
	File string
}

// The formats of -o.
const (
	// FormatSDL is stable SDL: definitions sorted by name, built-in types
	// left out (schema.Format).
	FormatSDL = "sdl"
	// FormatJSON is the introspection answer, {"data": {"__schema": …}}
	// (schema.PullIntrospection), which schema.Load and mock --schema read.
	FormatJSON = "json"
)

// NewCmdPull builds "schema pull". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdPull(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "pull [--network ID | --anonymous] [-o sdl|json] [--file FILE]",
		Short:      "Introspect an endpoint and print its schema as SDL or JSON",
		SuggestFor: []string{"get", "fetch", "download", "dump", "export"},
		Long: `Send the standard introspection query to an endpoint and print the schema it
describes: -o sdl (the default) as stable SDL, definitions sorted by name, for
genqlient's schema setting or a diff against a committed copy; -o json as the
introspection answer, {"data": {"__schema": ...}}, which mock --schema reads.
--file FILE writes it to FILE instead of stdout, replaced atomically.

It authenticates with the first that applies: --anonymous (no token),
--token-file, --network (a bot token minted with TRIBE_CLIENT_ID and
TRIBE_CLIENT_SECRET), TRIBE_TOKEN, TRIBE_NETWORK_ID; with none, it refuses. The
endpoint is --endpoint or --region, else TRIBE_ENDPOINT (for a token,
TRIBE_GATEWAY_URL first if it belongs to it), else ` + tribe.DefaultEndpoint + `.
See docs/tribe-token.md for the detail.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token schema pull --network CAx1mZ7I7a --file schema.graphql
  tribe-token schema pull --network CAx1mZ7I7a -o json --file schema.json
  TRIBE_TOKEN=$TOKEN tribe-token schema pull > schema.graphql
  tribe-token schema pull --anonymous --endpoint http://127.0.0.1:4000/graphql`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, pullRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Network, "network", "", "community (network) id to mint a bot token for (default $TRIBE_NETWORK_ID)")
	fl.BoolVar(&opts.Anonymous, "anonymous", false, "send no token (for an endpoint that allows introspection without one)")
	fl.StringVarP(&opts.Output, "output", "o", FormatSDL, "format: sdl (stable SDL) or json (the introspection answer)")
	fl.StringVar(&opts.File, "file", "", "write the schema to `FILE` (replaced atomically) instead of stdout")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{FormatSDL, FormatJSON}, cobra.ShellCompDirectiveNoFileComp))
	opts.App.Add(cmd)
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	opts.Endpoint.Add(cmd)
	cmdutil.AddInsecureFlag(cmd, &opts.Insecure)
	cmdutil.AddNoRetryFlag(cmd, &opts.NoRetry)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := checkFormat(o.Output); err != nil {
		return err
	}
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

// checkFormat refuses a -o that is not a format, and says to use --file
// for one that looks like a file, as -o was before it named the format.
func checkFormat(format string) error {
	switch strings.ToLower(format) {
	case FormatSDL, FormatJSON:
		return nil
	}
	if strings.ContainsAny(format, "./\\") || strings.Contains(format, "schema") {
		return cmdutil.Usagef("-o %q looks like a file: -o is the format (sdl or json); use --file FILE to write to a file", text.Clip(format))
	}
	return cmdutil.Usagef("unknown -o %q; use sdl (the default) or json, and --file FILE to write to a file", text.Clip(format))
}

// pullRun introspects the endpoint and writes the schema.
func pullRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	ts, ep, err := tokenSource(ctx, opts)
	if err != nil {
		return err
	}
	conf := schema.Config{Endpoint: ep.URL, TokenSource: ts, HTTPClient: f.HTTPClient(), AllowInsecureHTTP: opts.Insecure}
	var text []byte
	err = f.Retry(ctx, cmdutil.RetryOptions{NoRetry: opts.NoRetry}, func(ctx context.Context) (perr error) {
		if strings.EqualFold(opts.Output, FormatJSON) {
			text, perr = schema.PullIntrospection(ctx, conf)
			return perr
		}
		s, perr := schema.Pull(ctx, conf)
		if perr == nil {
			text = []byte(schema.Format(s))
		}
		return perr
	})
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
	if opts.File == "" || opts.File == "-" {
		_, err := f.Out.Write(text)
		return err
	}
	// A schema is no secret: readable by all, as a source file is.
	if err := safefile.WriteFile(opts.File, text, 0o644); err != nil {
		return fmt.Errorf("tribe-token: writing the schema to --file %s: %w", opts.File, err)
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
	t, err := f.CommandToken(cmdutil.TokenRequest{App: &opts.App, Endpoint: &opts.Endpoint, Token: &opts.Token, TokenEnv: "TRIBE_TOKEN",
		Network: opts.Network, Insecure: opts.Insecure, HTTPClient: f.HTTPClient(),
		NoCredentials: "no credentials: pass --network ID (or set TRIBE_NETWORK_ID) to mint a bot token with TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET, set TRIBE_TOKEN (or pass --token-file FILE), or pass --anonymous for an endpoint that allows introspection without a token"})
	if err != nil {
		return nil, cmdutil.Endpoint{}, err
	}
	ep := t.Endpoint
	ep.Announce(f)
	if ts := t.StaticSource(); ts != nil {
		return ts, ep, nil
	}
	var tok *oauth2.Token
	err = f.Retry(ctx, cmdutil.RetryOptions{NoRetry: opts.NoRetry}, func(ctx context.Context) (err error) {
		tok, err = t.App.Mint(ctx, t.Identity)
		return err
	})
	if err != nil {
		return nil, ep, t.Explain(err)
	}
	f.AddSecret(tok.AccessToken)
	// The introspection goes to the endpoint without the app's credentials.
	if u, perr := url.Parse(strings.TrimSpace(ep.URL)); perr == nil && u.User != nil {
		u.User = nil
		ep.URL = u.String()
	}
	return oauth2.StaticTokenSource(tok), ep, nil
}
