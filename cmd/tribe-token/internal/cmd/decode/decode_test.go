package decode

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdDecode(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdDecode, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "stdin, json", Args: []string{"--token-file", "-", "--output", "json"}, Want: Options{Token: cmdutil.TokenFlag{File: "-"}, Output: "json"}},
		{Name: "env output", Args: []string{"-o", "env"}, WantErr: `unknown --output "env"`},
		{Name: "token as an argument", Args: []string{"a.b.c"}, WantErr: "takes no arguments"},
	})
}
