package check

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdCheck(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdCheck, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "stdin, json", Args: []string{"--token-file", "-", "-o", "json"}, Want: Options{Token: cmdutil.TokenFlag{File: "-"}, Output: "json"}},
		{Name: "token output", Args: []string{"-o", "token"}, WantErr: `unknown --output "token"`},
		{Name: "token as an argument", Args: []string{"a.b.c"}, WantErr: "takes no arguments"},
	})
}
