package demo

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

func TestNewCmdDemo(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdDemo, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{}},
		{Name: "argument", Args: []string{"now"}, WantErr: "takes no arguments"},
		{Name: "flag", Args: []string{"--network", "n"}, WantErr: "unknown flag: --network"},
	})
}
