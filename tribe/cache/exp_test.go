package cache

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
)

// fakeJWT returns an unsigned JWT-shaped token with the given claims.
func fakeJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// TestAbsurdExpIsBounded: a minted token whose exp is missing, absurd or
// already past is neither kept for ever nor minted again on every call.
func TestAbsurdExpIsBounded(t *testing.T) {
	start := time.Now()
	claims := map[string]string{
		"no exp":              `{"id":"m1"}`,
		"exp not a number":    `{"id":"m1","exp":"tomorrow"}`,
		"exp zero":            `{"id":"m1","exp":0}`,
		"exp negative":        `{"id":"m1","exp":-100}`,
		"exp past year 9999":  `{"id":"m1","exp":253402300800}`,
		"exp huge":            `{"id":"m1","exp":1e300}`,
		"exp past at mint":    fmt.Sprintf(`{"id":"m1","exp":%d}`, start.Add(-time.Hour).Unix()),
		"exp a second away":   fmt.Sprintf(`{"id":"m1","exp":%d}`, start.Add(time.Second).Unix()),
		"exp NaN-like string": `{"id":"m1","exp":"NaN"}`,
	}
	for name, c := range claims {
		t.Run(name, func(t *testing.T) {
			var mints atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mints.Add(1)
				fmt.Fprintf(w, `{"data":{"limitedToken":{"accessToken":%q}}}`, fakeJWT(c))
			}))
			defer srv.Close()
			app := &tribe.App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL}

			tok, err := app.Mint(context.Background(), tribe.Bot("net"))
			require.NoError(t, err)
			require.False(t, tok.Expiry.IsZero(), "a minted token always has an Expiry")
			assert.True(t, tok.Valid(), "the token is usable when handed out")
			assert.LessOrEqual(t, time.Until(tok.Expiry), tribe.UnknownTokenLifetime+time.Second)

			var clock atomic.Int64
			clock.Store(int64(time.Since(start)))
			now := func() time.Time { return start.Add(time.Duration(clock.Load())) }
			cache, err := New(app, Options{Clock: now})
			require.NoError(t, err)
			defer cache.Close()
			mints.Store(0)
			for range 20 {
				_, err := cache.Token(context.Background(), tribe.Bot("net"))
				require.NoError(t, err)
			}
			assert.Equal(t, int32(1), mints.Load(), "one mint for many calls")
			clock.Add(int64(tribe.UnknownTokenLifetime + time.Minute))
			_, err = cache.Token(context.Background(), tribe.Bot("net"))
			require.NoError(t, err)
			assert.Equal(t, int32(2), mints.Load(), "the token is not kept for ever")
		})
	}
}
