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
