package crmtest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestClockOptions: WithClock gives the server its clock, which SetTime
// freezes and Advance moves forward; the deprecated WithTime still
// freezes it at a time.
func TestClockOptions(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var ticks int
	clock := func() time.Time { ticks++; return at.Add(time.Duration(ticks) * time.Second) }

	srv := setup(t, crmtest.WithClock(clock))
	assert.Equal(t, at.Add(time.Second), srv.Now(), "the clock of WithClock")
	assert.Equal(t, at.Add(2*time.Second), srv.Now(), "followed, not frozen")
	srv.Advance(time.Hour)
	assert.Equal(t, at.Add(time.Hour+3*time.Second), srv.Now(), "Advance freezes it, moved forward")
	assert.Equal(t, at.Add(time.Hour+3*time.Second), srv.Now())

	old := setup(t, crmtest.WithTime(at))
	assert.Equal(t, at, old.Now())
	assert.Equal(t, at, old.Now(), "frozen")
}

// TestInvalidOptions: an option that cannot apply makes NewServer panic
// with an error that names the option and how to fix it.
func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  crmtest.Option
		want string
	}{
		{"nil clock", crmtest.WithClock(nil), "crmtest: WithClock(nil) has no clock; pass time.Now or a function of your own"},
		{"zero lifetime", crmtest.WithAccessTokenLifetime(0), "crmtest: WithAccessTokenLifetime(0s): the lifetime is not positive; give a duration above zero, such as time.Hour"},
		{"app without client id", crmtest.WithApp(crmtest.App{}), "crmtest: WithApp: the app has no ClientID; give it one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				require.True(t, ok, "NewServer panics with an error")
				assert.EqualError(t, err, tc.want)
			}()
			srv := crmtest.NewServer(tc.opt)
			srv.Close()
		})
	}
	srv := crmtest.NewServer(nil) // a nil option is skipped
	srv.Close()
}
