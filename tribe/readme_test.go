package tribe_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestReadmeFixtureExample keeps the README's fixture example true: it
// loads, and its app mints a token for its member that acts as that member.
func TestReadmeFixtureExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, m, "the README shows a JSON fixture file")
	path := filepath.Join(t.TempDir(), "fixtures.json")
	require.NoError(t, os.WriteFile(path, m[1], 0o600))

	f, err := tribetest.LoadFixtures(path)
	require.NoError(t, err)
	srv := tribetest.NewServer(tribetest.WithFixtures(f))
	defer srv.Close()
	app := &tribe.App{ClientID: f.Apps[0].ClientID, ClientSecret: f.Apps[0].ClientSecret, Endpoint: srv.GraphQLURL()}
	net := f.Networks[0]
	c, err := appClient(context.Background(), app, tribe.Impersonate(net.ID, net.Members[0].ID))
	require.NoError(t, err)
	me, err := c.AuthMember(context.Background())
	require.NoError(t, err)
	assert.Equal(t, net.Members[0].ID, me.ID)
}
