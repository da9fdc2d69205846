package tribe_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestRateLimitsAgainstTheMock: against a mock that allows 3 requests per
// 400 ms, a burst of 9 calls with pacing completes with no 104 at all;
// without pacing and without retries the burst surfaces ErrRateLimited;
// with the default retries the refusals are absorbed.
func TestRateLimitsAgainstTheMock(t *testing.T) {
	const window = 400 * time.Millisecond
	burst := func(t *testing.T, configure func(*tribe.App)) (*tribetest.Server, []error) {
		srv := tribetest.NewServer(tribetest.WithRateLimits(tribetest.RateLimits{Requests: 3, Window: window}))
		t.Cleanup(srv.Close)
		app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
		configure(app)
		ctx := context.Background()
		ts, err := app.TokenSource(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
		require.NoError(t, err)
		client, err := app.Client(ctx, ts)
		require.NoError(t, err)
		errs := make([]error, 9)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = client.AuthMember(ctx)
			}()
		}
		wg.Wait()
		return srv, errs
	}
	refusals := func(srv *tribetest.Server) int {
		n := 0
		for _, r := range srv.Requests() {
			if slices.Contains(r.ErrorCodes, "104") {
				n++
			}
		}
		return n
	}

	t.Run("paced", func(t *testing.T) {
		srv, errs := burst(t, func(a *tribe.App) {
			a.Pacer = tribe.NewPacer(tribe.RateLimits{Requests: 3, Window: window})
			a.Retry = tribe.RetryPolicy{MaxAttempts: 1}
		})
		for _, err := range errs {
			assert.NoError(t, err)
		}
		assert.Zero(t, refusals(srv), "no request reached the limit")
		assert.Equal(t, 9, srv.Count("authMember"))
	})
	t.Run("not paced, not retried", func(t *testing.T) {
		srv, errs := burst(t, func(a *tribe.App) { a.Retry = tribe.RetryPolicy{MaxAttempts: 1} })
		limited := 0
		for _, err := range errs {
			if errors.Is(err, tribe.ErrRateLimited) {
				limited++
				rl, ok := errors.AsType[*tribe.RateLimitError](err)
				require.True(t, ok)
				assert.Positive(t, rl.RetryAfter, "the mock says when to retry")
			}
		}
		assert.Positive(t, limited, "ErrRateLimited reaches the caller")
		assert.Equal(t, limited, refusals(srv))
	})
	t.Run("not paced, retried", func(t *testing.T) {
		srv, errs := burst(t, func(*tribe.App) {})
		for _, err := range errs {
			assert.NoError(t, err, "the retries absorb the refusals")
		}
		assert.Positive(t, refusals(srv), "the mock did refuse some")
	})
}

// TestComplexityFromTheMock: a client reads each answer's complexity, as
// the mock computes it from Tribe's rules.
func TestComplexityFromTheMock(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	ctx := context.Background()
	ts, err := app.TokenSource(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	client, err := app.Client(ctx, ts)
	require.NoError(t, err)
	var info tribe.ResponseInfo
	_, err = client.Network(tribe.WithResponseInfo(ctx, &info))
	require.NoError(t, err)
	require.True(t, info.HasComplexity)
	// network (1) + roles, a list of objects: 5 × (1 + scopes, a list of
	// scalars, 1) in the operation tribe sends for Network.
	assert.Equal(t, 11, info.Complexity)
}
