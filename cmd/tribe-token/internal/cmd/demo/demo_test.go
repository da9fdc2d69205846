package demo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

func TestNewCmdDemo(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdDemo, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{}},
		{Name: "argument", Args: []string{"now"}, WantErr: "takes no arguments"},
		{Name: "flag", Args: []string{"--network", "n"}, WantErr: "unknown flag: --network"},
	})
}

// TestNextCommandEndsWhenTheMockDies: the demo's last line waits for the
// mock's settings only while the mock lives; a mock that fails to start
// ends the wait, its error shown.
func TestNextCommandEndsWhenTheMockDies(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is needed to run the demo's last line")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "tribe-token")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\necho 'tribe-token: reading --fixtures f.json: no such file' >&2\nexit 2\n"), 0o755))
	script := strings.ReplaceAll(NextCommand, "go run ./cmd/tribe-token", fake)
	require.NotEqual(t, NextCommand, script)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, bash, "-c", script)
	c.Dir = dir
	out, _ := c.CombinedOutput()
	require.NoError(t, ctx.Err(), "the wait did not end: %s", out)
	assert.Contains(t, string(out), "reading --fixtures f.json: no such file", "the mock's error is shown")
}

func TestDemo(t *testing.T) {
	r := cmdtest.Run(t, NewCmdDemo, cmdtest.Invocation{Args: nil})
	cmdtest.RequireOK(t, r)
	for _, want := range []string{
		"Minted a token for bot@net-acme",
		"Minted a token for member mem-carol@net-acme",
		"Carol Member (@carol, id mem-carol), role member",
		"/gateway/net-acme",
		"tribe.ErrForbidden",
		"3 limitedToken calls",
	} {
		assert.Contains(t, r.Stdout, want)
	}
	assert.NotRegexp(t, `eyJ[A-Za-z0-9_-]+\.`, r.Stdout, "no token printed")
}
