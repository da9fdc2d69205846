package tribe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

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
	// context value; nil means http.DefaultClient.
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// URL on a host that is not
	// loopback. Leave it false: the password would travel in clear text.
	AllowInsecureHTTP bool
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
		return nil, wrapf(ErrInvalidInput, "password grant: nil *PasswordGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret, g.Password}), "password grant")
	}
	return f, nil
}

func (g *PasswordGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "password grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(g.Username) == "":
		return nil, fmt.Errorf("%w: the username is empty; set PasswordGrant.Username to the user's username or email", ErrInvalidInput)
	case g.Username != strings.TrimSpace(g.Username) || hasControl(g.Username):
		return nil, fmt.Errorf("%w: the username %q has spaces or control characters around or in it; give it bare", ErrInvalidInput, g.Username)
	case g.Password == "":
		return nil, fmt.Errorf("%w: the password is empty; set PasswordGrant.Password to the user's password", ErrInvalidInput)
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
		return nil, wrapf(ErrInvalidInput, "exchange grant: nil *ExchangeGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret}), "exchange grant")
	}
	return f, nil
}

func (g *ExchangeGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "exchange grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP)
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
			return nil, fmt.Errorf("%w: ExchangeGrant.%s %q has spaces or control characters around or in it; give it bare", ErrInvalidInput, id.field, id.value)
		}
		key, value, who = id.key, id.value, id.key+" "+id.value
	}
	switch {
	case n == 0:
		return nil, fmt.Errorf("%w: no user is named; set exactly one of ExchangeGrant.Email, UserID (Tribe's member id) or ExternalID (your product's user id)", ErrInvalidInput)
	case n > 1:
		return nil, fmt.Errorf("%w: %d of ExchangeGrant.Email, UserID and ExternalID are set; Tribe takes exactly one, so keep one and clear the others", ErrInvalidInput, n)
	case key == "email" && !strings.Contains(value, "@"):
		return nil, fmt.Errorf("%w: ExchangeGrant.Email %q is not an email address; give one like user@example.com, or use UserID or ExternalID", ErrInvalidInput, value)
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
		return nil, wrapf(ErrInvalidInput, "refresh grant: nil *RefreshGrant")
	}
	f, err := g.check(ctx)
	if err != nil {
		// Keep a secret out even if it was pasted into the wrong field.
		return nil, wrapf(scrub(err, []string{g.ClientSecret, g.RefreshToken}), "refresh grant")
	}
	return f, nil
}

func (g *RefreshGrant) check(ctx context.Context) (*grantFlow, error) {
	f, err := newGrantFlow(ctx, "refresh grant", g.CommunityURL, g.TokenURL, g.ClientID, g.ClientSecret, g.HTTPClient, g.AllowInsecureHTTP)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(g.RefreshToken) == "":
		return nil, fmt.Errorf("%w: the refresh token is empty; set RefreshGrant.RefreshToken to the refresh_token a grant returned", ErrInvalidInput)
	case hasControl(g.RefreshToken) || g.RefreshToken != strings.TrimSpace(g.RefreshToken):
		return nil, fmt.Errorf("%w: the refresh token has spaces or control characters around or in it (a stray newline from a file?); trim it", ErrInvalidInput)
	}
	return f, nil
}

// grantFlow is a grant's checked settings.
type grantFlow struct {
	name    string                                           // e.g. "password grant", for messages
	conf    *oauth2.Config                                   // client, token URL, AuthStyleInParams
	hc      *http.Client                                     // nil: x/oauth2's default
	secrets []string                                         // to keep out of error text
	grant   func(ctx context.Context) (*oauth2.Token, error) // nil for the refresh grant
}

// newGrantFlow checks what every grant needs: a context, a token URL and
// the client's credentials.
func newGrantFlow(ctx context.Context, name, communityURL, tokenURL, id, secret string, hc *http.Client, allowInsecure bool) (*grantFlow, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidInput)
	}
	u, err := oauthTokenURL(communityURL, tokenURL, allowInsecure)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(id) == "":
		return nil, fmt.Errorf("%w: the client id is empty; set ClientID to the client id Tribe provided", ErrInvalidInput)
	case strings.TrimSpace(secret) == "":
		return nil, fmt.Errorf("%w: the client secret is empty; set ClientSecret to the client secret Tribe provided", ErrInvalidInput)
	case hasControl(id) || id != strings.TrimSpace(id):
		return nil, fmt.Errorf("%w: the client id has spaces or control characters around or in it; give it bare", ErrInvalidInput)
	case hasControl(secret) || secret != strings.TrimSpace(secret):
		return nil, fmt.Errorf("%w: the client secret has spaces or control characters around or in it (a stray newline from a file?); trim it", ErrInvalidInput)
	}
	return &grantFlow{
		name: name,
		conf: &oauth2.Config{
			ClientID:     id,
			ClientSecret: secret,
			// Tribe takes the credentials in the body. An explicit style
			// also stops x/oauth2 from retrying a refused request with
			// the secret sent a second way.
			Endpoint: oauth2.Endpoint{TokenURL: u, AuthStyle: oauth2.AuthStyleInParams},
		},
		hc:      hc,
		secrets: []string{secret},
	}, nil
}

// oauthTokenURL returns the token URL from a community URL or an explicit
// token URL, exactly one of which must be given.
func oauthTokenURL(communityURL, tokenURL string, allowInsecure bool) (string, error) {
	switch {
	case communityURL == "" && tokenURL == "":
		return "", fmt.Errorf("%w: no community URL; set CommunityURL to your community's address, such as https://community.example.com (or TokenURL to the token endpoint's full URL)", ErrInvalidInput)
	case communityURL != "" && tokenURL != "":
		return "", fmt.Errorf("%w: both CommunityURL and TokenURL are set; set one (the token URL is the community URL plus %s)", ErrInvalidInput, OAuthTokenPath)
	}
	field, raw := "TokenURL", tokenURL
	if communityURL != "" {
		field, raw = "CommunityURL", communityURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "[unparsable URL]"
		if err == nil {
			u.User = nil
			shown = u.String()
		}
		return "", fmt.Errorf("%w: %s %q is not an absolute http(s) URL; give one such as https://community.example.com", ErrInvalidInput, field, shown)
	}
	if u.User != nil {
		u.User = nil
		return "", fmt.Errorf("%w: %s %q carries credentials in its userinfo; remove them and set ClientID and ClientSecret instead", ErrInvalidInput, field, u.String())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
		return "", fmt.Errorf("%w: %s %q has a query or fragment; give the bare URL", ErrInvalidInput, field, u.String())
	}
	if communityURL != "" {
		raw = strings.TrimRight(raw, "/") + OAuthTokenPath
	}
	ep, err := parseEndpoint(raw, allowInsecure)
	if err != nil {
		return "", wrapf(err, "checking %s", field)
	}
	return ep.url, nil
}

// context returns ctx carrying the caller's HTTP client for x/oauth2.
func (f *grantFlow) context(ctx context.Context) context.Context {
	if f.hc != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, f.hc)
	}
	return ctx
}

// refresh trades refreshToken once.
func (f *grantFlow) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	// A token with no access token is expired: the source refreshes at once.
	ts := f.conf.TokenSource(f.context(ctx), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := ts.Token()
	return f.result(tok, err, "refresh grant", refreshToken)
}

// result finishes a grant's answer: a typed error with the flow's secrets
// and extraSecrets kept out of it, or the token with its Expiry read from
// the JWT when the server sent no expires_in.
func (f *grantFlow) result(tok *oauth2.Token, err error, what string, extraSecrets ...string) (*oauth2.Token, error) {
	if err != nil {
		return nil, oauthError(err, what, append(extraSecrets, f.secrets...)...)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = JWTExpiry(tok.AccessToken)
	}
	return tok, nil
}

// source returns a caching token source over a grantSource.
func (f *grantFlow) source(ctx context.Context, refreshToken string) oauth2.TokenSource {
	return oauth2.ReuseTokenSource(nil, &grantSource{ctx: ctx, flow: f, refreshToken: refreshToken})
}

// grantSource gets a token by refreshing the newest refresh token, or by
// the flow's grant when there is none or it is refused.
type grantSource struct {
	ctx  context.Context
	flow *grantFlow

	mu           sync.Mutex
	refreshToken string // the newest
}

// Token gets a new token.
func (s *grantSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refreshToken != "" {
		tok, err := s.flow.refresh(s.ctx, s.refreshToken)
		if err == nil {
			s.refreshToken = tok.RefreshToken
			return tok, nil
		}
		var oe *OAuthError
		if s.flow.grant == nil || !errors.As(err, &oe) || oe.Code != OAuthInvalidGrant {
			return nil, err
		}
		// The refresh token was refused: start over with the grant.
		s.refreshToken = ""
	}
	if s.flow.grant == nil {
		return nil, fmt.Errorf("%w: %s: no refresh token to trade; get a new one with a grant", ErrUnauthorized, s.flow.name)
	}
	tok, err := s.flow.grant(s.ctx)
	if err != nil {
		return nil, err
	}
	s.refreshToken = tok.RefreshToken
	return tok, nil
}

// clientString describes a grant's endpoint and client, hiding the secret.
func clientString(communityURL, tokenURL, id, secret string) string {
	s := ""
	if communityURL != "" {
		s = fmt.Sprintf("CommunityURL: %q, ", displayURL(communityURL))
	}
	if tokenURL != "" {
		s += fmt.Sprintf("TokenURL: %q, ", displayURL(tokenURL))
	}
	return s + fmt.Sprintf("ClientID: %q, ClientSecret: %s", id, hidden(secret))
}

// displayURL returns raw for display, with any userinfo password and query
// hidden, since a grant's settings refuse both and either may hold a secret.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	if u.RawQuery != "" {
		u.RawQuery = "[REDACTED]"
	}
	return u.Redacted()
}

// hidden shows whether a secret is set, never its value.
func hidden(secret string) string {
	if secret == "" {
		return "unset"
	}
	return "[REDACTED]"
}
