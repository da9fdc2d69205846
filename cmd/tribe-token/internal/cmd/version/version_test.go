package version

import (
	"testing"

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
	table := run(t, invocation{args: args("version")})
	requireOK(t, table)
	r := run(t, invocation{args: args("version", "-o", "json")})
	requireOK(t, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	for _, l := range strings.Split(strings.TrimSpace(table.stdout), "\n") {
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
