package tribetest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRateLimitWindows: the mock refuses a request over the burst limit
// with 104 and Retry-After, counts it in the day, and Advance moves the
// windows; the daily quota holds across burst windows.
func TestRateLimitWindows(t *testing.T) {
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	s := setup(t, WithClock(func() time.Time { return start }), WithRateLimits(RateLimits{Requests: 2, Window: 10 * time.Second, DailyRequests: 5}))
	tok := memberToken(t, s)
	call := func() (int, string, map[string]any) {
		t.Helper()
		status, hdr, body, err := rawPost(context.Background(), s, bearer(tok), `{ authMember { id } }`)
		require.NoError(t, err)
		var answer map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &answer))
		return status, hdr.Get("Retry-After"), answer
	}
	for range 2 {
		_, _, a := call()
		assert.Nil(t, a["errors"])
	}
	status, retryAfter, a := call()
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "10", retryAfter, "the window ends in 10 s")
	require.NotNil(t, a["errors"])
	assert.Equal(t, "104", a["errors"].([]any)[0].(map[string]any)["code"])
	assert.True(t, strings.HasPrefix(a["errors"].([]any)[0].(map[string]any)["message"].(string), "USER_REQUEST_REACHED"))

	s.Advance(10 * time.Second) // a new burst window: 2 more, then the day's 5 are spent (3 + 2)
	for range 2 {
		_, _, a := call()
		assert.Nil(t, a["errors"])
	}
	s.Advance(10 * time.Second)
	_, retryAfter, a = call()
	require.NotNil(t, a["errors"], "the refused request counted in the day")
	assert.Equal(t, "104", a["errors"].([]any)[0].(map[string]any)["code"])
	assert.Equal(t, "43180", retryAfter, "the day ends at midnight UTC")

	s.Reset() // forgets the counts
	_, _, a = call()
	assert.Nil(t, a["errors"])
}

// TestRateLimitsFromFixtures: fixtures' rateLimits (window as a duration
// string) are enforced; bad ones are refused.
func TestRateLimitsFromFixtures(t *testing.T) {
	f := DefaultFixtures()
	require.NoError(t, json.Unmarshal([]byte(`{"requests":1,"window":"1h"}`), &f.RateLimits))
	assert.Equal(t, &RateLimits{Requests: 1, Window: time.Hour}, f.RateLimits)
	s := setup(t, WithFixtures(f))
	tok := memberToken(t, s)
	_, _, body, err := rawPost(context.Background(), s, bearer(tok), `{ authMember { id } }`)
	require.NoError(t, err)
	assert.NotContains(t, body, `"104"`)
	assert.Contains(t, body, `"extensions":{"complexity":1}`)
	_, _, body, err = rawPost(context.Background(), s, bearer(tok), `{ authMember { id } }`)
	require.NoError(t, err)
	assert.Contains(t, body, `"code":"104"`)

	var l RateLimits
	assert.ErrorContains(t, json.Unmarshal([]byte(`{"window":"soon"}`), &l), `window "soon" is not a duration`)
	assert.ErrorContains(t, json.Unmarshal([]byte(`{"requests":-1}`), &l), "negative")
	assert.ErrorContains(t, json.Unmarshal([]byte(`{"burst":1}`), &l), "unknown field")
}
