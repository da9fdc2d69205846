package testenv

import (
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedisConfig(t *testing.T) {
	tests := []struct {
		name string
		opts RedisOptions
		want string
	}{
		{"plain", RedisOptions{},
			"bind 127.0.0.1\nprotected-mode no\ndir /d\nlogfile /d/redis.log\nport 6400\nsave \"\"\nappendonly no\n"},
		{"a password and more lines", RedisOptions{Password: "pass word", Config: []string{"maxclients 10", "cluster-enabled yes"}},
			"bind 127.0.0.1\nprotected-mode no\ndir /d\nlogfile /d/redis.log\nport 6400\nsave \"\"\nappendonly no\nrequirepass \"pass word\"\nmaxclients 10\ncluster-enabled yes\n"},
		{"TLS", RedisOptions{TLS: true, Config: []string{"tls-cert-file /c.pem"}},
			"bind 127.0.0.1\nprotected-mode no\ndir /d\nlogfile /d/redis.log\nport 0\ntls-port 6400\nsave \"\"\nappendonly no\ntls-cert-file /c.pem\n"},
		{"Sentinel", RedisOptions{Sentinel: true, Config: []string{"sentinel monitor m 127.0.0.1 6379 1"}},
			"bind 127.0.0.1\nprotected-mode no\ndir /d\nlogfile /d/redis.log\nport 6400\nsentinel monitor m 127.0.0.1 6379 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, redisConfig(6400, "/d", tt.opts))
		})
	}
}

func TestQuoteRedisConfig(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yes", "yes"},
		{"/tmp/a-b/redis.sock", "/tmp/a-b/redis.sock"},
		{"", `""`},
		{"a b", `"a b"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"it's", `"it's"`},
		{"line\nbreak", `"line\x0abreak"`},
		{"tab\there", `"tab\x09here"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, QuoteRedisConfig(tt.in))
		})
	}
}

// ping sends PING to addr with password and returns the error.
func ping(t *testing.T, addr, password string) error {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Password: password, MaxRetries: -1})
	defer c.Close()
	return c.Ping(t.Context()).Err()
}

func TestStartRedis(t *testing.T) {
	t.Run("plain, with configuration", func(t *testing.T) {
		r := StartRedis(t, RedisOptions{Config: []string{"maxclients 123"}})
		host, _, err := net.SplitHostPort(r.Addr)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", host, "only on loopback")
		assert.Equal(t, fmt.Sprintf("127.0.0.1:%d", r.Port), r.Addr)
		assert.Equal(t, "redis://"+r.Addr, r.URL())
		require.NoError(t, ping(t, r.Addr, ""))
		c := redis.NewClient(&redis.Options{Addr: r.Addr})
		defer c.Close()
		got, err := c.ConfigGet(t.Context(), "maxclients").Result()
		require.NoError(t, err)
		assert.Equal(t, "123", got["maxclients"])
		got, err = c.ConfigGet(t.Context(), "save").Result()
		require.NoError(t, err)
		assert.Empty(t, got["save"], "no snapshots")
	})

	t.Run("with a password", func(t *testing.T) {
		const password = `test-pass "1" \ 2` // quoted in redis.conf
		r := StartRedis(t, RedisOptions{Password: password})
		assert.ErrorContains(t, ping(t, r.Addr, ""), "NOAUTH")
		assert.ErrorContains(t, ping(t, r.Addr, "wrong"), "WRONGPASS")
		assert.NoError(t, ping(t, r.Addr, password))
		assert.NotContains(t, r.URL(), "test-pass")
	})

	t.Run("stopped and restarted on its port", func(t *testing.T) {
		r := StartRedis(t, RedisOptions{})
		r.Stop()
		_, err := net.Dial("tcp", r.Addr)
		require.Error(t, err, "nothing listens once stopped")
		r.Stop() // a second Stop does nothing
		r.Restart()
		assert.NoError(t, ping(t, r.Addr, ""))
	})

	t.Run("as a Sentinel", func(t *testing.T) {
		master := StartRedis(t, RedisOptions{})
		s := StartRedis(t, RedisOptions{Sentinel: true, Config: []string{fmt.Sprintf("sentinel monitor mymaster 127.0.0.1 %d 1", master.Port)}})
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
		defer c.Close()
		addr, err := c.GetMasterAddrByName(t.Context(), "mymaster").Result()
		require.NoError(t, err)
		assert.Equal(t, []string{"127.0.0.1", fmt.Sprint(master.Port)}, addr)
	})
}

// outcome records how a helper ended a test: skipped or failed, and why.
type outcome struct {
	testing.TB
	skipped, failed string
}

func (o *outcome) Helper() {}

func (o *outcome) Skip(args ...any) {
	o.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

func (o *outcome) Fatalf(format string, args ...any) {
	o.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestStartRedisWithoutRedisServer(t *testing.T) {
	tests := []struct {
		name    string
		require string // TRIBEKIT_REQUIRE_REDIS
		skipped bool
	}{
		{"on a developer's machine: skipped", "", true},
		{"in CI: failed", "1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // no redis-server on it
			t.Setenv("TRIBEKIT_REQUIRE_REDIS", tt.require)
			o := &outcome{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				StartRedis(o, RedisOptions{})
				t.Error("StartRedis returned without a redis-server")
			}()
			<-done
			if tt.skipped {
				assert.Empty(t, o.failed)
				assert.Contains(t, o.skipped, "redis-server is needed and not on PATH")
				return
			}
			assert.Empty(t, o.skipped)
			assert.Contains(t, o.failed, "TRIBEKIT_REQUIRE_REDIS is set")
		})
	}
}

func TestFreePort(t *testing.T) {
	port := FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	require.NoError(t, err, "the port is free to listen on")
	require.NoError(t, l.Close())
}
