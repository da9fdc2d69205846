package root

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

// TestEnvironmentIsAHelpTopic: "help environment" and "environment" list
// the variables, each with what it holds.
func TestEnvironmentIsAHelpTopic(t *testing.T) {
	for _, args := range [][]string{{"help", "environment"}, {"environment"}} {
		r := run(t, cmdtest.Invocation{Args: args})
		cmdtest.RequireOK(t, r)
		for _, v := range []string{"TRIBE_CLIENT_ID  ", "TRIBE_CACHE_KEY  ", "TRIBE_MOCK_ADMIN  ", "COLUMNS  "} {
			assert.Contains(t, r.Stdout, v, args)
		}
	}
}
