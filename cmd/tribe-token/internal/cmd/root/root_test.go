package root

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	paths := commandPaths()
	require.Greater(t, len(paths), 15)
	for _, p := range paths {
		t.Run(strings.Join(append([]string{"tribe-token"}, p...), " "), func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Args: append(p, "--help")})
			cmdtest.RequireOK(t, r)
			assert.Contains(t, r.Stdout, "Examples:")
			assert.Contains(t, r.Stdout, "Usage:")
		})
	}
}

func TestGroupsWithoutSubcommandShowHelp(t *testing.T) {
	for _, g := range []string{"jwt", "crm"} {
		r := run(t, cmdtest.Invocation{Args: args(g)})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, r.Stdout, "Available Commands:")
	}
}

func TestCompletion(t *testing.T) {
	r := run(t, cmdtest.Invocation{Args: args("completion", "bash")})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "tribe-token")
	r = run(t, cmdtest.Invocation{Args: args("__complete", "mint", "--region", "")})
	require.Equal(t, cmdutil.ExitOK, r.Code)
	assert.Contains(t, r.Stdout, "us\neu\n")
}

func TestUnknownCommandSuggestsWithoutEchoing(t *testing.T) {
	r := run(t, cmdtest.Invocation{Args: args("mintt")})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "unknown command; did you mean mint?")
	assert.NotContains(t, r.Stderr, "mintt")
	r = run(t, cmdtest.Invocation{Args: args("crm", "tokn")})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "did you mean token?")
}

func TestHelpCommand(t *testing.T) {
	r := run(t, cmdtest.Invocation{Args: args("help", "crm", "token")})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "Print a Tribe CRM access token")
	r = run(t, cmdtest.Invocation{Args: args("help")})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "Available Commands:")
	r = run(t, cmdtest.Invocation{Args: args("completion")})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "Available Commands:")
	r = run(t, cmdtest.Invocation{Args: args("__complete", "help", "cr")})
	require.Equal(t, cmdutil.ExitOK, r.Code)
	assert.Contains(t, r.Stdout, "crm")
}

// TestRootHelpListsTheEnvironment: the root's help names every environment
// variable the commands read.
func TestRootHelpListsTheEnvironment(t *testing.T) {
	root := run(t, cmdtest.Invocation{Args: args("--help")})
	cmdtest.RequireOK(t, root)
	for _, v := range []string{"Environment:", "TRIBE_CLIENT_ID", "TRIBE_CLIENT_SECRET", "TRIBE_NETWORK_ID", "TRIBE_ENDPOINT", "TRIBE_COMMUNITY_URL", "TRIBE_TOKEN", "TRIBE_GATEWAY_URL", "TRIBE_PASSWORD", "TRIBE_REFRESH_TOKEN", "TRIBE_CRM_CLIENT_ID", "TRIBE_CRM_CLIENT_SECRET", "TRIBE_CRM_REFRESH_TOKEN", "TRIBE_CRM_TOKEN", "TRIBE_CRM_BASE_URL", "TRIBE_CACHE_URL", "TRIBE_CACHE_KEY"} {
		assert.Contains(t, root.Stdout, v, "the root help lists the environment")
	}
}
