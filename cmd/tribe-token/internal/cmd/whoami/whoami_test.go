package whoami

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdWhoami(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdWhoami, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "every flag", Args: []string{"--token-file", "t.txt", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "json"},
			Want: Options{Token: cmdutil.TokenFlag{File: "t.txt"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: "json"}},
		{Name: "region", Args: []string{"--region", "us"}, Want: Options{Endpoint: cmdutil.EndpointFlags{Region: "us"}, Output: cmdutil.OutTable}},
		{Name: "token output", Args: []string{"-o", "token"}, WantErr: `unknown --output "token"`},
		{Name: "endpoint and region", Args: []string{"--region", "us", "--endpoint", "https://x"}, WantErr: "--endpoint and --region"},
		{Name: "token as a flag", Args: []string{"--token", "x"}, WantErr: "unknown flag: --token"},
	})
}
