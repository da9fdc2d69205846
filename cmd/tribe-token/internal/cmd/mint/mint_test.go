package mint

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdMint(t *testing.T) {
	def := Options{Output: cmdutil.OutToken}
	with := func(f func(o *Options)) Options { o := def; f(&o); return o }
	cmdtest.RunFlagTable(t, NewCmdMint, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Args: nil, Want: def},
		{Name: "every flag", Args: []string{"--network", "n1", "--member", "m1", "--context", "space", "--entity", "s1", "--client-id", "id", "--client-secret-file", "-", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "json"},
			Want: Options{Network: "n1", Member: "m1", Context: "space", Entity: "s1", App: cmdutil.AppFlags{ClientID: "id", SecretFile: "-"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: "json"}},
		{Name: "region", Args: []string{"--region", "eu", "--output", "env"}, Want: with(func(o *Options) { o.Endpoint.Region = "eu"; o.Output = "env" })},
		{Name: "network context", Args: []string{"--context", "NETWORK"}, Want: with(func(o *Options) { o.Context = "NETWORK" })},
		{Name: "cache", Args: []string{"--cache", "redis://127.0.0.1:6379/0", "--cache-key-file", "key.txt"}, Want: with(func(o *Options) { o.Cache = cmdutil.CacheFlags{URL: "redis://127.0.0.1:6379/0", KeyFile: "key.txt"} })},
		{Name: "cache unencrypted", Args: []string{"--cache", "rediss://h:6380", "--cache-insecure-no-encryption"}, Want: with(func(o *Options) { o.Cache = cmdutil.CacheFlags{URL: "rediss://h:6380", InsecureNoEncryption: true} })},
		{Name: "cache key as a flag", Args: []string{"--cache-key", "x"}, WantErr: "unknown flag: --cache-key"},
		{Name: "unknown output", Args: []string{"-o", "yaml"}, WantErr: `unknown --output "yaml"`},
		{Name: "endpoint and region", Args: []string{"--region", "eu", "--endpoint", "https://x"}, WantErr: "--endpoint and --region both"},
		{Name: "unknown region", Args: []string{"--region", "mars"}, WantErr: `unknown --region "mars"`},
		{Name: "unknown context", Args: []string{"--context", "galaxy"}, WantErr: `--context "galaxy" is not a permission context`},
		{Name: "context without entity", Args: []string{"--context", "POST"}, WantErr: "--context POST needs --entity"},
		{Name: "network with a space", Args: []string{"--network", "n 1"}, WantErr: `--network "n 1" has spaces`},
		{Name: "member with a tab", Args: []string{"--member", "m\t1"}, WantErr: "--member"},
		{Name: "secret as a flag", Args: []string{"--client-secret", "x"}, WantErr: "unknown flag: --client-secret"},
		{Name: "argument", Args: []string{"extra"}, WantErr: "takes no arguments"},
	})
}
