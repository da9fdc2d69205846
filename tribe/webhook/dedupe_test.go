package webhook

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clockedDedupe is a MemoryDedupe on a clock the test moves.
func clockedDedupe(max int) (*MemoryDedupe, *time.Time) {
	d := NewMemoryDedupe(max)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return now }
	return d, &now
}

func TestMemoryDedupe(t *testing.T) {
	ctx := context.Background()
	claim := func(t *testing.T, d *MemoryDedupe, key string, ttl time.Duration) bool {
		t.Helper()
		ok, err := d.Claim(ctx, key, ttl)
		require.NoError(t, err)
		return ok
	}
	t.Run("first claim only, until the TTL", func(t *testing.T) {
		d, now := clockedDedupe(0)
		assert.True(t, claim(t, d, "k", time.Minute))
		assert.False(t, claim(t, d, "k", time.Minute))
		assert.True(t, claim(t, d, "other", time.Minute))
		*now = now.Add(59 * time.Second)
		assert.False(t, claim(t, d, "k", time.Minute))
		*now = now.Add(time.Second)
		assert.True(t, claim(t, d, "k", time.Minute), "expired")
	})
	t.Run("release", func(t *testing.T) {
		d, _ := clockedDedupe(0)
		assert.True(t, claim(t, d, "k", time.Minute))
		require.NoError(t, d.Release(ctx, "k"))
		assert.True(t, claim(t, d, "k", time.Minute))
		assert.False(t, claim(t, d, "k", time.Minute))
		require.NoError(t, d.Release(ctx, "never-claimed"))
	})
	t.Run("a zero TTL is the default", func(t *testing.T) {
		d, now := clockedDedupe(0)
		assert.True(t, claim(t, d, "k", 0))
		*now = now.Add(DefaultDedupeTTL - time.Second)
		assert.False(t, claim(t, d, "k", 0))
	})
	t.Run("bounded: the oldest is forgotten first", func(t *testing.T) {
		d, _ := clockedDedupe(3)
		for i := range 5 {
			assert.True(t, claim(t, d, fmt.Sprint("k", i), time.Hour))
		}
		assert.Equal(t, 3, d.Len())
		assert.False(t, claim(t, d, "k4", time.Hour))
		assert.False(t, claim(t, d, "k2", time.Hour))
		assert.True(t, claim(t, d, "k0", time.Hour), "forgotten")
	})
	t.Run("expired keys are forgotten", func(t *testing.T) {
		d, now := clockedDedupe(0)
		for i := range 100 {
			claim(t, d, fmt.Sprint("k", i), time.Minute)
		}
		*now = now.Add(time.Hour)
		claim(t, d, "new", time.Minute)
		assert.Equal(t, 1, d.Len())
	})
	t.Run("released and reclaimed keys do not grow it without bound", func(t *testing.T) {
		d, _ := clockedDedupe(10)
		for range 10_000 {
			claim(t, d, "k", time.Hour)
			require.NoError(t, d.Release(ctx, "k"))
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		assert.LessOrEqual(t, len(d.queue), 4*10)
	})
	t.Run("concurrent claims: one wins", func(t *testing.T) {
		d := NewMemoryDedupe(0)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, err := d.Claim(ctx, "k", time.Minute); err == nil && ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load())
	})
}

func TestDedupeKey(t *testing.T) {
	at := time.UnixMilli(1767225600000)
	tests := []struct {
		name string
		typ  string
		ev   *Event
		in   *Installation
		want string
	}{
		{"event", TypeSubscription, &Event{ID: "ev-1"}, nil, "SUBSCRIPTION:ev-1"},
		{"event without id", TypeSubscription, &Event{}, nil, ""},
		{"install", TypeAppInstalled, nil, &Installation{ID: "inst-1", UpdatedAt: at}, "APP_INSTALLED:inst-1:1767225600000"},
		{"uninstall", TypeAppUninstalled, nil, &Installation{ID: "inst-1", UpdatedAt: at}, "APP_UNINSTALLED:inst-1:1767225600000"},
		{"install without a time", TypeAppInstalled, nil, &Installation{ID: "inst-1"}, "APP_INSTALLED:inst-1"},
		{"interaction", TypeInteraction, nil, nil, ""},
		{"long id", TypeSubscription, &Event{ID: strings.Repeat("x", 1000)}, nil,
			"SUBSCRIPTION:sha256-" + fmt.Sprintf("%x", sha256Sum(strings.Repeat("x", 1000)))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, dedupeKey(tc.typ, tc.ev, tc.in))
		})
	}
}

func sha256Sum(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
