package crm

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// Config describes a Tribe CRM application (Configuration > Applications in
// the CRM) and where its OAuth 2.0 server lives. See
// https://developer.tribecrm.nl/docs/api/concepts/authentication.
//
// Methods check the fields they need and refuse bad values before any
// request, with an error "crm: <what is wrong>; <how to fix it>" matching
// [ErrInvalidInput]. A Config is safe for concurrent use by its methods as
// long as no one changes its fields; token sources copy it when created. Its
// String and GoString never show the client secret.
type Config struct {
	// ClientID is the application's client ID. Required.
	ClientID string

	// ClientSecret is the application's secret. Required: the CRM asks for
	// it in every token request.
	ClientSecret string

	// Endpoint holds the authorization and token URLs. An empty AuthURL or
	// TokenURL means [DefaultAuthURL] or [DefaultTokenURL]. AuthStyle
	// oauth2.AuthStyleAutoDetect (the zero value) means
	// oauth2.AuthStyleInParams here, the way the CRM's documentation sends
	// the client credentials; set oauth2.AuthStyleInHeader for HTTP Basic.
	Endpoint oauth2.Endpoint

	// RedirectURL is the redirect URL registered with the application.
	// Required for the authorization code flow and for every refresh,
	// where the CRM wants the redirect_uri used when the user authorized.
	RedirectURL string

	// Scopes are the scopes to ask for, e.g. [ScopeRead], [ScopeWrite],
	// [ScopeOffline]. Ask for offline to get a refresh token.
	Scopes []string

	// HTTPClient, if not nil, sends the token requests. Otherwise the
	// client in the context under oauth2.HTTPClient is used, or else a
	// fresh client with an overall timeout of [DefaultTimeout] (30 s), so
	// a slow or silent server cannot hang a token request. Whichever it
	// is, a copy of it is used that follows no redirect: a 3xx answer is a
	// [*RedirectError] and the credentials are not sent again.
	HTTPClient *http.Client

	// UserAgent is the User-Agent header of each token request; empty
	// means "tribekit/" and the module's version.
	UserAgent string

	// AllowInsecureHTTP lets the auth and token URLs use plain http to a
	// host that is not loopback. Leave it false outside tests: without it
	// such a URL is refused before anything is sent, since the client
	// secret, codes and tokens would cross the network in clear text.
	// http to 127.0.0.0/8, ::1 or "localhost" is always allowed.
	AllowInsecureHTTP bool

	// DisablePKCE turns off PKCE (RFC 7636) for a server that refuses it.
	// By default [Config.NewAuthRequest] and [LoopbackLogin] send an S256
	// code_challenge with the authorization request and the matching
	// code_verifier with the code exchange, so a stolen code is useless.
	DisablePKCE bool

	// defaultTimeout, if not zero, replaces DefaultTimeout for the client
	// made when HTTPClient is nil (tests shorten it).
	defaultTimeout time.Duration
}

// String describes c without its client secret.
func (c Config) String() string {
	secret := "<empty>"
	if c.ClientSecret != "" {
		secret = redact.Marker
	}
	return fmt.Sprintf("crm.Config{ClientID: %q, ClientSecret: %s, AuthURL: %q, TokenURL: %q, RedirectURL: %q, Scopes: %q}",
		c.ClientID, secret, c.authURL(), c.tokenURL(), c.RedirectURL, c.Scopes)
}

// GoString is String, so %#v does not show the client secret either.
func (c Config) GoString() string { return c.String() }

func (c *Config) authURL() string {
	if c.Endpoint.AuthURL == "" {
		return DefaultAuthURL
	}
	return c.Endpoint.AuthURL
}

func (c *Config) tokenURL() string {
	if c.Endpoint.TokenURL == "" {
		return DefaultTokenURL
	}
	return c.Endpoint.TokenURL
}

func (c *Config) authStyle() oauth2.AuthStyle {
	if c.Endpoint.AuthStyle == oauth2.AuthStyleAutoDetect {
		return oauth2.AuthStyleInParams
	}
	return c.Endpoint.AuthStyle
}

// oauth2Config returns the golang.org/x/oauth2 view of c, with defaults
// filled in and its own copy of Scopes.
func (c *Config) oauth2Config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.authURL(),
			TokenURL:  c.tokenURL(),
			AuthStyle: c.authStyle(),
		},
		RedirectURL: c.RedirectURL,
		Scopes:      slices.Clone(c.Scopes),
	}
}

// clone returns a copy of c that shares nothing mutable with it.
func (c *Config) clone() *Config {
	cp := *c
	cp.Scopes = slices.Clone(c.Scopes)
	return &cp
}

// What a method needs from a Config.
type need int

const (
	needAuthURL need = 1 << iota
	needTokenURL
	needRedirect
	needSecret
)

// check refuses a Config that lacks what a method needs.
func (c *Config) check(n need) error {
	if c == nil {
		return invalidf("the *Config is nil; pass a *crm.Config with at least ClientID and ClientSecret set")
	}
	if strings.TrimSpace(c.ClientID) == "" {
		return invalidf("Config.ClientID is empty; set it to the application's client ID (Configuration > Applications in the CRM)")
	}
	if n&needSecret != 0 && c.ClientSecret == "" {
		return invalidf("Config.ClientSecret is empty; set it to the application's secret (Configuration > Applications in the CRM), which every token request sends")
	}
	if n&needAuthURL != 0 {
		if err := checkSecureURL("Config.Endpoint.AuthURL", c.authURL(), DefaultAuthURL, c.AllowInsecureHTTP, "Config.AllowInsecureHTTP"); err != nil {
			return err
		}
	}
	if n&needTokenURL != 0 {
		if err := checkSecureURL("Config.Endpoint.TokenURL", c.tokenURL(), DefaultTokenURL, c.AllowInsecureHTTP, "Config.AllowInsecureHTTP"); err != nil {
			return err
		}
	}
	if n&needRedirect != 0 {
		if c.RedirectURL == "" {
			return invalidf("Config.RedirectURL is empty; set it to the redirect URL registered with the application, which the CRM requires here")
		}
		if err := checkRedirectURL(c.RedirectURL, exampleRedirectURL); err != nil {
			return err
		}
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return invalidf("Config.Scopes holds %q, not one non-empty word; give each scope as its own element, e.g. []string{crm.ScopeRead, crm.ScopeOffline}", s)
		}
	}
	return nil
}
