package grant_test

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
	"github.com/tribekit/tribekit/tribe/grant"
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

// defaultConfig returns a Config for srv's default app.
func defaultConfig(srv *tribetest.Server) *grant.Config {
	return &grant.Config{CommunityURL: srv.URL, ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret}
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
			c := &grant.Config{
				CommunityURL: srv.URL,
				ClientID:     tribetest.DefaultClientID,
				ClientSecret: tribetest.DefaultClientSecret,
				HTTPClient:   srv.Client(),
			}
			tok, err := c.PasswordToken(context.Background(), tc.username, tribetest.DefaultPassword)
			require.NoError(t, err)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, time.Minute)
			assert.Equal(t, tc.member, whoIs(t, srv, oauth2.StaticTokenSource(tok)).ID)

			ts, err := c.PasswordTokenSource(context.Background(), tc.username, tribetest.DefaultPassword)
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

func TestUserTokenAgainstTribetestWithEveryIdentifier(t *testing.T) {
	srv := newOAuthServer(t)
	for _, tc := range []struct {
		name  string
		user  grant.User
		param string
	}{
		{"email", grant.User{Email: "carol@example.com"}, "email"},
		{"user id", grant.User{UserID: tribetest.PlainMemberID}, "user_id"},
		{"external id", grant.User{ExternalID: "ext-carol"}, "external_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			c := &grant.Config{TokenURL: srv.OAuthTokenURL(), ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret}
			tok, err := c.UserToken(context.Background(), tc.user)
			require.NoError(t, err)
			assert.NotEmpty(t, tok.RefreshToken)
			m := whoIs(t, srv, oauth2.StaticTokenSource(tok))
			assert.Equal(t, tribetest.PlainMemberID, m.ID)
			assert.Equal(t, "ext-carol", m.ExternalID)

			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			assert.Equal(t, grant.TypeClientSecretCredentials, reqs[0].Grant)
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
	c := defaultConfig(srv)
	first, err := c.PasswordToken(ctx, "bob", tribetest.DefaultPassword)
	require.NoError(t, err)

	refresh := func(rt string) (*oauth2.Token, error) {
		return c.Refresh(ctx, rt)
	}
	second, err := refresh(first.RefreshToken)
	require.NoError(t, err)
	assert.NotEqual(t, first.RefreshToken, second.RefreshToken, "the server rotates refresh tokens")
	assert.NotEqual(t, first.AccessToken, second.AccessToken)
	assert.Equal(t, tribetest.ModeratorMemberID, whoIs(t, srv, oauth2.StaticTokenSource(second)).ID)

	// The old refresh token is refused now.
	_, err = refresh(first.RefreshToken)
	var oe *grant.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, grant.InvalidGrant, oe.Code)
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
			return defaultConfig(srv).PasswordTokenSource(ctx, "carol", tribetest.DefaultPassword)
		}},
		{"user", grant.TypeClientSecretCredentials, func() (oauth2.TokenSource, error) {
			return defaultConfig(srv).UserTokenSource(ctx, grant.User{ExternalID: "ext-carol"})
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
				_, err := defaultConfig(srv).Refresh(ctx, old)
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

func TestRefreshTokenSourceAgainstTribetest(t *testing.T) {
	srv := newOAuthServer(t, tribetest.WithTokenLifetime(2*time.Second))
	ctx := context.Background()
	first, err := defaultConfig(srv).UserToken(ctx, grant.User{Email: "alice@example.com"})
	require.NoError(t, err)
	ts, err := defaultConfig(srv).TokenSource(ctx, first.RefreshToken)
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
	var oe *grant.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, grant.InvalidGrant, oe.Code)
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
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "carol", "wrong-password-value")
			return err
		}, grant.InvalidGrant, 400, tribe.ErrUnauthorized},
		{"wrong secret, password grant", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: "wrong-secret-value"}).PasswordToken(ctx, "carol", tribetest.DefaultPassword)
			return err
		}, grant.InvalidClient, 401, tribe.ErrUnauthorized},
		{"wrong secret, user grant", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: "wrong-secret-value"}).UserToken(ctx, grant.User{Email: "carol@example.com"})
			return err
		}, grant.InvalidClient, 401, tribe.ErrUnauthorized},
		{"unknown client", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: "nobody", ClientSecret: secret}).UserToken(ctx, grant.User{Email: "carol@example.com"})
			return err
		}, grant.InvalidClient, 401, tribe.ErrUnauthorized},
		{"unknown user", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).UserToken(ctx, grant.User{ExternalID: "no-such-user"})
			return err
		}, grant.InvalidGrant, 400, tribe.ErrUnauthorized},
		{"blocked member", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "dave", tribetest.DefaultPassword)
			return err
		}, grant.InvalidGrant, 400, tribe.ErrUnauthorized},
		{"unknown refresh token", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).Refresh(ctx, "not-a-refresh-token")
			return err
		}, grant.InvalidGrant, 400, tribe.ErrUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			err := tc.run()
			var oe *grant.Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.code, oe.Code)
			assert.Equal(t, tc.status, oe.StatusCode)
			assert.NotEmpty(t, oe.Description)
			assert.ErrorIs(t, err, tc.is)
			assert.NotErrorIs(t, err, tribe.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "grant: "), err.Error())
			for _, s := range []string{secret, "wrong-secret-value", "wrong-password-value", tribetest.DefaultPassword, "not-a-refresh-token"} {
				assert.NotContains(t, err.Error(), s)
			}
			assert.Len(t, srv.Requests(), 1, "refused once, not retried another way")
		})
	}
}

func TestGrantFaultsFromTribetest(t *testing.T) {
	srv := newOAuthServer(t)
	c := defaultConfig(srv)
	c.Retry = tribe.RetryPolicy{MaxAttempts: 1}

	require.NoError(t, srv.Fail("password", tribetest.Fault{Status: http.StatusServiceUnavailable}))
	_, err := c.PasswordToken(context.Background(), "carol", tribetest.DefaultPassword)
	var oe *grant.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, http.StatusServiceUnavailable, oe.StatusCode)
	assert.Equal(t, "temporarily_unavailable", oe.Code)

	require.NoError(t, srv.Fail("password", tribetest.Fault{Status: http.StatusBadGateway, NonJSON: true}))
	_, err = c.PasswordToken(context.Background(), "carol", tribetest.DefaultPassword)
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, http.StatusBadGateway, oe.StatusCode)
	assert.Empty(t, oe.Code)
	assert.NotContains(t, err.Error(), tribetest.DefaultClientSecret)

	// Normal service again.
	_, err = c.PasswordToken(context.Background(), "carol", tribetest.DefaultPassword)
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
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).UserToken(ctx, grant.User{})
			return err
		}},
		{"two identifiers", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).UserToken(ctx, grant.User{Email: "carol@example.com", ExternalID: "ext-carol"})
			return err
		}},
		{"empty password", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "carol", "")
			return err
		}},
		{"empty username", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "", tribetest.DefaultPassword)
			return err
		}},
		{"community URL not http(s)", func() error {
			_, err := (&grant.Config{CommunityURL: strings.Replace(srv.URL, "http://", "ftp://", 1), ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "carol", tribetest.DefaultPassword)
			return err
		}},
		{"plain http to a remote host", func() error {
			_, err := (&grant.Config{CommunityURL: "http://community.example.com", ClientID: id, ClientSecret: secret}).UserToken(ctx, grant.User{Email: "carol@example.com"})
			return err
		}},
		{"token source: no identifier", func() error {
			_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).UserTokenSource(ctx, grant.User{})
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

	// Password and user grants: transient failures are retried.
	for _, status := range []int{429, 502, 503, 504} {
		srv.Reset()
		require.NoError(t, srv.Fail("tribe:client_secret_credentials", tribetest.Fault{Status: status, Times: 2}))
		tok, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Retry: fast}).UserToken(ctx, grant.User{Email: "carol@example.com"})
		require.NoError(t, err, "status %d", status)
		assert.NotEmpty(t, tok.AccessToken)
		assert.Equal(t, 3, srv.GrantCount("tribe:client_secret_credentials"), "status %d", status)
	}
	srv.Reset()
	require.NoError(t, srv.Fail("password", tribetest.Fault{Drop: true}))
	_, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Retry: fast}).PasswordToken(ctx, "carol", tribetest.DefaultPassword)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.GrantCount("password"))

	// Refusals are not retried.
	srv.Reset()
	_, err = (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Retry: fast}).PasswordToken(ctx, "carol", "wrong-password-value")
	require.ErrorIs(t, err, tribe.ErrUnauthorized)
	assert.Equal(t, 1, srv.GrantCount("password"))

	// A refresh spends a rotating token: retried on 429 and 503, which say
	// the server did not act, but not on 502, after which it may have.
	first, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret}).PasswordToken(ctx, "carol", tribetest.DefaultPassword)
	require.NoError(t, err)
	srv.Reset()
	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{Status: 503}))
	second, err := (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Retry: fast}).Refresh(ctx, first.RefreshToken)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.GrantCount("refresh_token"))
	srv.Reset()
	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{Status: 502}))
	_, err = (&grant.Config{CommunityURL: srv.URL, ClientID: id, ClientSecret: secret, Retry: fast}).Refresh(ctx, second.RefreshToken)
	var oe *grant.Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, 502, oe.StatusCode)
	assert.Equal(t, 1, srv.GrantCount("refresh_token"))
}
