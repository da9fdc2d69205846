package tribe_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// newMintServer starts a tribetest server and returns it with an App that
// has the default app's credentials and points at it.
func newMintServer(t *testing.T, opts ...tribetest.Option) (*tribetest.Server, *tribe.App) {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, &tribe.App{
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
		Endpoint:     srv.GraphQLURL(),
		HTTPClient:   srv.Client(),
		Retry:        tribe.RetryPolicy{BaseDelay: time.Millisecond},
	}
}

// claims decodes a JWT's claims without verifying it.
func claims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(token, c)
	require.NoError(t, err)
	return c
}

func TestMintBotAndMemberIdentities(t *testing.T) {
	srv, app := newMintServer(t)
	ctx := context.Background()
	bot, ok := srv.Bot(tribetest.DefaultClientID, tribetest.DefaultNetworkID)
	require.True(t, ok)
	carol, ok := srv.Member(tribetest.PlainMemberID)
	require.True(t, ok)

	tests := []struct {
		name     string
		mint     func() (*tribe.Client, error)
		wantID   string
		wantRole string
	}{
		{"bot", func() (*tribe.Client, error) { return appClient(ctx, app, tribe.Bot(tribetest.DefaultNetworkID)) }, bot.ID, "admin"},
		{"member", func() (*tribe.Client, error) {
			return appClient(ctx, app, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
		}, carol.ID, "member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			c, err := tt.mint()
			require.NoError(t, err)
			me, err := c.AuthMember(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, me.ID)
			assert.Equal(t, tribetest.DefaultNetworkID, me.NetworkID)
			require.NotNil(t, me.Role)
			assert.Equal(t, tt.wantRole, me.Role.Type)

			net, err := c.Network(ctx)
			require.NoError(t, err)
			assert.Equal(t, tribetest.DefaultNetworkID, net.ID)
			assert.Equal(t, srv.Network().Name, net.Name)
			assert.NotEmpty(t, net.Roles)

			// The client talks to the gateway the mint returned.
			assert.Equal(t, srv.GatewayURL(tribetest.DefaultNetworkID), c.Endpoint())
			reqs := srv.Requests()
			require.Len(t, reqs, 3)
			assert.Equal(t, "limitedToken", reqs[0].OperationName)
			assert.Equal(t, tribetest.AuthKind("basic"), reqs[0].Auth)
			assert.Equal(t, "/graphql", reqs[0].Path)
			for _, r := range reqs[1:] {
				assert.Equal(t, strings.TrimPrefix(srv.GatewayURL(tribetest.DefaultNetworkID), srv.URL), r.Path)
				assert.Equal(t, tt.wantID, r.MemberID)
			}
		})
	}
}

func TestMintTokenShape(t *testing.T) {
	srv, app := newMintServer(t)
	ctx := context.Background()
	tok, err := app.Mint(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.ModeratorMemberID))
	require.NoError(t, err)

	c := claims(t, tok.AccessToken)
	assert.Equal(t, tribetest.ModeratorMemberID, c["id"])
	assert.Equal(t, tribetest.DefaultNetworkID, c["networkId"])
	exp, err := c.GetExpirationTime()
	require.NoError(t, err)
	assert.True(t, exp.Time.Equal(tok.Expiry), "Expiry comes from exp: %v vs %v", exp.Time, tok.Expiry)
	assert.True(t, tok.Expiry.After(srv.Now()))
	assert.Equal(t, "Bearer", tok.Type())
	assert.Equal(t, srv.GatewayURL(tribetest.DefaultNetworkID), tribe.GatewayURL(tok))

	// The variables sent: context NETWORK and entityId = networkId by default.
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, map[string]any{
		"context": "NETWORK", "entityId": tribetest.DefaultNetworkID,
		"networkId": tribetest.DefaultNetworkID, "impersonateMemberId": tribetest.ModeratorMemberID,
	}, reqs[0].Variables)

	// The bot's mint sends no impersonateMemberId at all.
	srv.Reset()
	_, err = app.Mint(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	assert.NotContains(t, srv.Requests()[0].Variables, "impersonateMemberId")

	// Another context and entity, as asked.
	srv.Reset()
	_, err = app.Mint(ctx, tribe.Identity{NetworkID: tribetest.DefaultNetworkID, Context: tribe.ContextSpace, EntityID: "space-1"})
	require.NoError(t, err)
	assert.Equal(t, "SPACE", srv.Requests()[0].Variables["context"])
	assert.Equal(t, "space-1", srv.Requests()[0].Variables["entityId"])
}

func TestMintWithoutGatewayURL(t *testing.T) {
	srv, app := newMintServer(t, tribetest.WithoutGatewayURL())
	ctx := context.Background()
	c, err := appClient(ctx, app, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	assert.Equal(t, srv.GraphQLURL(), c.Endpoint(), "with no gatewayUrl the client stays on the app's endpoint")
	_, err = c.AuthMember(ctx)
	require.NoError(t, err)
	assert.Equal(t, "/graphql", srv.Requests()[1].Path)
}

func TestMintUserinfoEndpoint(t *testing.T) {
	srv, _ := newMintServer(t)
	u, err := url.Parse(srv.GraphQLURL())
	require.NoError(t, err)
	u.User = url.UserPassword(tribetest.DefaultClientID, tribetest.DefaultClientSecret)
	app := &tribe.App{Endpoint: u.String()} // the form Tribe's docs show
	tok, err := app.Mint(context.Background(), tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, tribetest.AuthKind("basic"), srv.Requests()[0].Auth)
	assert.Equal(t, tribetest.DefaultClientID, srv.Requests()[0].ClientID)
	assert.NotContains(t, app.String(), tribetest.DefaultClientSecret)

	// The same credentials in the fields too are fine; a wrong secret in
	// the URL is a 401 whose error does not show it.
	u.User = url.UserPassword(tribetest.DefaultClientID, "wrong-secret-in-url")
	_, err = (&tribe.App{Endpoint: u.String()}).Mint(context.Background(), tribe.Bot(tribetest.DefaultNetworkID))
	require.ErrorIs(t, err, tribe.ErrUnauthorized)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), "wrong-secret-in-url")
}

func TestMintRefusals(t *testing.T) {
	srv, app := newMintServer(t)
	ctx := context.Background()
	wrong := *app
	wrong.ClientSecret = "not-the-secret"
	unknown := *app
	unknown.ClientID = "no-such-client"

	tests := []struct {
		name       string
		app        *tribe.App
		id         tribe.Identity
		is         error
		wantCode   string
		wantStatus int
	}{
		{"app not installed", app, tribe.Bot(tribetest.OtherNetworkID), tribe.ErrForbidden, "102", 0},
		{"unknown network", app, tribe.Bot("net-nowhere"), tribe.ErrForbidden, "102", 0},
		{"unknown member", app, tribe.Impersonate(tribetest.DefaultNetworkID, "mem-nobody"), tribe.ErrNotFound, "110", 0},
		{"wrong secret", &wrong, tribe.Bot(tribetest.DefaultNetworkID), tribe.ErrUnauthorized, "", 401},
		{"unknown client", &unknown, tribe.Bot(tribetest.DefaultNetworkID), tribe.ErrUnauthorized, "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset()
			_, err := tt.app.Mint(ctx, tt.id)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.True(t, strings.HasPrefix(err.Error(), "tribe: minting a token for "+tt.id.String()), err.Error())
			if tt.wantCode != "" {
				var g *tribe.GraphQLError
				require.ErrorAs(t, err, &g)
				assert.Equal(t, tt.wantCode, g.Code)
				assert.Equal(t, []any{"limitedToken"}, g.Path)
			}
			if tt.wantStatus != 0 {
				var h *tribe.HTTPError
				require.ErrorAs(t, err, &h)
				assert.Equal(t, tt.wantStatus, h.StatusCode)
				assert.Contains(t, err.Error(), "check the client id and secret")
			}
			assert.Equal(t, 1, srv.Count("limitedToken"), "refusals are not retried")
		})
	}
}

func TestInvalidTokenIsErrInvalidToken(t *testing.T) {
	srv, app := newMintServer(t)
	ctx := context.Background()
	tok, err := app.Mint(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	c, err := tribe.NewClient(staticSource{tok}, tribe.ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	_, err = c.AuthMember(ctx)
	require.NoError(t, err)

	srv.Revoke(tok.AccessToken)
	_, err = c.AuthMember(ctx)
	require.ErrorIs(t, err, tribe.ErrInvalidToken)
	var g *tribe.GraphQLError
	require.ErrorAs(t, err, &g)
	assert.Equal(t, "108", g.Code)
	assert.NotContains(t, err.Error(), tok.AccessToken)
}
