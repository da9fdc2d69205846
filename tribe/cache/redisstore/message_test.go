package redisstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// listen subscribes a plain client to the store's channel, as anyone who
// can read Redis can, and returns what it has heard so far.
func listen(t *testing.T, r *redisServer, channel string) func() []string {
	t.Helper()
	ctx := context.Background()
	ps := r.plain(t).Subscribe(ctx, channel)
	_, err := ps.Receive(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ps.Close() })
	var mu sync.Mutex
	var heard []string
	ch := ps.Channel()
	go func() {
		for m := range ch {
			mu.Lock()
			heard = append(heard, m.Payload)
			mu.Unlock()
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), heard...)
	}
}

func TestForgedAndReplayedMessagesFailNoWaiter(t *testing.T) {
	r, _, app := setup(t)
	holder := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
	waiter := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
	sa := openStore(t, r.URL(), Options{})
	a := newCache(t, holder, sa, cache.Options{})
	b := newCache(t, waiter, openStore(t, r.URL(), Options{}), cache.Options{})
	heard := listen(t, r, sa.channel)
	plain := r.plain(t)
	ctx := context.Background()
	key := cache.StoreKey(app.Namespace(), mustNormalize(t, carol))

	// A real failure, heard by the attacker, who keeps its message.
	ra, rb := mintRound(t, a, b, holder)
	holder.release <- fmt.Errorf("minting: %w", tribe.ErrForbidden)
	require.ErrorIs(t, (<-ra).err, tribe.ErrForbidden)
	require.ErrorIs(t, (<-rb).err, tribe.ErrForbidden, "a genuine failure reaches the waiter")
	require.Eventually(t, func() bool { return len(heard()) > 0 }, time.Second, time.Millisecond)
	recorded := heard()

	// The next mint: the attacker, who can write to Redis but holds no key,
	// publishes failures (forged in every form it can guess) and replays
	// the recorded one, while b waits.
	ra, rb = mintRound(t, a, b, holder)
	forged := append([]string{
		"f|" + cache.KindForbidden + "|" + key,
		"f|" + cache.KindForbidden + "|" + sa.RedisKey(key),
		"p" + "f|" + cache.KindForbidden + "|" + key,
		"s" + strings.Repeat("\x00", 4+12+16) + "f|forbidden",
	}, recorded...)
	for _, m := range forged {
		require.NoError(t, plain.Publish(ctx, sa.channel, m).Err())
	}
	select {
	case got := <-rb:
		t.Fatalf("a forged or replayed message ended the wait: %v", got.err)
	case <-time.After(200 * time.Millisecond):
	}
	holder.release <- nil
	require.NoError(t, (<-ra).err)
	require.NoError(t, (<-rb).err, "the waiter got the holder's token, not a forged failure")
	assert.Zero(t, waiter.mints.Load(), "and did not mint")
}

func TestMessagesHoldNoIdentity(t *testing.T) {
	r, _, app := setup(t)
	store := openStore(t, r.URL(), Options{})
	heard := listen(t, r, store.channel)
	ctx := context.Background()
	failing := cache.SourceFunc(func(context.Context, tribe.Identity) (*oauth2.Token, error) {
		return nil, fmt.Errorf("minting: %w", tribe.ErrForbidden)
	})

	c := newCache(t, app, store, cache.Options{})
	tok, err := c.Token(ctx, carol) // a lease released after a mint
	require.NoError(t, err)
	c.Invalidate(ctx, carol, tok) // an invalidation of one token
	c.Invalidate(ctx, carol, nil) // and of any
	f := newCache(t, failing, store, cache.Options{Namespace: app.Namespace()})
	_, err = f.Token(ctx, bob) // a lease released after a failure
	require.Error(t, err)

	require.Eventually(t, func() bool { return len(heard()) >= 4 }, 2*time.Second, time.Millisecond)
	key := cache.StoreKey(app.Namespace(), mustNormalize(t, carol))
	for _, m := range heard() {
		for name, s := range map[string]string{
			"the store key": key, "the member": tribetest.PlainMemberID, "the other member": tribetest.ModeratorMemberID,
			"the network": tribetest.DefaultNetworkID, "the client id": tribetest.DefaultClientID, "the fingerprint": cache.Fingerprint(tok.AccessToken),
		} {
			assert.NotContains(t, m, s, "a message holds %s in clear text", name)
		}
	}
}
