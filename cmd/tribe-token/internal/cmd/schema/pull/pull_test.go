package pull

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdPull(t *testing.T) {
	def := Options{}
	with := func(f func(o *Options)) Options { o := def; f(&o); return o }
	cmdtest.RunFlagTable(t, NewCmdPull, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Args: nil, Want: def},
		{Name: "every flag", Args: []string{"--network", "n1", "--client-id", "id", "--client-secret-file", "-", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "schema.graphql"},
			Want: Options{Network: "n1", App: cmdutil.AppFlags{ClientID: "id", SecretFile: "-"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: "schema.graphql"}},
		{Name: "region us", Args: []string{"--region", "us", "--network", "n"}, Want: with(func(o *Options) { o.Endpoint.Region = "us"; o.Network = "n" })},
		{Name: "region eu", Args: []string{"--region", "eu", "--output", "s.graphql"}, Want: with(func(o *Options) { o.Endpoint.Region = "eu"; o.Output = "s.graphql" })},
		{Name: "anonymous", Args: []string{"--anonymous"}, Want: with(func(o *Options) { o.Anonymous = true })},
		{Name: "token file", Args: []string{"--token-file", "-"}, Want: with(func(o *Options) { o.Token.File = "-" })},
		{Name: "unknown region", Args: []string{"--region", "mars"}, WantErr: `unknown --region "mars"`},
		{Name: "endpoint and region", Args: []string{"--region", "eu", "--endpoint", "https://x"}, WantErr: "--endpoint and --region both"},
		{Name: "network with a space", Args: []string{"--network", "n 1"}, WantErr: `--network "n 1" has spaces`},
		{Name: "anonymous and token", Args: []string{"--anonymous", "--token-file", "t"}, WantErr: "--anonymous sends no token and --token-file"},
		{Name: "anonymous and network", Args: []string{"--anonymous", "--network", "n"}, WantErr: "--anonymous sends no token and --network"},
		{Name: "token and network", Args: []string{"--token-file", "t", "--network", "n"}, WantErr: "--token-file gives the token and --network"},
		{Name: "token as a flag", Args: []string{"--token", "x"}, WantErr: "TRIBE_TOKEN"},
		{Name: "argument", Args: []string{"extra"}, WantErr: "takes no arguments"},
	})
}

// TestPullOutputIsNeverWrittenThroughALink checks -o refuses a symbolic
// link, leaving the file it points to as it was, and writes a plain file
// with mode 0644 (less the umask).
func TestPullOutputIsNeverWrittenThroughALink(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	victim := filepath.Join(dir, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o600))
	link := filepath.Join(dir, "schema.graphql")
	require.NoError(t, os.Symlink(victim, link))

	pull := func(out string) error {
		f := cmdutil.New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
		opts := &Options{Factory: f, Anonymous: true, Endpoint: cmdutil.EndpointFlags{Endpoint: srv.GraphQLURL()}, Output: out}
		return pullRun(context.Background(), opts)
	}
	err := pull(link)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writing the schema to -o "+link)
	assert.Contains(t, err.Error(), "is a symbolic link")
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file the link points to keeps its mode")

	out := filepath.Join(dir, "real.graphql")
	require.NoError(t, pull(out))
	fi, err = os.Stat(out)
	require.NoError(t, err)
	assert.Zero(t, fi.Mode().Perm()&^0o644, "no more than 0644")
	assert.NotZero(t, fi.Mode().Perm()&0o400)
}
