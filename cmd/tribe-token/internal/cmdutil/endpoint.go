package cmdutil

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/urlcheck"
	"github.com/tribekit/tribekit/tribe"
)

// EndpointFlags are --endpoint and --region, which name a Tribe GraphQL
// endpoint.
type EndpointFlags struct {
	Endpoint string
	Region   string
}

// endpointHelp is --endpoint's help: where the endpoint comes from, and
// the default.
const endpointHelp = "Tribe GraphQL endpoint `URL` (default $TRIBE_ENDPOINT, else " + tribe.DefaultEndpoint + ", Bettermode's US region); https://ID:SECRET@host/graphql gives the app's credentials too"

// Add registers the flags on cmd; [EndpointFlags.Validate] refuses both.
func (e *EndpointFlags) Add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&e.Endpoint, "endpoint", "", endpointHelp)
	cmd.Flags().StringVar(&e.Region, "region", "", "Bettermode region: us ("+tribe.EndpointUS+", the default) or eu ("+tribe.EndpointEU+")")
	_ = cmd.RegisterFlagCompletionFunc("region", cobra.FixedCompletions([]string{"us", "eu"}, cobra.ShellCompDirectiveNoFileComp))
}

// Validate refuses --endpoint with --region, and an unknown region.
func (e *EndpointFlags) Validate() error {
	if e.Endpoint != "" && e.Region != "" {
		return Usagef("--endpoint and --region both name the endpoint; give one of them")
	}
	if e.Region != "" && regionEndpoint(e.Region) == "" {
		return Usagef("unknown --region %q; use us or eu, or give --endpoint URL", text.Clip(e.Region))
	}
	return nil
}

// regionEndpoint is the endpoint of a region, or "".
func regionEndpoint(region string) string {
	switch strings.ToLower(strings.TrimSpace(region)) {
	case "us":
		return tribe.EndpointUS
	case "eu":
		return tribe.EndpointEU
	}
	return ""
}

// Endpoint is the GraphQL endpoint a command uses and where it came from.
type Endpoint struct {
	// URL is the endpoint as given, credentials included; "" is the
	// library's default, [tribe.DefaultEndpoint].
	URL string
	// Source is the flag or environment variable that gave it:
	// "--endpoint", "--region", "TRIBE_ENDPOINT", "TRIBE_GATEWAY_URL", or
	// "" for the default.
	Source string
}

// String is how messages name the endpoint (see describe): without the
// client id and secret the URL may hold, so that %v shows no credential.
func (e Endpoint) String() string { return e.describe() }

// GoString is [Endpoint.String], for %#v.
func (e Endpoint) GoString() string { return e.describe() }

// fromEnv reports whether the endpoint came from an environment variable.
func (e Endpoint) fromEnv() bool { return strings.HasPrefix(e.Source, "TRIBE_") }

// describe names the endpoint and where it came from, for messages:
// "TRIBE_GATEWAY_URL=http://127.0.0.1:1/gateway/n (from the environment)",
// "--endpoint https://…", "the default endpoint https://api.bettermode.com".
// The URL is shown without its userinfo and clipped.
func (e Endpoint) describe() string {
	shown := text.Clip(urlcheck.Redacted(strings.TrimSpace(e.URL)))
	if u, err := url.Parse(strings.TrimSpace(e.URL)); err == nil && u.User != nil {
		u.User = nil
		shown = text.Clip(u.String())
	}
	switch {
	case e.Source == "":
		return "the default endpoint " + tribe.DefaultEndpoint
	case e.fromEnv():
		return e.Source + "=" + shown + " (from the environment)"
	case e.Source == "--region":
		return "--region's endpoint " + shown
	}
	return e.Source + " " + shown
}

// Explain adds to a failure of a command that used the endpoint what the
// endpoint has to do with it:
//
//   - an endpoint that answered HTTP 404 on a path other than /graphql:
//     is the path /graphql?
//   - an endpoint from the environment (a stale variable is the likely
//     cause then), or the default: which it was and where it came from.
//
// Usage errors already name their flag or variable, and are kept; so are
// rate limits and refused credentials that AppFlags.explainRefused explained,
// which a stale endpoint does not cause (the default endpoint is still
// named for the latter: mock credentials sent to the real API are refused).
func (e Endpoint) Explain(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*UsageError](err); ok || errors.Is(err, tribe.ErrInvalidInput) || errors.Is(err, ErrReported) || errors.Is(err, tribe.ErrRateLimited) {
		return err
	}
	if he, ok := errors.AsType[*tribe.HTTPError](err); ok && he.StatusCode == http.StatusNotFound {
		if hint := e.pathHint(); hint != "" {
			return WithHint(err, hint)
		}
	}
	_, explained := errors.AsType[*refused](err)
	if (explained && e.Source != "") || (!e.fromEnv() && e.Source != "") {
		return err
	}
	hint := "the endpoint was " + e.describe()
	switch {
	case e.Source == "":
		hint += "; set --endpoint, --region eu or TRIBE_ENDPOINT for another"
	case e.Source == "TRIBE_GATEWAY_URL":
		hint += "; it is the gateway of the token minted with it: mint a new token (--output env sets both again), or unset TRIBE_GATEWAY_URL"
	default:
		hint += "; is it stale? set it again (e.g. source a new 'tribe-token mock --output env'), or pass --endpoint"
	}
	return WithHint(err, hint)
}

// pathHint asks, for an endpoint that answered 404, whether its path
// should be /graphql, as the mock's and app.tribe.so's is; "" when it is,
// when it has none (as Bettermode's regions), and for a region or a
// gateway, whose path the tool or the server chose.
func (e Endpoint) pathHint() string {
	if e.Source == "TRIBE_GATEWAY_URL" || e.Source == "--region" || e.Source == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(e.URL))
	if err != nil {
		return ""
	}
	if p := strings.TrimSuffix(u.Path, "/"); p == "" || p == "/graphql" {
		return ""
	}
	return fmt.Sprintf("is the path /graphql? %s has the path %q", e.Source, u.Path)
}

// ResolveFrom returns the endpoint the flags name, else the first
// non-empty environment variable of envVars, else the library's default
// (URL ""), and where it came from. The URL is checked by
// [Factory.CheckURLs]: plain http to a host that is not loopback is
// refused unless insecure.
func (e *EndpointFlags) ResolveFrom(f *Factory, insecure bool, envVars ...string) (Endpoint, error) {
	if err := e.Validate(); err != nil {
		return Endpoint{}, err
	}
	if e.Endpoint != "" {
		ep := Endpoint{URL: e.Endpoint, Source: "--endpoint"}
		return ep, f.CheckURLs(insecure, URLFrom{Source: "--endpoint", URL: e.Endpoint, Example: tribe.DefaultEndpoint})
	}
	if e.Region != "" {
		return Endpoint{URL: regionEndpoint(e.Region), Source: "--region"}, nil
	}
	for _, v := range envVars {
		if s := f.Env(v); s != "" {
			ep := Endpoint{URL: s, Source: v}
			return ep, f.CheckURLs(insecure, URLFrom{Source: v, URL: s, Example: tribe.DefaultEndpoint})
		}
	}
	return Endpoint{}, nil
}

// Announce says on stderr, in one line, that the default endpoint is used
// when it is: a run with no endpoint configured goes to the real API, which
// a newcomer trying a mock would not expect. Call it just before sending.
func (e Endpoint) Announce(f *Factory) {
	if e.Source == "" {
		f.Warnf("using the default endpoint %s (US); set --endpoint, --region eu or TRIBE_ENDPOINT for another", tribe.DefaultEndpoint)
	}
}

// GatewayRule is how TRIBE_GATEWAY_URL is used, for the help of the
// commands that send a token.
const GatewayRule = `TRIBE_GATEWAY_URL belongs to a token when TRIBE_GATEWAY_FOR,
which "--output env" prints beside it, is that token's fingerprint, or when
TRIBE_GATEWAY_FOR is unset; a gateway printed with another token is stale and
not used (a line on stderr says so). Minting never uses it.`

// GatewayFingerprint is what TRIBE_GATEWAY_FOR holds for a token: the
// first 16 hex digits of its SHA-256, which tie TRIBE_GATEWAY_URL to the
// token it was printed with, and say nothing of the token.
func GatewayFingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// ResolveForToken returns the endpoint a token the user gave is sent to:
// --endpoint or --region, else TRIBE_GATEWAY_URL when it belongs to this
// token, else TRIBE_ENDPOINT (without the app's credentials, should it
// carry them), else the default.
//
// TRIBE_GATEWAY_URL belongs to the token when TRIBE_GATEWAY_FOR, which
// "--output env" prints beside it, is the token's [GatewayFingerprint], or
// when TRIBE_GATEWAY_FOR is unset (a gateway set by hand). A gateway printed
// with another token is stale: it is not used, and a line on stderr says so.
func (e *EndpointFlags) ResolveForToken(f *Factory, insecure bool, token string) (Endpoint, error) {
	vars := []string{"TRIBE_GATEWAY_URL", "TRIBE_ENDPOINT"}
	if e.Endpoint == "" && e.Region == "" && f.Env("TRIBE_GATEWAY_URL") != "" {
		if fp := strings.TrimSpace(f.Env("TRIBE_GATEWAY_FOR")); fp != "" && fp != GatewayFingerprint(token) {
			vars = vars[1:]
			gw := Endpoint{URL: f.Env("TRIBE_GATEWAY_URL"), Source: "TRIBE_GATEWAY_URL"}
			f.Warnf("not using %s: TRIBE_GATEWAY_FOR says it was printed with another token", gw.describe())
		}
	}
	ep, err := e.ResolveFrom(f, insecure, vars...)
	if err != nil {
		return ep, err
	}
	// The app's credentials in TRIBE_ENDPOINT are for minting; a token is
	// sent to the endpoint without them.
	if u, perr := url.Parse(strings.TrimSpace(ep.URL)); perr == nil && u.User != nil {
		u.User = nil
		ep.URL = u.String()
	}
	return ep, nil
}
