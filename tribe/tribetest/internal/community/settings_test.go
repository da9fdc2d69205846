package community_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestAppSettings(t *testing.T) {
	c, rec, _ := newTest(t)
	got, err := c.AppSettings(bot, "app-1")
	require.NoError(t, err)
	assert.Equal(t, "{}", got, "none stored")

	_, err = c.UpdateAppSettings(carol, "app-1", `{"a":1}`)
	assert.Equal(t, community.CodeForbidden, code(err))
	_, err = c.UpdateAppSettings(bot, "app-1", `not json`)
	assert.Equal(t, community.CodeInvalid, code(err))
	_, err = c.UpdateAppSettings(bot, "app-1", `[1]`)
	assert.Equal(t, community.CodeInvalid, code(err), "an object only")
	_, err = c.UpdateAppSettings(bot, "", `{}`)
	assert.Equal(t, community.CodeInvalid, code(err))

	out, err := c.UpdateAppSettings(bot, "app-1", `{"greeting":"Hello"}`)
	require.NoError(t, err)
	assert.Equal(t, `{"greeting":"Hello"}`, out)
	got, err = c.AppSettings(alice, "app-1")
	require.NoError(t, err)
	assert.Equal(t, `{"greeting":"Hello"}`, got)
	assert.Equal(t, `{"greeting":"Hello"}`, c.Settings("net-acme", "app-1"))
	assert.Equal(t, "{}", c.Settings("net-acme", "app-2"))
	assert.Equal(t, "{}", c.Settings("net-other", "app-1"))
	_, err = c.AppSettings(carol, "app-1")
	assert.Equal(t, community.CodeForbidden, code(err))
	assert.Empty(t, rec.names())

	mustPost(t, c, carol, "s", "x")
	assert.Equal(t, map[string]string{"app-1": `{"greeting":"Hello"}`}, rec.last().Settings, "an event carries the settings")
	held := rec.last().Settings
	_, err = c.UpdateAppSettings(bot, "app-1", `{"greeting":"Bye"}`)
	require.NoError(t, err)
	assert.Equal(t, `{"greeting":"Hello"}`, held["app-1"], "an event's settings do not change after it")
}
