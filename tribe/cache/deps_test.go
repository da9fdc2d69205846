package cache

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheLinksNoRedis: a program that uses tribe/cache without its Redis
// store links no Redis client (`go list -deps` of the package).
func TestCacheLinksNoRedis(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", "github.com/tribekit/tribekit/tribe/cache").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := string(out)
	require.Contains(t, deps, "github.com/tribekit/tribekit/tribe\n", "the listing is of tribe/cache's dependencies")
	for _, dep := range strings.Split(deps, "\n") {
		assert.NotContains(t, dep, "redis", "tribe/cache links %s", dep)
		assert.NotContains(t, dep, "rueidis")
	}
}
