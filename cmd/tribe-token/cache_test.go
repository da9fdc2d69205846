package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestMintCacheFleet: 50 tribe-token mint processes started at once, for
// the same member, with a cold Redis, send one limitedToken request between
// them and all print the same token; on stderr, nothing but the line of
// one that waited for another's mint.
func TestMintCacheFleet(t *testing.T) {
	redisAddr := testenv.StartRedis(t, testenv.RedisOptions{}).Addr
	bin := buildBinary(t)
	srv := cmdtest.NewMock(t)
	// Generous Redis timeouts: fifty processes share two cores here.
	cacheURL := "redis://" + redisAddr + "/0?dial_timeout=5s&read_timeout=5s&write_timeout=5s"
	env := append(os.Environ(),
		"TRIBE_CLIENT_ID="+tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET="+tribetest.DefaultClientSecret,
		"TRIBE_ENDPOINT="+srv.GraphQLURL(),
		"TRIBE_NETWORK_ID="+tribetest.DefaultNetworkID,
		"TRIBE_CACHE_URL="+cacheURL,
		"TRIBE_CACHE_KEY="+cmdtest.CacheKey(1),
	)
	const n = 50
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		c := exec.CommandContext(ctx, bin, "mint", "--member", tribetest.PlainMemberID, "--timeout", "60s")
		c.Env = env
		outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		c.Stdout, c.Stderr = outs[i], errs[i]
		cmds[i] = c
	}
	// Start them all, then wait for them all.
	var wg sync.WaitGroup
	start := make(chan struct{})
	startErrs := make([]error, n)
	for i, c := range cmds {
		wg.Go(func() {
			<-start
			startErrs[i] = c.Start()
		})
	}
	close(start)
	wg.Wait()
	for i, c := range cmds {
		require.NoError(t, startErrs[i])
		require.NoError(t, c.Wait(), "process %d: %s", i, errs[i])
	}
	first := strings.TrimSpace(outs[0].String())
	require.NotEmpty(t, first)
	for i := range cmds {
		assert.Equal(t, first, strings.TrimSpace(outs[i].String()), "process %d prints the same token", i)
		// A process that waits for another's mint says so, once.
		assert.Regexp(t, `^(tribe-token: another process is minting this token; waiting up to \S+\n)?$`, errs[i].String(), "process %d", i)
	}
	assert.Equal(t, 1, srv.Count("limitedToken"), "one mint for the fleet")

	// A later process finds the token in Redis too, and so does api.
	c := exec.CommandContext(ctx, bin, "mint", "--member", tribetest.PlainMemberID)
	c.Env = env
	out, err := c.Output()
	require.NoError(t, err)
	assert.Equal(t, first, strings.TrimSpace(string(out)))
	c = exec.CommandContext(ctx, bin, "api", "--member", tribetest.PlainMemberID, "{ authMember { id } }")
	c.Env = env
	out, err = c.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), tribetest.PlainMemberID)
	assert.NotContains(t, string(out), first)
	assert.Equal(t, 1, srv.Count("limitedToken"), "still one mint")
}

// TestMintCacheRedisDown: with Redis unreachable, mint and api work
// without it, say so once on stderr, and print no secret.
func TestMintCacheRedisDown(t *testing.T) {
	srv := cmdtest.NewMock(t)
	key := cmdtest.CacheKey(2)
	env := cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CACHE_URL", "redis://:redis-pass-5e6f@"+cmdtest.ClosedPort(t), "TRIBE_CACHE_KEY", key)
	for _, a := range [][]string{args("mint", "-o", "json"), args("mint", "--member", tribetest.PlainMemberID), args("api", "{ network { id } }")} {
		t.Run(strings.Join(a, " "), func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: env, Args: a})
			require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
			assert.NotEmpty(t, r.Stdout)
			lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
			require.Len(t, lines, 1, r.Stderr)
			assert.Contains(t, lines[0], "tribe-token: warning: the Redis of TRIBE_CACHE_URL is unreachable, so this run mints on its own")
			for _, s := range []string{key, tribetest.DefaultClientSecret, "redis-pass-5e6f"} {
				for _, form := range testenv.SecretForms(s) {
					assert.NotContains(t, r.Stdout, form)
					assert.NotContains(t, r.Stderr, form)
				}
			}
		})
	}
}

// TestCacheUsage: bad cache settings are usage errors naming the flag or
// variable, and never show the key.
func TestCacheUsage(t *testing.T) {
	srv := cmdtest.NewMock(t)
	base := cmdtest.APIEnv(srv)
	badKey := base64.StdEncoding.EncodeToString([]byte("S3ntinel-short-cache-key"))
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(badKey+"\n"), 0o600))
	url := "redis://" + cmdtest.ClosedPort(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no key", cmdtest.With(base, "TRIBE_CACHE_URL", url), args("mint"), []string{"no cache encryption key", "TRIBE_CACHE_KEY", "--cache-key-file", "head -c 32 /dev/urandom | base64"}},
		{"no key for --cache", base, args("api", "--cache", url, "{ network { id } }"), []string{"no cache encryption key for --cache", "TRIBE_CACHE_KEY"}},
		{"short key", cmdtest.With(base, "TRIBE_CACHE_URL", url, "TRIBE_CACHE_KEY", badKey), args("mint"), []string{"the cache encryption key from TRIBE_CACHE_KEY is not usable", "head -c 32"}},
		{"short key in a file", cmdtest.With(base, "TRIBE_CACHE_URL", url), args("mint", "--cache-key-file", keyFile), []string{"from --cache-key-file is not usable"}},
		{"not base64", cmdtest.With(base, "TRIBE_CACHE_URL", url, "TRIBE_CACHE_KEY", "S3ntinel not base64!"), args("mint"), []string{"not usable"}},
		{"key file without cache", base, args("mint", "--cache-key-file", keyFile), []string{"--cache-key-file needs --cache URL (or TRIBE_CACHE_URL)"}},
		{"unencrypted without cache", base, args("api", "--cache-insecure-no-encryption", "{ network { id } }"), []string{"--cache-insecure-no-encryption needs --cache"}},
		{"key and unencrypted", cmdtest.With(base, "TRIBE_CACHE_KEY", cmdtest.CacheKey(3)), args("mint", "--cache", url, "--cache-insecure-no-encryption"), []string{"TRIBE_CACHE_KEY gives a cache encryption key and --cache-insecure-no-encryption", "give one of them"}},
		{"not redis", cmdtest.With(base, "TRIBE_CACHE_URL", "http://127.0.0.1:6379", "TRIBE_CACHE_KEY", cmdtest.CacheKey(3)), args("mint"), []string{"TRIBE_CACHE_URL is not a Redis URL"}},
		{"no host", cmdtest.With(base, "TRIBE_CACHE_KEY", cmdtest.CacheKey(3)), args("mint", "--cache", "redis://"), []string{"--cache has no host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tt.env, Args: tt.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.want...)
			for _, form := range append(testenv.SecretForms(badKey), testenv.SecretForms(cmdtest.CacheKey(3))...) {
				assert.NotContains(t, r.Stderr, form)
			}
		})
	}
}
