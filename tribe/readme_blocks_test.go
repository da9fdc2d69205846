//lint:file-ignore SA4006 the README's blocks leave error checks out for brevity; the test checks the last ones
//lint:file-ignore SA5001 likewise

package tribe_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// The README's Go blocks stand here line for line (the root package's
// TestReadmeGoBlocks checks it), so that they compile and run.

// TestReadmeLibrary runs "The library in a dozen lines" against the mock.
func TestReadmeLibrary(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	t.Setenv("TRIBE_CLIENT_ID", tribetest.DefaultClientID)
	t.Setenv("TRIBE_CLIENT_SECRET", tribetest.DefaultClientSecret)
	t.Setenv("TRIBE_ENDPOINT", srv.GraphQLURL())
	ctx := context.Background()
	networkID, memberID := tribetest.DefaultNetworkID, tribetest.PlainMemberID

	app := &tribe.App{
		ClientID:     os.Getenv("TRIBE_CLIENT_ID"),
		ClientSecret: os.Getenv("TRIBE_CLIENT_SECRET"),
		Endpoint:     os.Getenv("TRIBE_ENDPOINT"), // empty: tribe.DefaultEndpoint (US); or tribe.EndpointEU
	}
	tok, err := app.Mint(ctx, tribe.Bot(networkID))                  // the app's bot: all an admin may do
	tok, err = app.Mint(ctx, tribe.Impersonate(networkID, memberID)) // acts as that member
	ts, err := app.TokenSource(ctx, tribe.Impersonate(networkID, memberID))
	client, err := app.Client(ctx, ts)
	me, err := client.AuthMember(ctx) // who am I? (client.Network too)
	if errors.Is(err, tribe.ErrForbidden) {
		// the app is not installed on that community
	}

	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, memberID, me.ID)
}

// TestReadmeCache runs "Many members: the token cache".
func TestReadmeCache(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	networkID, memberID := tribetest.DefaultNetworkID, tribetest.PlainMemberID

	tokens, err := cache.New(app, cache.Options{}) // package tribe/cache; defaults below
	defer tokens.Close()
	tok, err := tokens.Token(ctx, tribe.Impersonate(networkID, memberID))
	ts, err := tokens.TokenSource(ctx, tribe.Impersonate(networkID, memberID))
	client, err := app.Client(ctx, ts)

	require.NoError(t, err)
	me, err := client.AuthMember(ctx)
	require.NoError(t, err)
	assert.Equal(t, memberID, me.ID)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, 1, srv.Count("limitedToken"), "one mint for the token and the client")
}

// TestMyApp is the README's "Testing your app with tribetest".
func TestMyApp(t *testing.T) {
	srv := tribetest.NewServer() // one app on one community with a few members
	defer srv.Close()
	ctx := context.Background()

	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret,
		Endpoint: srv.GraphQLURL()}
	ts, err := app.TokenSource(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
	require.NoError(t, err)
	client, err := app.Client(ctx, ts)
	require.NoError(t, err)
	me, err := client.AuthMember(ctx)
	require.NoError(t, err)
	require.Equal(t, tribetest.PlainMemberID, me.ID)
	require.Equal(t, 1, srv.Count("limitedToken")) // srv.Requests(): the record, secrets redacted
}
