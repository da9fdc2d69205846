package grant

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/tribe"
)

// Tribe's v1 OAuth2 token endpoint (Tribe's v1 API reference,
// Authentication: Tribe Access Token).
const (
	// TokenPath is the token endpoint's path under a community's URL.
	TokenPath = "/api/v1/oauth/token"
	// TypePassword is the RFC 6749 section 4.3 password grant.
	TypePassword = "password"
	// TypeClientSecretCredentials is Tribe's own grant: a token for any
	// user of the community, named by email, user id or external id.
	TypeClientSecretCredentials = "tribe:client_secret_credentials"
	// TypeRefreshToken is the RFC 6749 section 6 refresh grant.
	TypeRefreshToken = "refresh_token"
)

// DefaultTimeout bounds each request, from dialling to the end of the body,
// when a [Config] has no HTTPClient of its own: a server that answers a byte
// at a time cannot hold a call made with context.Background() for ever. Set
// an HTTPClient (with Timeout 0 for none) to choose otherwise.
const DefaultTimeout = httpx.DefaultTimeout

// Config is a Tribe community's v1 OAuth2 token endpoint and the app's
// client credentials (Tribe's v1 API reference, Authentication: Tribe Access
// Token). Its methods get tokens with the three grants the endpoint offers:
// [Config.PasswordToken] (RFC 6749 section 4.3), [Config.UserToken] (Tribe's
// tribe:client_secret_credentials) and [Config.Refresh] (RFC 6749 section
// 6), each with a token source that keeps the token fresh. The client id,
// the client secret and what the grant needs travel in the form body, as
// Tribe documents.
//
// Its methods are safe for concurrent use as long as the fields are not
// changed meanwhile. String and GoString hide the secret.
type Config struct {
	// CommunityURL is the community's base URL, e.g.
	// https://community.example.com; the token URL is it plus
	// [TokenPath]. Give it or TokenURL, not both.
	CommunityURL string
	// TokenURL is the token endpoint's full URL, for a server that does not
	// follow the community URL's pattern.
	TokenURL string
	// ClientID is the client id Tribe provided. Required.
	ClientID string
	// ClientSecret is the client secret Tribe provided. Required.
	ClientSecret string
	// HTTPClient sends the requests, through x/oauth2's [oauth2.HTTPClient]
	// context value; nil means http.DefaultTransport with an overall
	// timeout of [DefaultTimeout]. Its Transport is wrapped (for retries
	// and the User-Agent), never changed. Redirects are never followed,
	// whatever its CheckRedirect says: see [RedirectError].
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// URL on a host that is not
	// loopback. Leave it false: the secret, a password or a refresh token
	// would travel in clear text.
	AllowInsecureHTTP bool
	// UserAgent is sent on each request that sets none; empty means
	// tribekit/<version>.
	UserAgent string
	// Retry says how a token request is retried on transient failures
	// (429, 502, 503, 504, network errors); the zero value is the default
	// [tribe.RetryPolicy]. A refresh, which spends a rotating refresh
	// token, is retried only on 429 and 503, which say the server did not
	// act on it.
	Retry tribe.RetryPolicy
}

// User names a user for the tribe:client_secret_credentials grant
// ([Config.UserToken]): set exactly one field.
type User struct {
	// Email names the user by email address.
	Email string
	// UserID names the user by Tribe's member id.
	UserID string
	// ExternalID names the user by your product's id for them, the one
	// passed when they first signed in through your product.
	ExternalID string
}

// PasswordToken gets a token for a user from their username (or email) and
// password with the OAuth2 password grant (RFC 6749 section 4.3), for a
// phone app or a custom login form, and returns it with its RefreshToken.
// Bad settings are refused with [tribe.ErrInvalidInput] before any request;
// the server's refusal is an [*Error] (a wrong password is invalid_grant, a
// wrong client secret invalid_client: both [tribe.ErrUnauthorized]).
func (c *Config) PasswordToken(ctx context.Context, username, password string) (*oauth2.Token, error) {
	f, err := c.passwordFlow(username, password)
	if err != nil {
		return nil, err
	}
	return f.grant(ctx)
}

// PasswordTokenSource checks the settings, then returns a token source that
// does the password grant on its first use, reuses the token until shortly
// before it expires, then refreshes it with the newest refresh token,
// falling back to the password grant when the refresh token is refused
// (invalid_grant). ctx is used for every request the source makes. The
// source is safe for concurrent use.
func (c *Config) PasswordTokenSource(ctx context.Context, username, password string) (oauth2.TokenSource, error) {
	f, err := c.passwordFlow(username, password)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, ""), nil
}

// UserToken gets a token for any user of the community with Tribe's own
// grant tribe:client_secret_credentials: the client's credentials and
// exactly one of u's fields name the user. It returns the token with its
// RefreshToken. Bad settings (no identifier, or more than one) are refused
// with [tribe.ErrInvalidInput] before any request; the server's refusal is
// an [*Error].
func (c *Config) UserToken(ctx context.Context, u User) (*oauth2.Token, error) {
	f, err := c.userFlow(u)
	if err != nil {
		return nil, err
	}
	return f.grant(ctx)
}

// UserTokenSource checks the settings, then returns a token source that
// does the tribe:client_secret_credentials grant on its first use, reuses
// the token until shortly before it expires, then refreshes it with the
// newest refresh token, falling back to the grant when the refresh token is
// refused. ctx is used for every request the source makes. The source is
// safe for concurrent use.
func (c *Config) UserTokenSource(ctx context.Context, u User) (oauth2.TokenSource, error) {
	f, err := c.userFlow(u)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, ""), nil
}

// Refresh trades refreshToken once for a new token (RFC 6749 section 6).
// Tribe rotates refresh tokens: each answer carries a new one and the old
// one stops working, so keep the RefreshToken of the token returned (the
// old one if the server sent none). A refresh token the server no longer
// accepts is an [*Error] with code invalid_grant ([tribe.ErrUnauthorized]).
func (c *Config) Refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	f, err := c.refreshFlow(refreshToken)
	if err != nil {
		return nil, err
	}
	return f.refresh(ctx, refreshToken)
}

// TokenSource checks the settings, then returns a token source that trades
// refreshToken on its first use, reuses the access token until shortly
// before it expires, then trades the newest refresh token for the next. It
// never signs in again: once a refresh token is refused, so is every Token
// call. The RefreshToken of each token it returns is the newest; store it if
// the source must outlive the process. ctx is used for every request the
// source makes. The source is safe for concurrent use.
func (c *Config) TokenSource(ctx context.Context, refreshToken string) (oauth2.TokenSource, error) {
	f, err := c.refreshFlow(refreshToken)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, refreshToken), nil
}

// String describes the config without the secret.
func (c Config) String() string {
	s := "grant.Config{"
	if c.CommunityURL != "" {
		s += fmt.Sprintf("CommunityURL: %q, ", displayURL(c.CommunityURL, c.ClientSecret))
	}
	if c.TokenURL != "" {
		s += fmt.Sprintf("TokenURL: %q, ", displayURL(c.TokenURL, c.ClientSecret))
	}
	s += fmt.Sprintf("ClientID: %q, ClientSecret: %s", c.ClientID, hidden(c.ClientSecret))
	if c.AllowInsecureHTTP {
		s += ", AllowInsecureHTTP: true"
	}
	if c.UserAgent != "" {
		s += fmt.Sprintf(", UserAgent: %q", c.UserAgent)
	}
	return s + "}"
}

// GoString is String, so %#v hides the secret too.
func (c Config) GoString() string { return c.String() }

// passwordFlow checks the settings of a password grant.
func (c *Config) passwordFlow(username, password string) (*flow, error) {
	if c == nil {
		return nil, nilConfig()
	}
	f, err := c.checkPassword(username, password)
	// Keep a secret out even if it was pasted into the wrong place.
	return f, redactError(err, c.ClientSecret, password)
}

func (c *Config) checkPassword(username, password string) (*flow, error) {
	f, err := c.newFlow("password grant")
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(username) == "":
		return nil, invalidf("the username is empty; pass the user's username or email to PasswordToken")
	case username != strings.TrimSpace(username) || hasControl(username):
		return nil, invalidf("the username %q has spaces or control characters around or in it; give it bare", username)
	case password == "":
		return nil, invalidf("the password is empty; pass the user's password to PasswordToken")
	}
	f.secrets = append(f.secrets, password)
	f.grant = func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := f.conf.PasswordCredentialsToken(f.context(ctx), username, password)
		return f.result(tok, err, "password grant for "+username)
	}
	return f, nil
}

// userFlow checks the settings of a tribe:client_secret_credentials grant.
func (c *Config) userFlow(u User) (*flow, error) {
	if c == nil {
		return nil, nilConfig()
	}
	f, err := c.checkUser(u)
	return f, redactError(err, c.ClientSecret)
}

func (c *Config) checkUser(u User) (*flow, error) {
	f, err := c.newFlow(TypeClientSecretCredentials + " grant")
	if err != nil {
		return nil, err
	}
	var key, value, who string
	n := 0
	for _, id := range []struct{ key, field, value string }{
		{"email", "Email", u.Email},
		{"user_id", "UserID", u.UserID},
		{"external_id", "ExternalID", u.ExternalID},
	} {
		if id.value == "" {
			continue
		}
		n++
		if id.value != strings.TrimSpace(id.value) || hasControl(id.value) {
			return nil, invalidf("User.%s %q has spaces or control characters around or in it; give it bare", id.field, id.value)
		}
		key, value, who = id.key, id.value, id.key+" "+id.value
	}
	switch {
	case n == 0:
		return nil, invalidf("no user is named; set exactly one of User.Email, User.UserID (Tribe's member id) or User.ExternalID (your product's user id)")
	case n > 1:
		return nil, invalidf("%d of User.Email, User.UserID and User.ExternalID are set; Tribe takes exactly one, so keep one and clear the others", n)
	case key == "email" && !strings.Contains(value, "@"):
		return nil, invalidf("User.Email %q is not an email address; give one like user@example.com, or use User.UserID or User.ExternalID", value)
	}
	cc := &clientcredentials.Config{
		ClientID:     f.conf.ClientID,
		ClientSecret: f.conf.ClientSecret,
		TokenURL:     f.conf.Endpoint.TokenURL,
		// clientcredentials lets EndpointParams replace grant_type.
		EndpointParams: url.Values{"grant_type": {TypeClientSecretCredentials}, key: {value}},
		AuthStyle:      oauth2.AuthStyleInParams,
	}
	f.grant = func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := cc.Token(f.context(ctx))
		return f.result(tok, err, TypeClientSecretCredentials+" grant for "+who)
	}
	return f, nil
}

// refreshFlow checks the settings of a refresh.
func (c *Config) refreshFlow(refreshToken string) (*flow, error) {
	if c == nil {
		return nil, nilConfig()
	}
	f, err := c.checkRefresh(refreshToken)
	return f, redactError(err, c.ClientSecret, refreshToken)
}

func (c *Config) checkRefresh(refreshToken string) (*flow, error) {
	f, err := c.newFlow("refresh grant")
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(refreshToken) == "":
		return nil, invalidf("the refresh token is empty; pass the refresh_token a grant returned")
	case hasControl(refreshToken) || refreshToken != strings.TrimSpace(refreshToken):
		return nil, invalidf("the refresh token has spaces or control characters around or in it (a stray newline from a file?); trim it")
	}
	return f, nil
}

// nilConfig is the error of a method called on a nil *Config.
func nilConfig() error {
	return invalidf("the *Config is nil; call the method on a Config with CommunityURL, ClientID and ClientSecret set")
}

// redactError returns err with secrets and anything credential-shaped kept
// out of its text (see internal/redact); nil for nil.
func redactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	return scrub(err, secrets)
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
