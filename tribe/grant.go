package tribe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Tribe's v1 OAuth2 token endpoint (TRIBE_API.md section 4).
const (
	// OAuthTokenPath is the token endpoint's path under a community's URL.
	OAuthTokenPath = "/api/v1/oauth/token"
	// GrantTypePassword is the RFC 6749 section 4.3 password grant.
	GrantTypePassword = "password"
	// GrantTypeClientSecretCredentials is Tribe's own grant: a token for any
	// user of the community, named by email, user id or external id.
	GrantTypeClientSecretCredentials = "tribe:client_secret_credentials"
	// GrantTypeRefreshToken is the RFC 6749 section 6 refresh grant.
	GrantTypeRefreshToken = "refresh_token"
)

// PasswordGrant gets a token for a user from their username (or email) and
// password with the OAuth2 password grant at Tribe's v1 token endpoint
// (TRIBE_API.md section 4; RFC 6749 section 4.3), for a phone app or a custom
// login form. The client id, client secret, username and password travel in
// the form body, as Tribe documents.
//
// Its methods are safe for concurrent use as long as the fields are not
// changed meanwhile. String and GoString hide the secret and the password.
type PasswordGrant struct {
	// CommunityURL is the community's base URL, e.g.
	// https://community.example.com; the token URL is it plus
	// [OAuthTokenPath]. Give it or TokenURL, not both.
	CommunityURL string
	// TokenURL is the token endpoint's full URL, for a server that does not
	// follow the community URL's pattern.
	TokenURL string
	// ClientID is the client id Tribe provided. Required.
	ClientID string
	// ClientSecret is the client secret Tribe provided. Required.
	ClientSecret string
	// Username is the user's username or email. Required.
	Username string
	// Password is the user's password. Required.
	Password string
	// HTTPClient sends the requests, through x/oauth2's [oauth2.HTTPClient]
	// context value; nil means http.DefaultClient's settings. Its
	// Transport is wrapped (for retries), never changed.
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// URL on a host that is not
	// loopback. Leave it false: the password would travel in clear text.
	AllowInsecureHTTP bool
	// Retry says how the token request is retried on transient failures
	// (429, 502, 503, 504, network errors); the zero value is the default
	// [RetryPolicy]. A refresh, which spends a rotating refresh token, is
	// retried only on 429 and 503, which say the server did not act on it.
	Retry RetryPolicy
}

// ExchangeGrant gets a token for any user of a community with Tribe's own
// grant type tribe:client_secret_credentials (TRIBE_API.md section 4): the
// client's credentials and exactly one of Email, UserID or ExternalID name
// the user. Everything travels in the form body.
//
// Its methods are safe for concurrent use as long as the fields are not
// changed meanwhile. String and GoString hide the secret.
type ExchangeGrant struct {
	// CommunityURL is the community's base URL; see [PasswordGrant].
	CommunityURL string
	// TokenURL is the token endpoint's full URL; see [PasswordGrant].
	TokenURL string
	// ClientID is the client id Tribe provided. Required.
	ClientID string
	// ClientSecret is the client secret Tribe provided. Required.
	ClientSecret string
	// Email names the user by email address.
	Email string
	// UserID names the user by Tribe's member id.
	UserID string
	// ExternalID names the user by your product's id for them, the one
	// passed when they first signed in through your product.
	ExternalID string
	// HTTPClient sends the requests; see [PasswordGrant].
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// URL on a host that is not
	// loopback. Leave it false: the secret would travel in clear text.
	AllowInsecureHTTP bool
	// Retry says how the token request is retried on transient failures
	// (429, 502, 503, 504, network errors); the zero value is the default
	// [RetryPolicy]. A refresh, which spends a rotating refresh token, is
	// retried only on 429 and 503, which say the server did not act on it.
	Retry RetryPolicy
}

// RefreshGrant trades a refresh token for a new access token at Tribe's v1
// token endpoint (RFC 6749 section 6). Tribe rotates refresh tokens: each
// answer carries a new one and the old one stops working, so keep the
// RefreshToken of the token you get back.
//
// Its methods are safe for concurrent use as long as the fields are not
// changed meanwhile. String and GoString hide the secret and the token.
type RefreshGrant struct {
	// CommunityURL is the community's base URL; see [PasswordGrant].
	CommunityURL string
	// TokenURL is the token endpoint's full URL; see [PasswordGrant].
	TokenURL string
	// ClientID is the client id Tribe provided. Required.
	ClientID string
	// ClientSecret is the client secret Tribe provided. Required.
	ClientSecret string
	// RefreshToken is the refresh token to trade. Required.
	RefreshToken string
	// HTTPClient sends the requests; see [PasswordGrant].
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// URL on a host that is not
	// loopback. Leave it false: the secret would travel in clear text.
	AllowInsecureHTTP bool
	// Retry says how the token request is retried on transient failures
	// (429, 502, 503, 504, network errors); the zero value is the default
	// [RetryPolicy]. A refresh, which spends a rotating refresh token, is
	// retried only on 429 and 503, which say the server did not act on it.
	Retry RetryPolicy
}

// Token does the password grant once and returns the token, with its
// RefreshToken. Bad settings are refused with [ErrInvalidInput] before any
// request; the server's refusal is an [*OAuthError] (a wrong password is
// invalid_grant, a wrong client secret invalid_client: both
// [ErrUnauthorized]).
func (g *PasswordGrant) Token(ctx context.Context) (*oauth2.Token, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.grant(ctx)
}

// TokenSource checks the settings, then returns a token source that does
// the password grant on its first use, reuses the token until shortly before
// it expires, then refreshes it with the newest refresh token, falling back
// to the password grant when the refresh token is refused (invalid_grant).
// ctx is used for every request the source makes. The source is safe for
// concurrent use.
func (g *PasswordGrant) TokenSource(ctx context.Context) (oauth2.TokenSource, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, ""), nil
}

// String describes the grant without the secret or the password.
func (g PasswordGrant) String() string {
	return fmt.Sprintf("tribe.PasswordGrant{%s, Username: %q, Password: %s}",
		clientString(g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret), g.Username, hidden(g.Password))
}

// GoString is String, so %#v hides the secrets too.
func (g PasswordGrant) GoString() string { return g.String() }

func (g *PasswordGrant) flow(ctx context.Context) (*grantFlow, error) {
	if g == nil {
		return nil, invalidf("password grant: nil *PasswordGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret, g.Password}), "password grant")
	}
	return f, nil
}

func (g *PasswordGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "password grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP, g.Retry)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(g.Username) == "":
		return nil, invalidf("the username is empty; set PasswordGrant.Username to the user's username or email")
	case g.Username != strings.TrimSpace(g.Username) || hasControl(g.Username):
		return nil, invalidf("the username %q has spaces or control characters around or in it; give it bare", g.Username)
	case g.Password == "":
		return nil, invalidf("the password is empty; set PasswordGrant.Password to the user's password")
	}
	user, password := g.Username, g.Password
	f.secrets = append(f.secrets, password)
	f.grant = func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := f.conf.PasswordCredentialsToken(f.context(ctx), user, password)
		return f.result(tok, err, "password grant for "+user)
	}
	return f, nil
}

// Token does the tribe:client_secret_credentials grant once and returns the
// token, with its RefreshToken. Bad settings (no identifier, or more than
// one) are refused with [ErrInvalidInput] before any request; the server's
// refusal is an [*OAuthError].
func (g *ExchangeGrant) Token(ctx context.Context) (*oauth2.Token, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.grant(ctx)
}

// TokenSource checks the settings, then returns a token source that does
// the grant on its first use, reuses the token until shortly before it
// expires, then refreshes it with the newest refresh token, falling back to
// the grant when the refresh token is refused. ctx is used for every request
// the source makes. The source is safe for concurrent use.
func (g *ExchangeGrant) TokenSource(ctx context.Context) (oauth2.TokenSource, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, ""), nil
}

// String describes the grant without the secret.
func (g ExchangeGrant) String() string {
	return fmt.Sprintf("tribe.ExchangeGrant{%s, Email: %q, UserID: %q, ExternalID: %q}",
		clientString(g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret), g.Email, g.UserID, g.ExternalID)
}

// GoString is String, so %#v hides the secret too.
func (g ExchangeGrant) GoString() string { return g.String() }

func (g *ExchangeGrant) flow(ctx context.Context) (*grantFlow, error) {
	if g == nil {
		return nil, invalidf("exchange grant: nil *ExchangeGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret}), "exchange grant")
	}
	return f, nil
}

func (g *ExchangeGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "exchange grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP, g.Retry)
	if err != nil {
		return nil, err
	}
	var key, value, who string
	n := 0
	for _, id := range []struct{ key, field, value string }{
		{"email", "Email", g.Email},
		{"user_id", "UserID", g.UserID},
		{"external_id", "ExternalID", g.ExternalID},
	} {
		if id.value == "" {
			continue
		}
		n++
		if id.value != strings.TrimSpace(id.value) || hasControl(id.value) {
			return nil, invalidf("ExchangeGrant.%s %q has spaces or control characters around or in it; give it bare", id.field, id.value)
		}
		key, value, who = id.key, id.value, id.key+" "+id.value
	}
	switch {
	case n == 0:
		return nil, invalidf("no user is named; set exactly one of ExchangeGrant.Email, UserID (Tribe's member id) or ExternalID (your product's user id)")
	case n > 1:
		return nil, invalidf("%d of ExchangeGrant.Email, UserID and ExternalID are set; Tribe takes exactly one, so keep one and clear the others", n)
	case key == "email" && !strings.Contains(value, "@"):
		return nil, invalidf("ExchangeGrant.Email %q is not an email address; give one like user@example.com, or use UserID or ExternalID", value)
	}
	cc := &clientcredentials.Config{
		ClientID:     f.conf.ClientID,
		ClientSecret: f.conf.ClientSecret,
		TokenURL:     f.conf.Endpoint.TokenURL,
		// clientcredentials lets EndpointParams replace grant_type.
		EndpointParams: url.Values{"grant_type": {GrantTypeClientSecretCredentials}, key: {value}},
		AuthStyle:      oauth2.AuthStyleInParams,
	}
	f.grant = func(ctx context.Context) (*oauth2.Token, error) {
		tok, err := cc.Token(f.context(ctx))
		return f.result(tok, err, "exchange grant for "+who)
	}
	return f, nil
}

// Token trades the refresh token once and returns the new token; its
// RefreshToken is the one to keep (the old one if the server sent none).
// A refresh token the server no longer accepts is an [*OAuthError] with
// code invalid_grant ([ErrUnauthorized]).
func (g *RefreshGrant) Token(ctx context.Context) (*oauth2.Token, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.refresh(ctx, g.RefreshToken)
}

// TokenSource checks the settings, then returns a token source that trades
// the refresh token on its first use, reuses the access token until shortly
// before it expires, then trades the newest refresh token for the next. The
// RefreshToken of each token it returns is the newest; store it if the
// source must outlive the process. ctx is used for every request the source
// makes. The source is safe for concurrent use.
func (g *RefreshGrant) TokenSource(ctx context.Context) (oauth2.TokenSource, error) {
	f, err := g.flow(ctx)
	if err != nil {
		return nil, err
	}
	return f.source(ctx, g.RefreshToken), nil
}

// String describes the grant without the secret or the refresh token.
func (g RefreshGrant) String() string {
	return fmt.Sprintf("tribe.RefreshGrant{%s, RefreshToken: %s}",
		clientString(g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret), hidden(g.RefreshToken))
}

// GoString is String, so %#v hides the secrets too.
func (g RefreshGrant) GoString() string { return g.String() }

func (g *RefreshGrant) flow(ctx context.Context) (*grantFlow, error) {
	if g == nil {
		return nil, invalidf("refresh grant: nil *RefreshGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret, g.RefreshToken}), "refresh grant")
	}
	return f, nil
}

func (g *RefreshGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "refresh grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP, g.Retry)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(g.RefreshToken) == "":
		return nil, invalidf("the refresh token is empty; set RefreshGrant.RefreshToken to the refresh_token a grant returned")
	case hasControl(g.RefreshToken) || g.RefreshToken != strings.TrimSpace(g.RefreshToken):
		return nil, invalidf("the refresh token has spaces or control characters around or in it (a stray newline from a file?); trim it")
	}
	return f, nil
}
