package cmdutil

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// fakeSentinel is a Redis Sentinel on loopback that names masterIP as the
// master of every name, and refuses every other command.
func fakeSentinel(t *testing.T, masterIP string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	serve := func(c net.Conn) {
		defer wg.Done()
		defer c.Close()
		rd := bufio.NewReader(c)
		for {
			// A command: *N, then N bulk strings ($len, the word).
			line, err := rd.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "*") {
				return
			}
			n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
			var words []string
			for range min(n, 16) {
				if _, err := rd.ReadString('\n'); err != nil {
					return
				}
				w, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				words = append(words, strings.ToLower(strings.TrimSpace(w)))
			}
			reply := "-ERR unknown command\r\n"
			if len(words) > 1 && words[0] == "sentinel" && words[1] == "get-master-addr-by-name" {
				reply = "*2\r\n$" + strconv.Itoa(len(masterIP)) + "\r\n" + masterIP + "\r\n$4\r\n6379\r\n"
			}
			if _, err := io.WriteString(c, reply); err != nil {
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

func TestCacheRefusesPlainTextToANodeTheSentinelNames(t *testing.T) {
	// 192.0.2.1 is a documentation address (RFC 5737): it is refused before
	// any dial, so no packet is sent to it.
	sentinel := fakeSentinel(t, "192.0.2.1")
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	var stderr strings.Builder
	f := New(strings.NewReader(""), &strings.Builder{}, &stderr, func(name string) string {
		return map[string]string{"TRIBE_CACHE_KEY": key}[name]
	})
	flags := CacheFlags{URL: "redis://" + sentinel + "?master_name=mymaster"}
	app := &tribe.App{ClientID: "id", ClientSecret: "secret", Endpoint: "http://127.0.0.1:1/graphql"}
	tc, err := flags.Open(context.Background(), f, app)
	require.NoError(t, err, "Redis failing is no failure of the run")
	tc.Close()
	warning := stderr.String()
	assert.Contains(t, warning, "192.0.2.1:6379 is to be dialled without TLS")
	assert.Contains(t, warning, "use rediss:// (TLS), or pass --insecure-http", "the library's option is named by the CLI's flag")
	assert.NotContains(t, warning, "Options.AllowInsecure")
	assert.NotContains(t, warning, key)
}

// cacheRun is one run's token cache over a Redis: it mints carol's token
// through the cache, against srv, and returns what it printed on stderr.
func cacheRun(t *testing.T, srv *tribetest.Server, env map[string]string, flags CacheFlags) string {
	t.Helper()
	var stderr strings.Builder
	f := New(strings.NewReader(""), &strings.Builder{}, &stderr, func(name string) string { return env[name] })
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	tc, err := flags.Open(t.Context(), f, app)
	require.NoError(t, err, "Redis failing is no failure of the run")
	tok, err := tc.Token(t.Context(), tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
	require.NoError(t, err, "the run mints on its own")
	assert.NotEmpty(t, tok.AccessToken)
	tc.Close()
	return stderr.String()
}

// cacheKey is a key for the cache, as head -c 32 /dev/urandom | base64
// prints one.
func cacheKey(b byte) string {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b + byte(i)*7
	}
	return base64.StdEncoding.EncodeToString(k)
}

// TestCacheWarnsOfWhatFailed: a password Redis refused, and TLS to a Redis
// without it, are warned about as such, naming the flag or variable the
// URL came from, with no password, and no hint about something else (an
// unreachable Redis, a stale endpoint).
func TestCacheWarnsOfWhatFailed(t *testing.T) {
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	secured := testenv.StartRedis(t, testenv.RedisOptions{Password: "right-pass-7"}).Addr
	plain := testenv.StartRedis(t, testenv.RedisOptions{}).Addr
	key := cacheKey(1)
	tests := []struct {
		name   string
		url    string
		source string // --cache or TRIBE_CACHE_URL
		want   string
	}{
		{"a wrong password in --cache", "redis://:wrong-pass-8@" + secured, "--cache",
			"tribe-token: warning: the Redis of --cache refused the password in that URL (WRONGPASS invalid username-password pair or user is disabled.), so this run mints on its own; check the user and password in --cache"},
		{"a wrong password in TRIBE_CACHE_URL", "redis://tribe-app:wrong-pass-8@" + secured, "TRIBE_CACHE_URL",
			"tribe-token: warning: the Redis of TRIBE_CACHE_URL refused the password in that URL (WRONGPASS invalid username-password pair or user is disabled.), so this run mints on its own; check the user and password in TRIBE_CACHE_URL"},
		{"no password in --cache", "redis://" + secured, "--cache",
			"tribe-token: warning: the Redis of --cache asks for a password (NOAUTH Authentication required.) and that URL gives none, so this run mints on its own; put it in --cache: redis://:PASSWORD@HOST:PORT, or redis://USER:PASSWORD@HOST:PORT for an ACL user"},
		{"rediss:// in --cache to a plain-text Redis", "rediss://" + plain, "--cache",
			"tribe-token: warning: the Redis of --cache did not answer in TLS, so this run mints on its own; it may not speak TLS: for a plain-text Redis on loopback, use redis:// in --cache"},
		{"rediss:// in TRIBE_CACHE_URL to a plain-text Redis", "rediss://" + plain + "?skip_verify=true", "TRIBE_CACHE_URL",
			"tribe-token: warning: the Redis of TRIBE_CACHE_URL did not answer in TLS, so this run mints on its own; it may not speak TLS: for a plain-text Redis on loopback, use redis:// in TRIBE_CACHE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // a TLS handshake waits out its timeout
			env := map[string]string{"TRIBE_CACHE_KEY": key}
			var flags CacheFlags
			if tt.source == "--cache" {
				flags.URL = tt.url
			} else {
				env["TRIBE_CACHE_URL"] = tt.url
			}
			stderr := cacheRun(t, srv, env, flags)
			assert.Equal(t, tt.want+"\n", stderr)
			for _, unrelated := range []string{"unreachable", "is it stale", "TRIBE_ENDPOINT", "--insecure-http", "wrong-pass-8", "right-pass-7", key} {
				assert.NotContains(t, stderr, unrelated)
			}
		})
	}

	t.Run("an unreachable Redis", func(t *testing.T) {
		closed := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
		stderr := cacheRun(t, srv, map[string]string{"TRIBE_CACHE_KEY": key}, CacheFlags{URL: "redis://" + closed})
		assert.Equal(t, "tribe-token: warning: the Redis of --cache is unreachable, so this run mints on its own: dial tcp "+closed+": connect: connection refused\n", stderr)
	})

	t.Run("the right password", func(t *testing.T) {
		assert.Empty(t, cacheRun(t, srv, map[string]string{"TRIBE_CACHE_KEY": key}, CacheFlags{URL: "redis://:right-pass-7@" + secured}))
	})
}

// TestCacheWarnsOfAnotherKey: a run that finds in Redis a token another
// process sealed under another key says so once, naming TRIBE_CACHE_KEY,
// and mints anew; runs with the same key share the token without a word.
func TestCacheWarnsOfAnotherKey(t *testing.T) {
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	redisURL := testenv.StartRedis(t, testenv.RedisOptions{}).URL()
	keyFile := filepath.Join(t.TempDir(), "cache-key.txt")
	require.NoError(t, os.WriteFile(keyFile, []byte(cacheKey(3)+"\n"), 0o600))
	tests := []struct {
		name  string
		env   map[string]string
		flags CacheFlags
		want  string // "" for no warning, and no mint
	}{
		{"the same key", map[string]string{"TRIBE_CACHE_KEY": cacheKey(1)}, CacheFlags{}, ""},
		{"another TRIBE_CACHE_KEY", map[string]string{"TRIBE_CACHE_KEY": cacheKey(2)}, CacheFlags{},
			"tribe-token: warning: the Redis of TRIBE_CACHE_URL holds tokens this run cannot read: another process writes to it with a different TRIBE_CACHE_KEY, or none, so tokens are minted anew until the keys match"},
		{"another key in --cache-key-file", nil, CacheFlags{KeyFile: keyFile},
			"tribe-token: warning: the Redis of TRIBE_CACHE_URL holds tokens this run cannot read: another process writes to it with a different TRIBE_CACHE_KEY, or none (this run's key is from --cache-key-file), so tokens are minted anew until the keys match"},
		{"no key", nil, CacheFlags{InsecureNoEncryption: true},
			"tribe-token: warning: --cache-insecure-no-encryption: tokens are kept in Redis unencrypted, where anyone who can read Redis can use them\n" +
				"tribe-token: warning: the Redis of TRIBE_CACHE_URL holds tokens encrypted with a key, and this run has --cache-insecure-no-encryption: another process writes to it with a TRIBE_CACHE_KEY, so tokens are minted anew until both use the same key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The first process's token, sealed under cacheKey(1).
			first := map[string]string{"TRIBE_CACHE_URL": redisURL, "TRIBE_CACHE_KEY": cacheKey(1)}
			client := redis.NewClient(&redis.Options{Addr: strings.TrimPrefix(redisURL, "redis://")})
			t.Cleanup(func() { _ = client.Close() })
			require.NoError(t, client.FlushAll(t.Context()).Err())
			require.Empty(t, cacheRun(t, srv, first, CacheFlags{}))
			minted := srv.Count("limitedToken")

			env := map[string]string{"TRIBE_CACHE_URL": redisURL}
			maps.Copy(env, tt.env)
			stderr := cacheRun(t, srv, env, tt.flags)
			if tt.want == "" {
				assert.Empty(t, stderr)
				assert.Equal(t, minted, srv.Count("limitedToken"), "the first process's token is shared")
				return
			}
			assert.Equal(t, tt.want+"\n", stderr)
			assert.Equal(t, minted+1, srv.Count("limitedToken"), "minted anew")
			for _, unrelated := range []string{"unreachable", "is it stale", "TRIBE_ENDPOINT", cacheKey(1), cacheKey(2), cacheKey(3)} {
				assert.NotContains(t, stderr, unrelated)
			}
		})
	}
}

func TestCheckCacheURLKeepsPasswordsSecret(t *testing.T) {
	f := New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
	require.NoError(t, f.checkCacheURL("--cache", " redis://sentinel-user:pw-one@127.0.0.1:26379?master_name=m&password=pw-two&sentinel_password=pw-three ", false))
	assert.ElementsMatch(t, []string{"pw-one", "pw-two", "pw-three"}, f.Secrets())
}

// TestCheckCacheURLRefusesPlainTextInFlagWords: the store's rule for plain
// text, refused as a usage error that names where the URL came from and
// --insecure-http (not the library's option), with no password.
func TestCheckCacheURLRefusesPlainTextInFlagWords(t *testing.T) {
	tests := []struct {
		source string
		url    string
		host   string
	}{
		{"--cache", "redis://:pw-one@cache.example:6379", "cache.example"},
		{"TRIBE_CACHE_URL", "redis://127.0.0.1:7000?addr=10.1.2.3:7001&password=pw-one", "10.1.2.3"},
		{"--cache", "redis://127.0.0.1:26379?master_name=m&addr=cache.example:26379", "cache.example"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			f := New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
			err := f.checkCacheURL(tt.source, tt.url, false)
			var usage *UsageError
			require.ErrorAs(t, err, &usage)
			assert.Equal(t, tt.source+" is plain redis:// to "+tt.host+", a host that is not loopback, so the Redis password and the tokens would travel in clear text; use rediss:// (TLS), or pass --insecure-http if you really mean it", err.Error())
			assert.NotContains(t, err.Error(), "pw-one")
			assert.NoError(t, f.checkCacheURL(tt.source, tt.url, true), "--insecure-http lifts the rule")
		})
	}
}

func TestCheckCacheURLPlainRedis(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		wantErr  string
	}{
		{"rediss://cache.example:6380", false, ""},
		{"redis://127.0.0.1:6379", false, ""},
		{"redis://[::1]:6379", false, ""},
		{"redis://localhost:6379", false, ""},
		{"unix:///run/redis.sock", false, ""},
		{"redis://cache.example:6379", true, ""},
		{"redis://cache.example:6379", false, "--cache is plain redis:// to cache.example"},
		{"REDIS://cache.example:6379", false, "plain redis://"},
		{"redis://127.0.0.1:7000?addr=10.1.2.3:7001", false, "to 10.1.2.3"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001", false, ""},
		{"redis://localhost.:6379", false, "to localhost."},
		{"redis://cache.localhost:6379", false, "to cache.localhost"},
		{"redis://127.0.0.1:7000?addr=LOCALHOST.:7001", false, "to LOCALHOST."},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			f := New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
			err := f.checkCacheURL("--cache", tc.url, tc.insecure)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), "rediss://")
		})
	}
}

// TestCheckCacheURLRefusals: each URL the store's rules refuse is a usage
// error that names where it came from, with no password.
func TestCheckCacheURLRefusals(t *testing.T) {
	tests := []struct{ url, want string }{
		{"redis://:pw-one@[::1", "TRIBE_CACHE_URL is not a URL; give redis://HOST:PORT, rediss://HOST:PORT or unix:///PATH"},
		{"redis://:pw-one@/0", "TRIBE_CACHE_URL has no host; give redis://HOST:PORT or rediss://HOST:PORT"},
		{"unix://", "TRIBE_CACHE_URL has no socket path; give unix:///PATH/TO/redis.sock"},
		{"http://:pw-one@cache.example", "TRIBE_CACHE_URL is not a Redis URL (the scheme is not redis, rediss or unix); give redis://HOST:PORT, rediss://HOST:PORT or unix:///PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			f := New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
			err := f.checkCacheURL("TRIBE_CACHE_URL", tt.url, true)
			var usage *UsageError
			require.ErrorAs(t, err, &usage)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestCacheSaysItWaitsForAnotherProcess: a run whose token another process
// sharing the Redis is minting says so once on stderr, with how long it
// may wait (three leases of 5s), and takes that process's token.
func TestCacheSaysItWaitsForAnotherProcess(t *testing.T) {
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	redisURL := testenv.StartRedis(t, testenv.RedisOptions{}).URL()
	env := map[string]string{"TRIBE_CACHE_URL": redisURL, "TRIBE_CACHE_KEY": cacheKey(1)}
	// The first process mints slowly, holding the lease meanwhile.
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: time.Second}))
	first := make(chan string, 1)
	go func() {
		var stderr strings.Builder
		f := New(strings.NewReader(""), &strings.Builder{}, &stderr, func(name string) string { return env[name] })
		tc, err := (&CacheFlags{}).Open(context.Background(), f, &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()})
		if err != nil {
			t.Errorf("the first process's cache: %v", err)
			first <- ""
			return
		}
		defer tc.Close()
		tok, err := tc.Token(context.Background(), tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
		if err != nil {
			t.Errorf("the first process's mint: %v", err)
			first <- ""
			return
		}
		if stderr.Len() != 0 {
			t.Errorf("the first process waited for nobody, yet said: %s", stderr.String())
		}
		first <- tok.AccessToken
	}()
	require.Eventually(t, func() bool { return srv.PendingFaults("limitedToken") == 0 }, 5*time.Second, 10*time.Millisecond, "the first process is minting")

	var stderr strings.Builder
	f := New(strings.NewReader(""), &strings.Builder{}, &stderr, func(name string) string { return env[name] })
	tc, err := (&CacheFlags{}).Open(t.Context(), f, &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()})
	require.NoError(t, err)
	defer tc.Close()
	tok, err := tc.Token(t.Context(), tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
	require.NoError(t, err)
	assert.Equal(t, "tribe-token: another process is minting this token; waiting up to 15s\n", stderr.String())
	assert.Equal(t, <-first, tok.AccessToken, "the first process's token")
	assert.Equal(t, 1, srv.Count("limitedToken"), "minted once")
}

func TestLeaseWaitLine(t *testing.T) {
	assert.Equal(t, "another process is minting this token; waiting up to 15s", leaseWaitLine(cache.WaitInfo{Reason: cache.WaitLease, Max: 15 * time.Second}))
	assert.Equal(t, "another process is minting this token; waiting for it", leaseWaitLine(cache.WaitInfo{Reason: cache.WaitLease}))
}
