package tribe

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/retry"
)

// App is a Tribe app's settings: its client id and secret and the GraphQL
// endpoint to mint tokens at. Its methods are safe for concurrent use as long
// as the fields are not changed meanwhile.
//
// String and GoString never show the secret, so an App may be logged.
type App struct {
	// ClientID is the app's client id. It may instead be given in Endpoint's
	// userinfo (https://ID:SECRET@host/graphql), the form Tribe's docs show.
	ClientID string
	// ClientSecret is the app's client secret; see ClientID.
	ClientSecret string
	// Endpoint is the GraphQL endpoint. Empty means [DefaultEndpoint]; see
	// also [EndpointUS] and [EndpointEU]. Credentials in its userinfo move
	// to the Authorization header and never appear in any text.
	Endpoint string
	// HTTPClient sends the requests; nil means http.DefaultTransport with
	// an overall timeout of [DefaultHTTPTimeout] a request. Its Transport is
	// wrapped, never changed.
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// endpoint on a host that is
	// not loopback. Leave it false: the secret would travel in clear text.
	AllowInsecureHTTP bool
	// CheckGateway, if set, has the last word on the gatewayUrl a mint
	// returns, before a [Client] sends a token there: return an error to
	// refuse it (an allow-list of hosts, say). It is called with the
	// endpoint the mint went to and the gatewayUrl, after the built-in
	// rule, which it can only make stricter:
	//   - an https gatewayUrl is trusted;
	//   - a plain http one only on a loopback host, and only while Endpoint
	//     is itself plain http on loopback (a local test server), or, with
	//     AllowInsecureHTTP, on Endpoint's own host when Endpoint is plain
	//     http;
	//   - from an https Endpoint, never plain http, not even on loopback.
	// A refused gatewayUrl makes [App.Client] fail, and a cache's token requests (package
	// github.com/tribekit/tribekit/tribe/cache) fail, with
	// [ErrUntrustedGateway]. It must be safe for concurrent use.
	CheckGateway func(endpoint, gateway *url.URL) error
	// UserAgent is sent as the User-Agent of every request; empty means
	// "tribekit/" and this module's version. A User-Agent that the
	// HTTPClient's own transport sets wins.
	UserAgent string
	// Pacer, if set, keeps the calls of the app's clients ([App.Client])
	// under its rate limits in each community; see [Pacer].
	Pacer *Pacer
	// Retry says how minting is retried on transient failures, and how the
	// app's clients ([App.Client]) retry calls the API rate-limited; the
	// zero value is the default policy (see [RetryPolicy]).
	Retry RetryPolicy
}

// String describes the app without its secret.
func (a App) String() string {
	ep := a.Endpoint
	if ep == "" {
		ep = DefaultEndpoint
	}
	secret := "unset"
	if a.ClientSecret != "" {
		secret = redact.Marker
	}
	id := a.ClientID
	if a.ClientSecret != "" {
		id = redact.String(id, a.ClientSecret) // a secret pasted into the id
	}
	return fmt.Sprintf("tribe.App{ClientID: %q, ClientSecret: %s, Endpoint: %q}", id, secret, redactURL(ep))
}

// GoString is String, so %#v hides the secret too.
func (a App) GoString() string { return a.String() }

// appConfig is an App's checked settings.
type appConfig struct {
	id, secret string
	ep         endpoint
	hc         *http.Client // &client: with Basic auth on the endpoint's host
	insecure   bool         // AllowInsecureHTTP
	retry      RetryPolicy
	rate       rateRetry // retry's, for the mint's rate-limit refusals
	ua         string    // the User-Agent
	gateway    func(endpoint, gateway *url.URL) error

	// The mint's client and its transports, kept here so that a config
	// (one per App.Mint) is one allocation, not five.
	client  http.Client
	basic   basicAuthTransport
	retries retry.Transport
}

// config checks the app's settings and returns them ready for a request.
func (a *App) config() (*appConfig, error) { return a.configWith(DefaultHTTPTimeout) }

// configWith is config with the timeout of the client it makes when the
// app has no HTTPClient (tests shorten it).
func (a *App) configWith(timeout time.Duration) (*appConfig, error) {
	if a == nil {
		return nil, invalidf("nil *App")
	}
	raw := a.Endpoint
	if raw == "" {
		raw = DefaultEndpoint
	}
	ep, err := parseEndpoint(raw, a.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	id, secret := a.ClientID, a.ClientSecret
	if ep.HasUser {
		if (id != "" && id != ep.User) || (secret != "" && ep.HasPasswd && secret != ep.Password) {
			return nil, invalidf("the client credentials are given twice, in App.ClientID/ClientSecret and in the endpoint's userinfo, and they differ; give them once")
		}
		id = ep.User
		if ep.HasPasswd {
			secret = ep.Password
		}
	}
	switch {
	case strings.TrimSpace(id) == "":
		return nil, invalidf("the client id is empty; set App.ClientID to your app's client id (TRIBE_CLIENT_ID for the CLI)")
	case strings.TrimSpace(secret) == "":
		return nil, invalidf("the client secret is empty; set App.ClientSecret to your app's client secret (TRIBE_CLIENT_SECRET for the CLI)")
	case strings.Contains(id, ":"):
		// Not quoted: "id:secret" pasted whole is the likely cause.
		return nil, invalidf("the client id contains a colon, which HTTP Basic auth cannot carry (RFC 7617); check that it is the client id alone, without the secret")
	case hasControl(id) || id != strings.TrimSpace(id):
		return nil, invalidf("the client id has spaces or control characters around or in it (a stray newline?); give it bare")
	case hasControl(secret) || secret != strings.TrimSpace(secret):
		return nil, invalidf("the client secret has spaces or control characters around or in it (a stray newline from a file?); trim it")
	}
	cfg := &appConfig{id: id, secret: secret, ep: ep, insecure: a.AllowInsecureHTTP, gateway: a.CheckGateway, retry: a.Retry,
		rate: a.Retry.rateRetry(false), ua: userAgent(a.UserAgent)}
	// The caller's client, or one with the timeout, sending through Basic
	// auth over retries over its transport. The mint sets its own
	// User-Agent on its requests (see ua).
	base := httpx.Into(&cfg.client, a.HTTPClient, timeout)
	cfg.retries = retry.Transport{Policy: a.Retry.policy().WithDefaults(), Base: base}
	cfg.basic = *newBasicAuthTransport(id, secret, ep.Scheme, ep.Host, &cfg.retries)
	cfg.client.Transport = &cfg.basic
	cfg.hc = &cfg.client
	return cfg, nil
}

// Validate checks the app's settings as every request does, without
// sending anything: bad input is refused with [ErrInvalidInput], saying
// what to fix. Call it at start-up to fail fast.
func (a *App) Validate() error {
	_, err := a.config()
	return err
}

// Namespace names the app's tokens in a store shared by many processes or
// caches: its endpoint and client id, never its secret. Two Apps with the
// same namespace mint the same tokens. It is empty when the settings are
// not valid.
func (a *App) Namespace() string {
	cfg, err := a.config()
	if err != nil {
		return ""
	}
	return url.PathEscape(cfg.ep.URL) + "|" + url.PathEscape(cfg.id)
}

// hasControl reports whether s has an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
