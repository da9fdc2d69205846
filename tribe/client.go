package tribe

import (
	"context"
	"net/http"
	"time"

	"github.com/Khan/genqlient/graphql"
	"golang.org/x/oauth2"
)

// ClientConfig is the settings of a [Client].
type ClientConfig struct {
	// Endpoint is the GraphQL endpoint to call; empty means
	// [DefaultEndpoint]. It must not carry credentials.
	Endpoint string
	// HTTPClient sends the requests; nil means http.DefaultTransport with
	// an overall timeout of [DefaultHTTPTimeout] a request. Its Transport is
	// wrapped, never changed.
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// endpoint on a host that is
	// not loopback, where tokens would travel in clear text.
	AllowInsecureHTTP bool
	// UserAgent is sent as the User-Agent of every request; empty means
	// "tribekit/" and this module's version.
	UserAgent string
	// Retry says how a call the API rate-limited (code 104 or HTTP 429) is
	// sent again: after the Retry-After the server gives, or
	// RateLimitWait, within MaxAttempts and MaxElapsed and never past the
	// call's context. The zero value is the default [RetryPolicy]; set
	// MaxAttempts to 1 to turn it off. Other failures are not retried: a
	// mutation must not run twice.
	Retry RetryPolicy
	// Pacer, if set, delays a call that would pass the app's rate limits
	// in its community instead of sending it. Share one between the
	// clients of an app.
	Pacer *Pacer
}

// Client makes GraphQL calls to Tribe with a token from a token source as
// "Authorization: Bearer" (the schema @tribeplatform/gql-client publishes). It is safe for
// concurrent use if its token source is.
type Client struct {
	endpoint string
	gql      *gqlClient
}

// NewClient returns a client that calls cfg.Endpoint with tokens from ts.
// Any [oauth2.TokenSource] will do: [App.TokenSource], a grant's, or
// oauth2.StaticTokenSource for a token you already hold.
func NewClient(ts oauth2.TokenSource, cfg ClientConfig) (*Client, error) {
	return newClient(ts, cfg, DefaultHTTPTimeout)
}

// newClient is NewClient with the timeout of a client made for cfg when
// it has no HTTPClient (tests shorten it).
func newClient(ts oauth2.TokenSource, cfg ClientConfig, timeout time.Duration) (*Client, error) {
	if ts == nil {
		return nil, invalidf("nil token source")
	}
	raw := cfg.Endpoint
	if raw == "" {
		raw = DefaultEndpoint
	}
	ep, err := parseEndpoint(raw, cfg.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	if ep.HasUser {
		return nil, invalidf("the client's endpoint %q carries credentials; a Client authenticates with its token, so give the endpoint without them", ep.URL)
	}
	hc := withTransport(cfg.HTTPClient, timeout, cfg.UserAgent, func(base http.RoundTripper) http.RoundTripper {
		return &bearerTransport{source: ts, scheme: ep.Scheme, host: ep.Host, base: base, pacer: cfg.Pacer}
	})
	gc := &gqlClient{endpoint: ep.URL, hc: hc, rate: cfg.Retry.rateRetry(true), pacer: cfg.Pacer, userAgent: userAgent(cfg.UserAgent)}
	if its, ok := ts.(InvalidatingTokenSource); ok {
		gc.retryAuth = func(ctx context.Context, used *oauth2.Token) bool {
			if used == nil {
				return false
			}
			its.Invalidate(ctx, used)
			return true
		}
	}
	return &Client{endpoint: ep.URL, gql: gc}, nil
}

// Client returns a client that calls Tribe with tokens from ts, usually
// the app's own ([App.TokenSource]) or a cache's. It takes one token now
// (within ctx, when ts is an [InvalidatingTokenSource]) to learn the
// gatewayUrl the mint returned: the client talks to that gateway if the rule
// of [App.CheckGateway] trusts it (else Client fails with
// [ErrUntrustedGateway]), and to the app's endpoint when there is none.
// When ts is an [InvalidatingTokenSource], a token the API refuses (code 108
// or HTTP 401) is invalidated and the call sent once more with a new one.
// The app's secret is kept out of the client's errors.
func (a *App) Client(ctx context.Context, ts oauth2.TokenSource) (*Client, error) {
	if ts == nil {
		return nil, invalidf("the token source is nil; pass the one App.TokenSource or a cache returns")
	}
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	var tok *oauth2.Token
	if its, ok := ts.(InvalidatingTokenSource); ok {
		tok, err = its.TokenContext(ctx)
	} else {
		tok, err = ts.Token()
	}
	if err != nil {
		return nil, err
	}
	endpoint := cfg.ep.URL
	if gw := GatewayURL(tok); gw != "" {
		if endpoint, err = checkGateway(cfg.ep, gw, cfg.insecure, cfg.gateway); err != nil {
			return nil, err
		}
	}
	cl, err := NewClient(ts, ClientConfig{Endpoint: endpoint, HTTPClient: a.HTTPClient, AllowInsecureHTTP: a.AllowInsecureHTTP, UserAgent: a.UserAgent, Retry: a.Retry, Pacer: a.Pacer})
	if err != nil {
		return nil, err
	}
	cl.gql.secrets = []string{cfg.secret}
	return cl, nil
}

// Endpoint returns the GraphQL endpoint the client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// GraphQL returns the client as a genqlient graphql.Client, to run any
// generated operation with the client's token. Its errors are this package's
// typed errors ([*ResponseError], [*HTTPError]).
func (c *Client) GraphQL() graphql.Client { return c.gql }

// AuthMember returns the member the token acts as: for a bot token, the
// app's bot member of the community.
func (c *Client) AuthMember(ctx context.Context) (*Member, error) {
	resp, err := authMember(ctx, c.gql)
	if err != nil {
		return nil, wrapf(err, "asking who the token acts as")
	}
	if resp.AuthMember == nil {
		return nil, wrapf(ErrNotFound, "authMember: the server returned no member")
	}
	return newMember(&resp.AuthMember.memberFields), nil
}

// Network returns the community the token belongs to.
func (c *Client) Network(ctx context.Context) (*Network, error) {
	resp, err := network(ctx, c.gql)
	if err != nil {
		return nil, wrapf(err, "asking for the token's community")
	}
	if resp.Network == nil {
		return nil, wrapf(ErrNotFound, "network: the server returned no community")
	}
	return newNetwork(resp.Network), nil
}
