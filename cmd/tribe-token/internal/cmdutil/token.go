package cmdutil

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe"
)

// TokenRequest is what a command that sends a token gives
// [Factory.CommandToken]: its flags, and what it says when it has no way
// to get a token.
type TokenRequest struct {
	App      *AppFlags
	Endpoint *EndpointFlags
	// Token is --token-file, and TokenEnv the variable that gives a token
	// the user has (TRIBE_TOKEN); a nil Token: the command always mints.
	Token    *TokenFlag
	TokenEnv string

	// Network (--network), Member (--member), Context (--context) and
	// Entity (--entity) name the identity to mint for.
	Network string
	Member  string
	Context tribe.PermissionContext
	Entity  string

	// Insecure is --insecure-http; HTTPClient sends the mint (nil: the
	// library's).
	Insecure   bool
	HTTPClient *http.Client

	// NoCredentials is the usage error of a run that gives neither a
	// community nor a token; "" names the community among the missing
	// settings (a command that always mints).
	NoCredentials string
}

// CommandToken is the token a command runs with, as
// [Factory.CommandToken] found it: a token the user gave, or an app and
// the identity to mint one for, and the endpoint it goes to.
type CommandToken struct {
	// Endpoint is where the token is minted and sent: for a token the
	// user gave, without the app's credentials (see
	// [EndpointFlags.ResolveForToken]).
	Endpoint Endpoint

	// Given is the token the user gave, and GivenFrom where it came from
	// ("--token-file" or [TokenRequest.TokenEnv]); "" when App mints.
	Given     string
	GivenFrom string

	// App mints the token for Identity, with the libraries' retries off
	// ([NoLibraryRetries]): the command waits itself and says so.
	// NetworkSource is "--network" or "TRIBE_NETWORK_ID".
	App           *tribe.App
	Identity      tribe.Identity
	NetworkSource string

	flags *AppFlags
}

// CommandToken finds the token a command runs with, reading nothing from
// the network: the token of --token-file, or of TokenEnv when no
// --network or --member asks to mint; else an app with the client id and
// secret (flags, environment, or the endpoint's userinfo) and the identity
// to mint for, its community from --network, else TRIBE_NETWORK_ID. What
// is missing is named in one usage error.
func (f *Factory) CommandToken(r TokenRequest) (*CommandToken, error) {
	if r.Token != nil && (r.Token.File != "" || (r.Network == "" && r.Member == "" && f.Env(r.TokenEnv) != "")) {
		tok, err := r.Token.Token(f, r.TokenEnv)
		if err != nil {
			return nil, err
		}
		from := r.TokenEnv
		if r.Token.File != "" {
			from = "--token-file"
		}
		ep, err := r.Endpoint.ResolveForToken(f, r.Insecure, tok)
		if err != nil {
			return nil, err
		}
		return &CommandToken{Endpoint: ep, Given: tok, GivenFrom: from}, nil
	}
	ep, err := r.Endpoint.ResolveFrom(f, r.Insecure, "TRIBE_ENDPOINT")
	if err != nil {
		return nil, err
	}
	network, networkSource := r.Network, "--network"
	if network == "" {
		network, networkSource = f.Env("TRIBE_NETWORK_ID"), "TRIBE_NETWORK_ID"
		if err := CheckID("TRIBE_NETWORK_ID", network); err != nil {
			return nil, err
		}
		if network == "" && r.NoCredentials != "" {
			return nil, Usagef("%s", r.NoCredentials)
		}
	}
	var missing Missing
	clientID, secret, err := r.App.credentialsFor(f, ep, &missing)
	if err != nil {
		return nil, err
	}
	if network == "" {
		missing.Add("--network (or TRIBE_NETWORK_ID)", "community")
	}
	if err := missing.Err(""); err != nil {
		return nil, err
	}
	return &CommandToken{
		Endpoint: ep,
		App: &tribe.App{ClientID: clientID, ClientSecret: secret, Endpoint: ep.URL, AllowInsecureHTTP: r.Insecure,
			HTTPClient: r.HTTPClient, Retry: NoLibraryRetries()},
		Identity:      tribe.Identity{NetworkID: network, MemberID: r.Member, Context: r.Context, EntityID: r.Entity},
		NetworkSource: networkSource,
		flags:         r.App,
	}, nil
}

// String describes t without the token the user gave: where it came from,
// or the identity minted for, and the endpoint.
func (t CommandToken) String() string {
	if t.Given != "" {
		return fmt.Sprintf("cmdutil.CommandToken{Given: %s from %s, Endpoint: %s}", redact.Marker, t.GivenFrom, t.Endpoint)
	}
	return fmt.Sprintf("cmdutil.CommandToken{Identity: %s, Endpoint: %s}", t.Identity, t.Endpoint)
}

// GoString is [CommandToken.String], so that %#v hides the token too.
func (t CommandToken) GoString() string { return t.String() }

// StaticSource is the token the user gave, as a token source; nil when
// the command mints.
func (t *CommandToken) StaticSource() oauth2.TokenSource {
	if t.Given == "" {
		return nil
	}
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: t.Given, TokenType: "Bearer"})
}

// Explain adds to a failed mint (whose message already says what was
// minted) what to do about it: refused credentials name where they came
// from (AppFlags.explainRefused); a refusal (HTTP 403) asks whether the app is
// installed, and a member not found whether they belong to the community,
// naming TRIBE_NETWORK_ID when it gave the community, as it may be stale;
// then what the endpoint has to do with it ([Endpoint.Explain]).
func (t *CommandToken) Explain(err error) error {
	if err == nil {
		return nil
	}
	id := t.Identity
	community := "community " + id.NetworkID
	if t.NetworkSource == "TRIBE_NETWORK_ID" {
		community = fmt.Sprintf("community TRIBE_NETWORK_ID=%s (from the environment)", text.Clip(id.NetworkID))
	}
	switch {
	case errors.Is(err, tribe.ErrUnauthorized):
		err = t.flags.explainRefused(err)
	case errors.Is(err, tribe.ErrRateLimited), httpStatus(err) == http.StatusNotFound:
		// Nothing to do with the identity; a 404 is the endpoint's path.
	case errors.Is(err, tribe.ErrForbidden):
		err = WithHint(err, fmt.Sprintf("is the app published and installed on %s?", community))
	case errors.Is(err, tribe.ErrNotFound) && !id.IsBot():
		err = WithHint(err, fmt.Sprintf("is %s a member of %s?", id.MemberID, community))
	}
	return t.Endpoint.Explain(err)
}

// httpStatus is the status of the HTTP answer err carries; 0 if none.
func httpStatus(err error) int {
	if he, ok := errors.AsType[*tribe.HTTPError](err); ok {
		return he.StatusCode
	}
	return 0
}
