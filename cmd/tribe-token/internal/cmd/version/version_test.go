package version

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdVersion(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdVersion, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "json", Args: []string{"-o", "json"}, Want: Options{Output: "json"}},
		{Name: "yaml", Args: []string{"-o", "yaml"}, WantErr: `unknown --output "yaml"`},
		{Name: "argument", Args: []string{"now"}, WantErr: "takes no arguments"},
	})
}

func TestVersionJSONHasTheTablesFields(t *testing.T) {
	table := cmdtest.Run(t, NewCmdVersion, cmdtest.Invocation{})
	cmdtest.RequireOK(t, table)
	r := cmdtest.Run(t, NewCmdVersion, cmdtest.Invocation{Args: []string{"-o", "json"}})
	cmdtest.RequireOK(t, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	for _, l := range strings.Split(strings.TrimSpace(table.Stdout), "\n") {
		key, value, _ := strings.Cut(l, "  ")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		jsonKey := map[string]string{"commit time": "time"}[key]
		if jsonKey == "" {
			jsonKey = key
		}
		require.Contains(t, out, jsonKey, "the table's %q", key)
		if key != "revision" {
			assert.Equal(t, value, out[jsonKey])
		}
	}
	assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, out["platform"])
}

func TestVersion(t *testing.T) {
	r := cmdtest.Run(t, NewCmdVersion, cmdtest.Invocation{})
	cmdtest.RequireOK(t, r)
	assert.Regexp(t, `(?m)^version\s+\S+`, r.Stdout)
	assert.Regexp(t, `(?m)^go\s+go1\.`, r.Stdout)

	r = cmdtest.Run(t, NewCmdVersion, cmdtest.Invocation{Args: []string{"-o", "json"}})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, `"go": "go1.`)
}
