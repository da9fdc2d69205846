package tribe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryPolicyMaxWait: no single wait is longer than MaxWait (5 minutes
// unless set), whatever MaxElapsed allows: a longer Retry-After ends the
// retries with the server's refusal, which says when to try again; a
// longer RateLimitWait is shortened to it.
func TestRetryPolicyMaxWait(t *testing.T) {
	cases := []struct {
		name       string
		status429  bool
		retryAfter string
		policy     RetryPolicy
		wantWaits  []time.Duration
		wantAfter  time.Duration // the refusal's RetryAfter, when it is returned
	}{
		{name: "a day's Retry-After (104) is not waited", retryAfter: "86400", policy: RetryPolicy{MaxElapsed: 48 * time.Hour}, wantAfter: 24 * time.Hour},
		{name: "a day's Retry-After (429) is not waited", status429: true, retryAfter: "86400", policy: RetryPolicy{MaxElapsed: 48 * time.Hour}, wantAfter: 24 * time.Hour},
		{name: "past MaxWait", retryAfter: "3601", policy: RetryPolicy{MaxElapsed: 48 * time.Hour, MaxWait: time.Hour}, wantAfter: time.Hour + time.Second},
		{name: "within MaxWait", retryAfter: "1800", policy: RetryPolicy{MaxElapsed: 48 * time.Hour, MaxWait: time.Hour}, wantWaits: []time.Duration{30 * time.Minute, 30 * time.Minute}},
		{name: "within the default MaxWait", retryAfter: "300", policy: RetryPolicy{MaxElapsed: time.Hour}, wantWaits: []time.Duration{5 * time.Minute, 5 * time.Minute}},
		{name: "RateLimitWait shortened to MaxWait", policy: RetryPolicy{RateLimitWait: time.Hour, MaxElapsed: 48 * time.Hour, MaxWait: time.Minute},
			wantWaits: []time.Duration{time.Minute, time.Minute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newLimitedServer(t, 0, time.Hour)
			var refusals atomic.Int32
			refusals.Store(2)
			srv.Config.Handler = wrapRefusals(srv, &refusals, tc.status429, tc.retryAfter)
			policy, waits := recordWaits(tc.policy)
			c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: policy})
			require.NoError(t, err)
			_, err = c.AuthMember(context.Background())
			if tc.wantAfter > 0 {
				require.ErrorIs(t, err, ErrRateLimited)
				rl, ok := errors.AsType[*RateLimitError](err)
				require.True(t, ok)
				assert.Equal(t, tc.wantAfter, rl.RetryAfter, "the refusal says when to try again")
				assert.Empty(t, *waits, "nothing waited")
				assert.Equal(t, int32(1), srv.refused.Load())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantWaits, *waits)
		})
	}
}

// TestMintRetryMaxWait: a mint (code 104, or HTTP 429 through the retrying
// transport) does not wait a day's Retry-After either.
func TestMintRetryMaxWait(t *testing.T) {
	for _, status429 := range []bool{false, true} {
		t.Run(fmt.Sprint("429=", status429), func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Retry-After", "86400")
				if status429 {
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmt.Fprint(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED","code":"104"}]}`)
			}))
			defer srv.Close()
			policy, waits := recordWaits(RetryPolicy{MaxElapsed: 48 * time.Hour})
			_, err := (&App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL, Retry: policy}).Mint(context.Background(), Bot("net"))
			require.ErrorIs(t, err, ErrRateLimited)
			assert.Empty(t, *waits)
			assert.Equal(t, int32(1), n.Load())
		})
	}
}
