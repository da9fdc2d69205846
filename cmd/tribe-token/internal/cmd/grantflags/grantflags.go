// Package grantflags holds what the v1 OAuth2 grant commands (password,
// exchange, refresh) share: the flags that name the community's token
// endpoint and how the token is printed, and the advice added to a refused
// grant.
package grantflags

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/grant"
)

// OAuthFlags name Tribe's v1 OAuth2 token endpoint and how a grant's token
// is printed.
type OAuthFlags struct {
	Community   string
	TokenURL    string
	WithRefresh bool
	Insecure    bool
	Output      string
	NoRetry     bool
}

// Add registers the flags on cmd.
func (o *OAuthFlags) Add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.Community, "community", "", "community base `URL`; the token endpoint is URL"+grant.TokenPath+" (default $TRIBE_COMMUNITY_URL)")
	cmd.Flags().StringVar(&o.TokenURL, "token-url", "", "token endpoint's full `URL`, instead of --community")
	cmd.Flags().BoolVar(&o.WithRefresh, "with-refresh-token", false, "also print the refresh token (json and env output only)")
	cmdutil.AddInsecureFlag(cmd, &o.Insecure)
	cmdutil.AddNoRetryFlag(cmd, &o.NoRetry)
	cmdutil.AddOutputFlag(cmd, &o.Output, cmdutil.OutToken, cmdutil.OutJSON, cmdutil.OutEnv)
}

// Validate refuses bad output settings and two token endpoints.
func (o *OAuthFlags) Validate() error {
	if o.WithRefresh && o.Output == cmdutil.OutToken {
		return cmdutil.Usagef("--with-refresh-token needs --output json or env; the token output is the access token alone")
	}
	if o.Community != "" && o.TokenURL != "" {
		return cmdutil.Usagef("--community and --token-url both name the token endpoint; give one of them")
	}
	return nil
}

// Endpoint returns the community URL and token URL to use, checked as
// [cmdutil.Factory.CheckURLs] does, and refused with userinfo, a query or a
// fragment, naming the flag or environment variable it came from.
func (o *OAuthFlags) Endpoint(f *cmdutil.Factory) (community, tokenURL string, err error) {
	var from cmdutil.URLFrom
	switch {
	case o.Community != "" && o.TokenURL != "":
		return "", "", o.Validate()
	case o.Community != "":
		community, from = o.Community, cmdutil.URLFrom{Source: "--community", URL: o.Community}
	case o.TokenURL != "":
		tokenURL, from = o.TokenURL, cmdutil.URLFrom{Source: "--token-url", URL: o.TokenURL}
	case f.Env("TRIBE_COMMUNITY_URL") != "":
		community = f.Env("TRIBE_COMMUNITY_URL")
		from = cmdutil.URLFrom{Source: "TRIBE_COMMUNITY_URL", URL: community}
	default:
		return "", "", cmdutil.Usagef("no token endpoint: pass --community URL (e.g. https://community.example.com), set TRIBE_COMMUNITY_URL, or pass --token-url URL")
	}
	from.Example = "https://community.example.com"
	if err := f.CheckURLs(o.Insecure, from); err != nil {
		return "", "", err
	}
	u, err := url.Parse(strings.TrimSpace(from.URL))
	if err != nil {
		return "", "", cmdutil.Usagef("%s is not a valid URL; give one such as %s", from.Source, from.Example)
	}
	switch {
	case u.User != nil:
		return "", "", cmdutil.Usagef("%s carries credentials in its userinfo; remove them: the client id comes from TRIBE_CLIENT_ID or --client-id, the secret from TRIBE_CLIENT_SECRET or --client-secret-file", from.Source)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", "", cmdutil.Usagef("%s has a query or fragment; give the bare URL", from.Source)
	}
	return community, tokenURL, nil
}

// Config returns the config the grants are asked with: the token endpoint
// of [OAuthFlags.Endpoint] and the app's credentials ([cmdutil.AppFlags]).
// The library retries nothing: a rate limit or a passing failure is waited
// out by the client, with a line on stderr
// ([cmdutil.Factory.RetryingHTTPClient]); spendsOnce (a refresh, which
// spends the rotating refresh token) tries again only after answers that
// say the server did not act on the request; with --no-retry nothing is
// sent twice.
func (o *OAuthFlags) Config(f *cmdutil.Factory, app *cmdutil.AppFlags, spendsOnce bool) (*grant.Config, error) {
	community, tokenURL, err := o.Endpoint(f)
	if err != nil {
		return nil, err
	}
	id, secret, err := app.Credentials(f)
	if err != nil {
		return nil, err
	}
	return &grant.Config{CommunityURL: community, TokenURL: tokenURL, ClientID: id, ClientSecret: secret, AllowInsecureHTTP: o.Insecure,
		HTTPClient: f.RetryingHTTPClient(spendsOnce, o.NoRetry), Retry: cmdutil.NoLibraryRetries()}, nil
}

// Write prints a grant's token, and its refresh token if asked.
func (o *OAuthFlags) Write(f *cmdutil.Factory, tok *oauth2.Token, identity string) error {
	out := cmdutil.NewTokenOutput(tok, identity)
	if o.WithRefresh {
		out.RefreshToken = tok.RefreshToken
	}
	return cmdutil.WriteToken(f.Out, o.Output, out)
}

// GrantError adds what to do to a refused grant.
func GrantError(err error, what string) error {
	var oe *grant.Error
	switch {
	case errors.Is(err, tribe.ErrInvalidInput):
		return err
	case errors.As(err, &oe) && oe.Code == grant.InvalidClient:
		return cmdutil.WithHint(err, "the client id and secret are read from TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET (or --client-secret-file)")
	case errors.Is(err, tribe.ErrUnauthorized):
		return cmdutil.WithHint(err, what)
	case errors.Is(err, tribe.ErrForbidden):
		return cmdutil.WithHint(err, "the client may not use this grant on this community (an IP allow-list?)")
	case errors.As(err, &oe) && oe.StatusCode == http.StatusTooManyRequests:
		return cmdutil.WithHint(err, "the token endpoint is rate limiting this client; run it again later (without --no-retry, tribe-token waits and tries again)")
	}
	return err
}
