package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisStartTimeout bounds how long [StartRedis] waits for a redis-server
// to listen.
const redisStartTimeout = 10 * time.Second

// redisStartAttempts is how many free ports [StartRedis] tries: another
// process may take a port between [FreePort] and redis-server's listen.
const redisStartAttempts = 5

// RedisOptions are how [StartRedis] configures its redis-server. The zero
// value is a plain-text server without a password.
type RedisOptions struct {
	// Password, if not empty, is the password the server asks of every
	// client (requirepass; https://redis.io/docs/latest/operate/oss_and_stack/management/security/).
	Password string
	// Config holds more configuration directives, one a line as in
	// redis.conf ("maxclients 10000", "cluster-enabled yes"; see
	// https://redis.io/docs/latest/operate/oss_and_stack/management/config/).
	// A value with spaces or quotes is quoted, as [QuoteRedisConfig] does.
	Config []string
	// TLS makes the server's port a TLS port (tls-port), with no plain-text
	// port. Config must name the certificate and key (tls-cert-file,
	// tls-key-file).
	TLS bool
	// Sentinel runs the server as a Redis Sentinel (redis-server
	// redis.conf --sentinel); Config holds its "sentinel monitor" lines.
	Sentinel bool
}

// Redis is a redis-server of one test's own, started by [StartRedis]: on
// 127.0.0.1, with its files in a temporary folder, and stopped in the
// test's Cleanup. Its methods are safe for concurrent use.
type Redis struct {
	// Addr is the server's address, 127.0.0.1:Port.
	Addr string
	// Port is the server's port (its TLS port when RedisOptions.TLS).
	Port int
	// Dir is the server's folder: its configuration (redis.conf), its log
	// (redis.log) and any file it writes.
	Dir string

	t        testing.TB
	bin      string
	sentinel bool
	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan error // the result of cmd.Wait
}

// StartRedis starts a redis-server of the test's own on a free loopback
// port, configured by opts, and stops it in t.Cleanup. It keeps no data:
// no RDB snapshot, no AOF. It skips t when redis-server is not on PATH,
// or fails it when TRIBEKIT_REQUIRE_REDIS is set ([RedisServer]), and
// fails t when the server does not start.
func StartRedis(t testing.TB, opts RedisOptions) *Redis {
	t.Helper()
	r := &Redis{t: t, bin: RedisServer(t), Dir: t.TempDir(), sentinel: opts.Sentinel}
	var err error
	for range redisStartAttempts {
		r.Port = FreePort(t)
		r.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Port))
		if err = os.WriteFile(r.configFile(), []byte(redisConfig(r.Port, r.Dir, opts)), 0o600); err != nil {
			t.Fatalf("testenv: writing the redis-server configuration: %v", err)
		}
		if err = r.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(r.Stop)
	return r
}

// URL returns the server's plain-text URL, redis://Addr (with no password,
// even when RedisOptions.Password is set).
func (r *Redis) URL() string { return "redis://" + r.Addr }

// Stop kills the server and waits for it to exit, so that its port is free
// for [Redis.Restart]. Its data is lost. Stopping a stopped server does
// nothing.
func (r *Redis) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	<-r.exited
	r.cmd = nil
}

// Restart starts a stopped server again, on the same port and with the
// same configuration; it fails the test if the server does not start.
// Call it from the test's goroutine.
func (r *Redis) Restart() {
	r.t.Helper()
	if err := r.start(); err != nil {
		r.t.Fatalf("testenv: restarting redis-server: %v", err)
	}
}

func (r *Redis) configFile() string { return filepath.Join(r.Dir, "redis.conf") }
func (r *Redis) logFile() string    { return filepath.Join(r.Dir, "redis.log") }

// start runs redis-server on the configuration file and waits until it
// listens, or exits, or redisStartTimeout passes.
func (r *Redis) start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return fmt.Errorf("redis-server on %s is running already", r.Addr)
	}
	args := []string{r.configFile()}
	if r.sentinel {
		args = append(args, "--sentinel")
	}
	cmd := exec.Command(r.bin, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting redis-server: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(redisStartTimeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-exited:
			return fmt.Errorf("redis-server on %s exited (%v); the end of its log:\n%s", r.Addr, err, r.logTail())
		default:
		}
		if c, err := net.DialTimeout("tcp", r.Addr, 100*time.Millisecond); err == nil {
			_ = c.Close()
			r.cmd, r.exited = cmd, exited
			return nil
		}
	}
	_ = cmd.Process.Kill()
	<-exited
	return fmt.Errorf("redis-server did not listen on %s within %v; the end of its log:\n%s", r.Addr, redisStartTimeout, r.logTail())
}

// logTail returns the last 2000 bytes of the server's log.
func (r *Redis) logTail() string {
	log, _ := os.ReadFile(r.logFile())
	if len(log) > 2000 {
		log = log[len(log)-2000:]
	}
	return string(log)
}

// redisConfig is the text of the configuration file of a server on port
// with its files in dir.
func redisConfig(port int, dir string, opts RedisOptions) string {
	lines := []string{
		"bind 127.0.0.1",
		"protected-mode no",
		"dir " + QuoteRedisConfig(dir),
		"logfile " + QuoteRedisConfig(filepath.Join(dir, "redis.log")),
	}
	switch {
	case opts.TLS:
		lines = append(lines, "port 0", "tls-port "+strconv.Itoa(port))
	default:
		lines = append(lines, "port "+strconv.Itoa(port))
	}
	if !opts.Sentinel { // a Sentinel keeps no data
		lines = append(lines, `save ""`, "appendonly no")
	}
	if opts.Password != "" {
		lines = append(lines, "requirepass "+QuoteRedisConfig(opts.Password))
	}
	lines = append(lines, opts.Config...)
	return strings.Join(lines, "\n") + "\n"
}

// QuoteRedisConfig returns s as one argument of a redis.conf directive: as
// it is when it has no space, quote, backslash or control character, and
// in double quotes with those escaped otherwise.
func QuoteRedisConfig(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(c rune) bool { return c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == 0x7f }) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FreePort returns a port on 127.0.0.1 that was free a moment ago: for a
// server a test starts, or for an address that refuses connections.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: finding a free loopback port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatalf("testenv: finding a free loopback port: %v", err)
	}
	return port
}
