package redisstore

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// redisServer is a redis-server of a test's own ([testenv.StartRedis]),
// with the short names this package's tests use.
type redisServer struct {
	*testenv.Redis
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	return testenv.FreePort(t)
}

// startRedis starts a redis-server with extra configuration given as its
// command-line arguments ("--maxclients", "10000"), stopped in t.Cleanup.
func startRedis(t testing.TB, extra ...string) *redisServer {
	t.Helper()
	return &redisServer{testenv.StartRedis(t, testenv.RedisOptions{Config: configLines(extra)})}
}

// configLines turns redis-server's command-line arguments into lines of
// its configuration, as redis-server does: each "--name" starts a line,
// and the arguments after it are its values.
func configLines(args []string) []string {
	var lines []string
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "--"); ok || len(lines) == 0 {
			lines = append(lines, name)
			continue
		}
		lines[len(lines)-1] += " " + testenv.QuoteRedisConfig(a)
	}
	return lines
}

// stop kills the server (its data is not kept).
func (r *redisServer) stop() { r.Stop() }

// restart starts the server again on the same port.
func (r *redisServer) restart() { r.Restart() }

func (r *redisServer) addr() string { return r.Addr }

// plain returns a plain client of the server, closed in t.Cleanup.
func (r *redisServer) plain(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testKey is a fixed 32-byte key, for tests.
func testKey(b byte) []byte {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

// openStore opens a store on r's URL with test defaults, closed in
// t.Cleanup.
func openStore(t testing.TB, url string, opts Options) *Store {
	t.Helper()
	opts.URL = url
	if len(opts.Keys) == 0 && !opts.InsecureNoEncryption {
		opts.Keys = [][]byte{testKey(1)}
	}
	s, err := New(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// startCluster starts a 3-node Redis Cluster on loopback and returns its
// nodes.
func startCluster(t testing.TB) []*redisServer {
	t.Helper()
	var nodes []*redisServer
	var addrs []string
	for range 3 {
		n := startRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		nodes = append(nodes, n)
		addrs = append(addrs, n.addr())
	}
	cli := filepath.Join(filepath.Dir(testenv.RedisServer(t)), "redis-cli")
	out, err := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput()
	require.NoError(t, err, "redis-cli --cluster create: %s", out)
	// Wait until every node sees the cluster as ok.
	require.Eventually(t, func() bool {
		for _, n := range nodes {
			c := redis.NewClient(&redis.Options{Addr: n.addr()})
			info, err := c.ClusterInfo(context.Background()).Result()
			_ = c.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				return false
			}
		}
		return true
	}, 10*time.Second, 20*time.Millisecond)
	return nodes
}

// fakeRedis is a Redis of a test's own on loopback: goroutines that read
// each command (an array of bulk strings) and write what answer returns for
// it, raw RESP, so that a test can send replies a real Redis never sends.
// HELLO is refused (go-redis then speaks RESP2), CLIENT, PING and SUBSCRIBE
// answered, unless answer says otherwise ("" for the default).
type fakeRedis struct {
	ln     net.Listener
	answer func(cmd []string) string
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
	cmds   []string // the commands' names, in order
}

// startFakeRedis listens on 127.0.0.1 (with TLS when cfg is not nil) and
// stops in t.Cleanup.
func startFakeRedis(t testing.TB, cfg *tls.Config, answer func(cmd []string) string) *fakeRedis {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	f := &fakeRedis{ln: ln, answer: answer}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.close)
	return f
}

func (f *fakeRedis) addr() string { return f.ln.Addr().String() }

func (f *fakeRedis) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.wg.Add(1)
		go f.handle(c)
	}
}

func (f *fakeRedis) handle(c net.Conn) {
	defer f.wg.Done()
	defer c.Close()
	rd := bufio.NewReader(c)
	for {
		cmd, err := readCommand(rd)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.cmds = append(f.cmds, strings.ToUpper(cmd[0]))
		f.mu.Unlock()
		reply := f.answer(cmd)
		if reply == "" {
			switch strings.ToUpper(cmd[0]) {
			case "CLIENT":
				reply = "+OK\r\n"
			case "PING":
				reply = "+PONG\r\n"
			case "SUBSCRIBE":
				for _, ch := range cmd[1:] {
					reply += fmt.Sprintf("*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n", len(ch), ch)
				}
			default:
				reply = "-ERR unknown command\r\n"
			}
		}
		if _, err := io.WriteString(c, reply); err != nil {
			return
		}
	}
}

// commands returns the names of the commands received so far.
func (f *fakeRedis) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

func (f *fakeRedis) close() {
	_ = f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// readCommand reads one command: an array of at most 64 bulk strings of at
// most 64 KiB each.
func readCommand(rd *bufio.Reader) ([]string, error) {
	n, err := readLength(rd, '*')
	if err != nil {
		return nil, err
	}
	if n < 1 || n > 64 {
		return nil, fmt.Errorf("a command of %d words", n)
	}
	cmd := make([]string, n)
	for i := range cmd {
		size, err := readLength(rd, '$')
		if err != nil {
			return nil, err
		}
		if size < 0 || size > 64<<10 {
			return nil, fmt.Errorf("a word of %d bytes", size)
		}
		b := make([]byte, size+2)
		if _, err := io.ReadFull(rd, b); err != nil {
			return nil, err
		}
		cmd[i] = string(b[:size])
	}
	return cmd, nil
}

// readLength reads a line "<kind><number>\r\n".
func readLength(rd *bufio.Reader, kind byte) (int, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 4 || line[0] != kind {
		return 0, fmt.Errorf("not a %c line: %q", kind, line)
	}
	return strconv.Atoi(strings.TrimSuffix(line[1:], "\r\n"))
}

// tokenResult is what one call of Cache.Token returned.
type tokenResult struct {
	tok *oauth2.Token
	err error
}

// tokenInBackground calls c.Token(ctx, id) on a goroutine of its own and
// returns where its result comes.
func tokenInBackground(ctx context.Context, c *cache.Cache, id tribe.Identity) <-chan tokenResult {
	got := make(chan tokenResult, 1)
	go func() {
		tok, err := c.Token(ctx, id)
		got <- tokenResult{tok, err}
	}()
	return got
}

// mintRound has a, whose source blocks, take carol's lease and mint, and
// b wait for it; it returns their results' channels once b waits.
func mintRound(t *testing.T, a, b *cache.Cache, holder *blockingSource) (ra, rb <-chan tokenResult) {
	t.Helper()
	ctx := context.Background()
	ra = tokenInBackground(ctx, a, carol)
	<-holder.started // a holds the lease and mints
	rb = tokenInBackground(ctx, b, carol)
	time.Sleep(100 * time.Millisecond) // b waits on a's lease
	return ra, rb
}

// setup starts what most tests need: a redis-server of the test's own
// (startRedis, with extra configuration), a test server of Tribe, and an
// App for its default app. Each is stopped in t.Cleanup.
func setup(t testing.TB, extra ...string) (*redisServer, *tribetest.Server, *tribe.App) {
	t.Helper()
	r := startRedis(t, extra...)
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	return r, srv, newApp(srv)
}
