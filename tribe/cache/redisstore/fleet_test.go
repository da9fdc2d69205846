package redisstore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// The test binary doubles as the processes of a fleet: with helperEnv set,
// TestMain runs one helper instead of the tests.
const (
	helperEnv     = "TRIBEKIT_REDISSTORE_HELPER" // stampede or holder
	helperRedis   = "TRIBEKIT_REDISSTORE_REDIS"
	helperTribe   = "TRIBEKIT_REDISSTORE_TRIBE"
	helperStart   = "TRIBEKIT_REDISSTORE_START" // a file whose existence starts the load
	helperIDs     = 100
	helperWorkers = 500
)

// quietLogger drops go-redis's log lines (a stopped test server makes
// many).
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "stampede":
		os.Exit(helperStampede())
	case "holder":
		os.Exit(helperHolder())
	default:
		fmt.Fprintln(os.Stderr, "redisstore test helper: unknown mode")
		os.Exit(2)
	}
}

// fleetIdentities are the cold identities of the stampede: members of
// the default network added to the fixtures.
func fleetIdentities() []tribe.Identity {
	ids := make([]tribe.Identity, helperIDs)
	for i := range ids {
		ids[i] = tribe.Impersonate(tribetest.DefaultNetworkID, fmt.Sprintf("mem-fleet-%03d", i))
	}
	return ids
}

// fleetFixtures are the default fixtures with the fleet's members.
func fleetFixtures() *tribetest.Fixtures {
	f := tribetest.DefaultFixtures()
	for i, id := range fleetIdentities() {
		f.Networks[0].Members = append(f.Networks[0].Members, tribetest.Member{
			ID: id.MemberID, Username: fmt.Sprintf("fleet%03d", i), Email: fmt.Sprintf("fleet%03d@example.com", i),
			RoleID: "role-member", Status: "VERIFIED",
		})
	}
	return f
}

// helperCache opens the store and cache a helper process uses.
func helperCache(opts Options) (*cache.Cache, *Store, error) {
	opts.URL = os.Getenv(helperRedis)
	opts.Keys = [][]byte{testKey(1)}
	store, err := New(context.Background(), opts)
	if err != nil {
		return nil, nil, err
	}
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: os.Getenv(helperTribe)}
	c, err := cache.New(app, cache.Options{Store: store})
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return c, store, nil
}

// helperStampede: 500 goroutines ask for 100 cold identities, in a random
// order each, once the start file exists.
func helperStampede() int {
	c, store, err := helperCache(Options{OpTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	defer store.Close()
	defer c.Close()
	fmt.Println("ready")
	for {
		if _, err := os.Stat(os.Getenv(helperStart)); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ids := fleetIdentities()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for range helperWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range rand.Perm(len(ids)) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := c.Token(ctx, ids[i])
				cancel()
				if err != nil {
					mu.Lock()
					if failed++; failed < 5 {
						fmt.Fprintln(os.Stderr, "helper: token:", err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("done mints=%d degraded=%t\n", c.Mints(), store.Degraded())
	if failed > 0 {
		return 1
	}
	return 0
}

// helperHolder takes carol's lease and mints, which hangs at the server:
// the test kills it there.
func helperHolder() int {
	c, store, err := helperCache(Options{LeaseTTL: time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	defer store.Close()
	defer c.Close()
	_, err = c.Token(context.Background(), carol)
	fmt.Fprintln(os.Stderr, "helper: the mint ended, though it should hang:", err)
	return 1
}

// helper starts the test binary as a helper process of the given mode.
func helper(t *testing.T, mode string, env ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(out)
}

func TestFleetStampedeMintsOncePerIdentity(t *testing.T) {
	const procs = 8
	r := startRedis(t, "--maxclients", "10000")
	srv := tribetest.NewServer(tribetest.WithFixtures(fleetFixtures()))
	t.Cleanup(srv.Close)
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 50 * time.Millisecond, Times: helperIDs}))
	start := filepath.Join(t.TempDir(), "start")
	env := []string{helperRedis + "=" + r.URL(), helperTribe + "=" + srv.GraphQLURL(), helperStart + "=" + start}
	type proc struct {
		cmd *exec.Cmd
		out *bufio.Reader
	}
	var ps []proc
	for range procs {
		cmd, out := helper(t, "stampede", env...)
		ps = append(ps, proc{cmd, out})
	}
	for _, p := range ps {
		line, err := p.out.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\n", line)
	}
	began := time.Now()
	require.NoError(t, os.WriteFile(start, nil, 0o600))
	var mints int
	for i, p := range ps {
		rest, err := io.ReadAll(p.out)
		require.NoError(t, err)
		require.NoError(t, p.cmd.Wait(), "helper %d: every token request succeeded", i)
		var n int
		var degraded bool
		_, err = fmt.Sscanf(string(rest), "done mints=%d degraded=%t", &n, &degraded)
		require.NoError(t, err, "helper %d said %q", i, rest)
		assert.False(t, degraded, "helper %d", i)
		mints += n
	}
	t.Logf("%d processes x %d goroutines x %d cold identities: %d mints in %s", procs, helperWorkers, helperIDs, srv.Count("limitedToken"), time.Since(began))
	assert.Equal(t, helperIDs, srv.Count("limitedToken"), "exactly one mint per identity across the fleet")
	assert.Equal(t, helperIDs, mints)
}

func TestLeaseHolderKilledMidMint(t *testing.T) {
	r := startRedis(t)
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: time.Hour}))
	cmd, _ := helper(t, "holder", helperRedis+"="+r.URL(), helperTribe+"="+srv.GraphQLURL())

	const leaseTTL = time.Second
	store := openStore(t, r.URL(), Options{LeaseTTL: leaseTTL})
	app := newApp(srv)
	c := newCache(t, app, store, cache.Options{})
	leaseKey := store.redisKey(cache.StoreKey(app.Namespace(), mustNormalize(t, carol)), "lease")
	plain := r.plain(t)
	ctx := context.Background()
	// The helper holds the lease, and its mint hangs at the server.
	require.Eventually(t, func() bool {
		n, err := plain.Exists(ctx, leaseKey).Result()
		return err == nil && n == 1 && srv.PendingFaults("limitedToken") == 0
	}, 10*time.Second, 5*time.Millisecond)
	time.Sleep(1500 * time.Millisecond) // longer than the TTL: the holder renews it
	n, err := plain.Exists(ctx, leaseKey).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "a live holder keeps its lease")

	type result struct {
		err error
		at  time.Time
	}
	got := make(chan result, 1)
	go func() { _, err := c.Token(ctx, carol); got <- result{err, time.Now()} }()
	time.Sleep(100 * time.Millisecond) // this process waits on the lease
	assert.Equal(t, int64(0), c.Mints(), "no mint while the lease is held")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	select {
	case res := <-got:
		require.NoError(t, res.err)
		took := res.at.Sub(killed)
		t.Logf("another process minted %s after the holder was killed (lease TTL %s)", took, leaseTTL)
		assert.Less(t, took, leaseTTL+time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("no process took over the lease")
	}
	assert.Equal(t, int64(1), c.Mints())
}
