package tribe_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// newOAuthServer starts a tribetest server and registers its Close.
func newOAuthServer(t *testing.T, opts ...tribetest.Option) *tribetest.Server {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// whoIs returns the member a token acts as, asked of the server.
func whoIs(t *testing.T, srv *tribetest.Server, ts oauth2.TokenSource) *tribe.Member {
	t.Helper()
	c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	m, err := c.AuthMember(context.Background())
	require.NoError(t, err)
	return m
}

// shortLived returns a source of tok without its Expiry: the Client would
// refuse a token with seconds left, as these tests' tokens have.
func shortLived(tok *oauth2.Token) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken})
}

func TestPasswordGrantAgainstTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	for _, tc := range []struct {
		name, username, member string
	}{
		{"by email", "carol@example.com", tribetest.PlainMemberID},
		{"by username", "alice", tribetest.AdminMemberID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &tribe.PasswordGrant{
				CommunityURL: srv.URL,
				ClientID:     tribetest.DefaultClientID,
				ClientSecret: tribetest.DefaultClientSecret,
				Username:     tc.username,
				Password:     tribetest.DefaultPassword,
				HTTPClient:   srv.Client(),
			}
			tok, err := g.Token(context.Background())
			require.NoError(t, err)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, time.Minute)
			assert.Equal(t, tc.member, whoIs(t, srv, oauth2.StaticTokenSource(tok)).ID)

			ts, err := g.TokenSource(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tc.member, whoIs(t, srv, ts).ID)
		})
	}
	// The credentials went in the body, once per grant.
	for _, r := range srv.Requests() {
		if r.Grant != "" {
			assert.Equal(t, tribetest.AuthBasic, r.Auth)
			assert.Equal(t, tribetest.DefaultClientID, r.Params["client_id"])
			assert.Equal(t, "[REDACTED]", r.Params["client_secret"])
		}
	}
	assert.Equal(t, 4, srv.GrantCount("password"))
}

func TestExchangeGrantAgainstTribetestWithEveryIdentifier(t *testing.T) {
	srv := newOAuthServer(t)
	for _, tc := range []struct {
		name  string
		grant tribe.ExchangeGrant
		param string
	}{
		{"email", tribe.ExchangeGrant{Email: "carol@example.com"}, "email"},
		{"user id", tribe.ExchangeGrant{UserID: tribetest.PlainMemberID}, "user_id"},
		{"external id", tribe.ExchangeGrant{ExternalID: "ext-carol"}, "external_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			g := tc.grant
			g.TokenURL = srv.OAuthTokenURL()
			g.ClientID, g.ClientSecret = tribetest.DefaultClientID, tribetest.DefaultClientSecret
			tok, err := g.Token(context.Background())
			require.NoError(t, err)
			assert.NotEmpty(t, tok.RefreshToken)
			m := whoIs(t, srv, oauth2.StaticTokenSource(tok))
			assert.Equal(t, tribetest.PlainMemberID, m.ID)
			assert.Equal(t, "ext-carol", m.ExternalID)

			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			assert.Equal(t, tribe.GrantTypeClientSecretCredentials, reqs[0].Grant)
			assert.NotEmpty(t, reqs[0].Params[tc.param])
			for _, other := range []string{"email", "user_id", "external_id"} {
				if other != tc.param {
					assert.NotContains(t, reqs[0].Params, other)
				}
			}
		})
	}
}

func TestRefreshRotationAgainstTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	ctx := context.Background()
	pw := &tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Username: "bob", Password: tribetest.DefaultPassword}
	first, err := pw.Token(ctx)
	require.NoError(t, err)

	refresh := func(rt string) (*oauth2.Token, error) {
		return (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, RefreshToken: rt}).Token(ctx)
	}
	second, err := refresh(first.RefreshToken)
	require.NoError(t, err)
	assert.NotEqual(t, first.RefreshToken, second.RefreshToken, "the server rotates refresh tokens")
	assert.NotEqual(t, first.AccessToken, second.AccessToken)
	assert.Equal(t, tribetest.ModeratorMemberID, whoIs(t, srv, oauth2.StaticTokenSource(second)).ID)

	// The old refresh token is refused now.
	_, err = refresh(first.RefreshToken)
	var oe *tribe.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, tribe.OAuthInvalidGrant, oe.Code)
	assert.Equal(t, http.StatusBadRequest, oe.StatusCode)
	assert.ErrorIs(t, err, tribe.ErrUnauthorized)
	assert.NotContains(t, err.Error(), first.RefreshToken)

	// The newest still works.
	_, err = refresh(second.RefreshToken)
	require.NoError(t, err)
}

// With a token lifetime inside x/oauth2's early-expiry margin, every Token
// call of a source refreshes: the source must always trade the newest
// refresh token, and sign in again when the server revokes it.
func TestGrantTokenSourceHoldsTheNewestRefreshTokenAgainstTribetest(t *testing.T) {
	srv := newOAuthServer(t, tribetest.WithTokenLifetime(2*time.Second))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		grant string
		src   func() (oauth2.TokenSource, error)
	}{
		{"password", "password", func() (oauth2.TokenSource, error) {
			return (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Username: "carol", Password: tribetest.DefaultPassword}).TokenSource(ctx)
		}},
		{"exchange", tribe.GrantTypeClientSecretCredentials, func() (oauth2.TokenSource, error) {
			return (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, ExternalID: "ext-carol"}).TokenSource(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			ts, err := tc.src()
			require.NoError(t, err)
			var seen []string
			for range 4 {
				tok, err := ts.Token()
				require.NoError(t, err)
				assert.NotContains(t, seen, tok.RefreshToken, "each refresh returns a new refresh token")
				seen = append(seen, tok.RefreshToken)
			}
			assert.Equal(t, 1, srv.GrantCount(tc.grant))
			assert.Equal(t, 3, srv.GrantCount("refresh_token"))
			for _, r := range srv.Requests() {
				assert.Empty(t, r.ErrorCodes, "no refresh was refused: the source always sent the newest")
			}

			// Every refresh token but the newest is dead on the server.
			for _, old := range seen[:len(seen)-1] {
				_, err := (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, RefreshToken: old}).Token(ctx)
				require.ErrorIs(t, err, tribe.ErrUnauthorized)
			}

			// Revoked on the server: the source falls back to its grant.
			require.NoError(t, srv.Revoke(seen[len(seen)-1]))
			tok, err := ts.Token()
			require.NoError(t, err)
			assert.Equal(t, tribetest.PlainMemberID, whoIs(t, srv, shortLived(tok)).ID)
			assert.Equal(t, 2, srv.GrantCount(tc.grant))
		})
	}
}

func TestRefreshGrantTokenSourceAgainstTribetest(t *testing.T) {
	srv := newOAuthServer(t, tribetest.WithTokenLifetime(2*time.Second))
	ctx := context.Background()
	first, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Email: "alice@example.com"}).Token(ctx)
	require.NoError(t, err)
	ts, err := (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, RefreshToken: first.RefreshToken}).TokenSource(ctx)
	require.NoError(t, err)
	a, err := ts.Token()
	require.NoError(t, err)
	b, err := ts.Token()
	require.NoError(t, err)
	assert.NotEqual(t, a.RefreshToken, b.RefreshToken)
	assert.Equal(t, tribetest.AdminMemberID, whoIs(t, srv, shortLived(b)).ID)

	// Revoked: a refresh-only source has nothing to fall back on.
	srv.RevokeAll()
	_, err = ts.Token()
	var oe *tribe.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, tribe.OAuthInvalidGrant, oe.Code)
}

func TestGrantRefusalsFromTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	ctx := context.Background()
	id, secret := tribetest.DefaultClientID, tribetest.DefaultClientSecret
	for _, tc := range []struct {
		name   string
		run    func() error
		code   string
		status int
		is     error
	}{
		{"wrong password", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "carol", Password: "wrong-password-value"}).Token(ctx)
			return err
		}, tribe.OAuthInvalidGrant, 400, tribe.ErrUnauthorized},
		{"wrong secret, password grant", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: "wrong-secret-value", Username: "carol", Password: tribetest.DefaultPassword}).Token(ctx)
			return err
		}, tribe.OAuthInvalidClient, 401, tribe.ErrUnauthorized},
		{"wrong secret, exchange grant", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: "wrong-secret-value", Email: "carol@example.com"}).Token(ctx)
			return err
		}, tribe.OAuthInvalidClient, 401, tribe.ErrUnauthorized},
		{"unknown client", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: "nobody", ClientSecret: secret, Email: "carol@example.com"}).Token(ctx)
			return err
		}, tribe.OAuthInvalidClient, 401, tribe.ErrUnauthorized},
		{"unknown user", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, ExternalID: "no-such-user"}).Token(ctx)
			return err
		}, tribe.OAuthInvalidGrant, 400, tribe.ErrUnauthorized},
		{"blocked member", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "dave", Password: tribetest.DefaultPassword}).Token(ctx)
			return err
		}, tribe.OAuthInvalidGrant, 400, tribe.ErrUnauthorized},
		{"unknown refresh token", func() error {
			_, err := (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, RefreshToken: "not-a-refresh-token"}).Token(ctx)
			return err
		}, tribe.OAuthInvalidGrant, 400, tribe.ErrUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			err := tc.run()
			var oe *tribe.OAuthError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.code, oe.Code)
			assert.Equal(t, tc.status, oe.StatusCode)
			assert.NotEmpty(t, oe.Description)
			assert.ErrorIs(t, err, tc.is)
			assert.NotErrorIs(t, err, tribe.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "tribe: "), err.Error())
			for _, s := range []string{secret, "wrong-secret-value", "wrong-password-value", tribetest.DefaultPassword, "not-a-refresh-token"} {
				assert.NotContains(t, err.Error(), s)
			}
			assert.Len(t, srv.Requests(), 1, "refused once, not retried another way")
		})
	}
}

func TestGrantFaultsFromTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	g := &tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Username: "carol", Password: tribetest.DefaultPassword,
		Retry: tribe.RetryPolicy{MaxAttempts: 1}}

	require.NoError(t, srv.Fail("password", tribetest.Fault{Status: http.StatusServiceUnavailable}))
	_, err := g.Token(context.Background())
	var oe *tribe.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, http.StatusServiceUnavailable, oe.StatusCode)
	assert.Equal(t, "temporarily_unavailable", oe.Code)

	require.NoError(t, srv.Fail("password", tribetest.Fault{Status: http.StatusBadGateway, NonJSON: true}))
	_, err = g.Token(context.Background())
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, http.StatusBadGateway, oe.StatusCode)
	assert.Empty(t, oe.Code)
	assert.NotContains(t, err.Error(), tribetest.DefaultClientSecret)

	// Normal service again.
	_, err = g.Token(context.Background())
	require.NoError(t, err)
}

func TestGrantBadInputNeverReachesTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	ctx := context.Background()
	id, secret := tribetest.DefaultClientID, tribetest.DefaultClientSecret
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"no identifier", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).Token(ctx)
			return err
		}},
		{"two identifiers", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Email: "carol@example.com", ExternalID: "ext-carol"}).Token(ctx)
			return err
		}},
		{"empty password", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "carol"}).Token(ctx)
			return err
		}},
		{"empty username", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Password: tribetest.DefaultPassword}).Token(ctx)
			return err
		}},
		{"community URL not http(s)", func() error {
			_, err := (&tribe.PasswordGrant{CommunityURL: strings.Replace(srv.URL, "http://", "ftp://", 1), ClientID: id, ClientSecret: secret, Username: "carol", Password: tribetest.DefaultPassword}).Token(ctx)
			return err
		}},
		{"plain http to a remote host", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: "http://community.example.com", ClientID: id, ClientSecret: secret, Email: "carol@example.com"}).Token(ctx)
			return err
		}},
		{"token source: no identifier", func() error {
			_, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).TokenSource(ctx)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.False(t, errors.Is(err, tribe.ErrUnauthorized))
		})
	}
	assert.Empty(t, srv.Requests(), "bad input must be refused before any request")
}

func TestGrantRetries(t *testing.T) {
	srv := newOAuthServer(t)
	ctx := context.Background()
	fast := tribe.RetryPolicy{BaseDelay: time.Millisecond}
	id, secret := tribetest.DefaultClientID, tribetest.DefaultClientSecret

	// Password and exchange grants: transient failures are retried.
	for _, status := range []int{429, 502, 503, 504} {
		srv.Reset()
		require.NoError(t, srv.Fail("tribe:client_secret_credentials", tribetest.Fault{Status: status, Times: 2}))
		tok, err := (&tribe.ExchangeGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Email: "carol@example.com", Retry: fast}).Token(ctx)
		require.NoError(t, err, "status %d", status)
		assert.NotEmpty(t, tok.AccessToken)
		assert.Equal(t, 3, srv.GrantCount("tribe:client_secret_credentials"), "status %d", status)
	}
	srv.Reset()
	require.NoError(t, srv.Fail("password", tribetest.Fault{Drop: true}))
	_, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "carol", Password: tribetest.DefaultPassword, Retry: fast}).Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.GrantCount("password"))

	// Refusals are not retried.
	srv.Reset()
	_, err = (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "carol", Password: "wrong-password-value", Retry: fast}).Token(ctx)
	require.ErrorIs(t, err, tribe.ErrUnauthorized)
	assert.Equal(t, 1, srv.GrantCount("password"))

	// A refresh spends a rotating token: retried on 429 and 503, which say
	// the server did not act, but not on 502, after which it may have.
	first, err := (&tribe.PasswordGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Username: "carol", Password: tribetest.DefaultPassword}).Token(ctx)
	require.NoError(t, err)
	srv.Reset()
	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{Status: 503}))
	second, err := (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, RefreshToken: first.RefreshToken, Retry: fast}).Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.GrantCount("refresh_token"))
	srv.Reset()
	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{Status: 502}))
	_, err = (&tribe.RefreshGrant{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, RefreshToken: second.RefreshToken, Retry: fast}).Token(ctx)
	var oe *tribe.OAuthError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 502, oe.StatusCode)
	assert.Equal(t, 1, srv.GrantCount("refresh_token"))
}
