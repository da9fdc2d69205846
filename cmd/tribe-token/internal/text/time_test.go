package text

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRoughDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Millisecond, "2s"},
		{59*time.Minute + 50*time.Second, "1h"},
		{59 * time.Minute, "59m"},
		{2*time.Hour + 5*time.Minute, "2h5m"},
		{48 * time.Hour, "2d"},
		{50 * time.Hour, "2d2h"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, RoughDuration(tt.d), tt.d.String())
		})
	}
}

func TestWait(t *testing.T) {
	assert.Equal(t, "250ms", Wait(250*time.Millisecond))
	assert.Equal(t, "1s", Wait(time.Second))
	assert.Equal(t, "5m", Wait(5*time.Minute))
}

func TestDescribeTime(t *testing.T) {
	now := time.Date(2025, 1, 2, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		past string
		want string
	}{
		{"zero", time.Time{}, "expired", ""},
		{"future", now.Add(59 * time.Minute), "expired", "2025-01-02T15:59:00Z (in 59m)"},
		{"past named", now.Add(-3 * time.Minute), "expired", "2025-01-02T14:57:00Z (expired 3m ago)"},
		{"past", now.Add(-3 * time.Minute), "", "2025-01-02T14:57:00Z (3m ago)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DescribeTime(tt.t, now, tt.past))
		})
	}
	assert.Equal(t, "2025-01-02T15:00:00Z", RFC3339(now.In(time.FixedZone("x", 3600))))
	assert.Empty(t, RFC3339(time.Time{}))
}
