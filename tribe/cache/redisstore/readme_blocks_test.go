//lint:file-ignore SA4006 the README's block leaves error checks out for brevity
//lint:file-ignore SA5001 likewise

package redisstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/cache/redisstore"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestReadmeRedis runs the README's "Many servers" block as written: its
// Redis host does not resolve here, so the store starts degraded and the
// cache carries on alone, which is what a replica does when Redis is down.
func TestReadmeRedis(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	t.Setenv("TRIBE_CACHE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	ctx := context.Background()

	keys, err := redisstore.ParseKeys(os.Getenv("TRIBE_CACHE_KEY")) // head -c 32 /dev/urandom | base64
	store, err := redisstore.Open(ctx, "rediss://user:pass@redis.example.com:6379", keys...)
	defer store.Close()
	tokens, err := cache.New(app, cache.Options{Store: store})
	defer tokens.Close()

	require.NoError(t, err)
	tok, err := tokens.Token(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	assert.NotEmpty(t, tok.AccessToken)
}
