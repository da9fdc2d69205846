package redisstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
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

func TestNewClientForms(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string // the client's type, or "" for an error
	}{
		{"standalone", "redis://127.0.0.1:6379/2", "*redis.Client"},
		{"standalone with TLS and ACL user", "rediss://app:pw@127.0.0.1:6380", "*redis.Client"},
		{"unix socket", "unix:///tmp/redis.sock", "*redis.Client"},
		{"cluster", "redis://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002", "*redis.ClusterClient"},
		{"cluster with TLS, unverified", "rediss://127.0.0.1:7000?addr=127.0.0.1:7001&skip_verify=true", "*redis.ClusterClient"},
		{"sentinel", "redis://127.0.0.1:26379?master_name=mymaster&addr=127.0.0.1:26380", "*redis.Client"},
		{"not redis", "http://127.0.0.1:6379", ""},
		{"no host", "redis://", ""},
		{"a bad database", "redis://127.0.0.1:6379/x", ""},
		{"an unknown parameter", "redis://127.0.0.1:6379?colour=blue", ""},
		{"not a URL", "redis://[::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.url)
			if tt.want == "" {
				require.ErrorIs(t, err, tribe.ErrInvalidInput)
				assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
				assert.Contains(t, err.Error(), "; give ")
				return
			}
			require.NoError(t, err)
			defer c.Close()
			assert.Equal(t, tt.want, typeName(c))
		})
	}

	// Passwords never reach an error or a description.
	for _, u := range []string{"redis://user:hunter2-pass@127.0.0.1:6379/nope", "redis://127.0.0.1:6379?password=hunter2-pass&colour=blue", "redis://u:hunter2-pass@[::1"} {
		_, err := NewClient(u)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "hunter2-pass", u)
		assert.NotContains(t, describe(u), "hunter2-pass")
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *redis.Client:
		return "*redis.Client"
	case *redis.ClusterClient:
		return "*redis.ClusterClient"
	}
	return "other"
}

func TestUnixSocketAndDatabase(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "redis.sock")
	r := &redisServer{testenv.StartRedis(t, testenv.RedisOptions{Config: []string{"unixsocket " + testenv.QuoteRedisConfig(sock)}})}
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	app := newApp(srv)
	// Operations get seconds, not the default 200 ms: on a loaded machine a
	// store that timed out would degrade and its cache mint on its own.
	slow := Options{OpTimeout: 5 * time.Second}
	a := newCache(t, app, openStore(t, "unix://"+sock+"?db=3", slow), cache.Options{})
	b := newCache(t, app, openStore(t, r.URL()+"/3", slow), cache.Options{})
	ta, err := a.Token(context.Background(), carol)
	require.NoError(t, err)
	tb, err := b.Token(context.Background(), carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken, "the socket and TCP reach the same database")
	assert.Equal(t, 1, srv.Count("limitedToken"))
	n, err := r.plain(t).DBSize(context.Background()).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "database 0 is untouched")
}

func TestACLUser(t *testing.T) {
	r := startRedis(t)
	ctx := context.Background()
	require.NoError(t, r.plain(t).Do(ctx, "ACL", "SETUSER", "tribe-app", "on", ">app-pass-1", "~tribekit:*", "&tribekit:*", "+@all").Err())
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	app := newApp(srv)
	userURL := "redis://tribe-app:app-pass-1@" + r.addr()
	a := newCache(t, app, openStore(t, userURL, Options{}), cache.Options{})
	b := newCache(t, app, openStore(t, userURL, Options{}), cache.Options{})
	ta, err := a.Token(ctx, carol)
	require.NoError(t, err)
	tb, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken)
	assert.Equal(t, 1, srv.Count("limitedToken"))

	// A wrong password: the store starts degraded, says so without the
	// password, and no token request fails.
	var reported atomic.Value
	s := openStore(t, "redis://tribe-app:wrong-pass-2@"+r.addr(), Options{OnDegraded: func(err error) { reported.Store(err) }})
	assert.True(t, s.Degraded())
	err, _ = reported.Load().(error)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrong-pass-2")
	c := newCache(t, app, s, cache.Options{})
	_, err = c.Token(ctx, bob)
	require.NoError(t, err)
}

// selfSigned writes a self-signed certificate and key for 127.0.0.1 to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redisstore test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kder, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	r := &redisServer{testenv.StartRedis(t, testenv.RedisOptions{TLS: true, Config: []string{
		"tls-cert-file " + testenv.QuoteRedisConfig(cert), "tls-key-file " + testenv.QuoteRedisConfig(key),
		"tls-ca-cert-file " + testenv.QuoteRedisConfig(cert), "tls-auth-clients no",
	}})}
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	app := newApp(srv)
	ctx := context.Background()
	tlsURL := "rediss://" + r.addr() + "?skip_verify=true"
	a := newCache(t, app, openStore(t, tlsURL, Options{}), cache.Options{})
	b := newCache(t, app, openStore(t, tlsURL, Options{}), cache.Options{})
	ta, err := a.Token(ctx, carol)
	require.NoError(t, err)
	tb, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken, "shared over TLS")
	assert.Equal(t, 1, srv.Count("limitedToken"))

	// The certificate is checked unless skip_verify says otherwise: a
	// self-signed one is refused, and the store carries on degraded.
	s := openStore(t, "rediss://"+r.addr(), Options{})
	assert.True(t, s.Degraded(), "an unknown certificate authority is refused")
	// Plain text to the TLS port fails too.
	p := openStore(t, r.URL(), Options{})
	assert.True(t, p.Degraded())
}

func TestCluster(t *testing.T) {
	nodes := startCluster(t)
	clusterURL := nodes[0].URL() + "?addr=" + nodes[1].addr() + "&addr=" + nodes[2].addr()
	srv := tribetest.NewServer(tribetest.WithFixtures(fleetFixtures()))
	t.Cleanup(srv.Close)
	app := newApp(srv)
	ctx := context.Background()
	sa := openStore(t, clusterURL, Options{})
	a := newCache(t, app, sa, cache.Options{})
	b := newCache(t, app, openStore(t, clusterURL, Options{}), cache.Options{})
	ids := fleetIdentities()[:12]
	slots := map[int64]bool{}
	for _, id := range ids {
		ta, err := a.Token(ctx, id)
		require.NoError(t, err)
		tb, err := b.Token(ctx, id)
		require.NoError(t, err)
		require.Equal(t, ta.AccessToken, tb.AccessToken)
		key := cache.StoreKey(app.Namespace(), mustNormalize(t, id))
		tokSlot, err := sa.Client().ClusterKeySlot(ctx, sa.RedisKey(key)).Result()
		require.NoError(t, err)
		leaseSlot, err := sa.Client().ClusterKeySlot(ctx, sa.redisKey(key, "lease")).Result()
		require.NoError(t, err)
		assert.Equal(t, tokSlot, leaseSlot, "an identity's token and lease share a slot")
		slots[tokSlot/5462] = true
	}
	assert.Equal(t, len(ids), srv.Count("limitedToken"))
	assert.Greater(t, len(slots), 1, "the identities spread over several nodes")

	// Invalidations published on any node reach the other process.
	for _, id := range ids {
		old, err := b.Token(ctx, id)
		require.NoError(t, err)
		a.Invalidate(ctx, id, old)
		require.Eventually(t, func() bool {
			tok, err := b.Token(ctx, id)
			return err == nil && tok.AccessToken != old.AccessToken
		}, 2*time.Second, time.Millisecond)
	}
	assert.Equal(t, 2*len(ids), srv.Count("limitedToken"))
}

func TestSentinel(t *testing.T) {
	master := startRedis(t)
	sentinel := testenv.StartRedis(t, testenv.RedisOptions{Sentinel: true, Config: []string{
		"sentinel monitor mymaster 127.0.0.1 " + strconv.Itoa(master.Port) + " 1",
	}})
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	app := newApp(srv)
	ctx := context.Background()
	sentinelURL := sentinel.URL() + "?master_name=mymaster"
	a := newCache(t, app, openStore(t, sentinelURL, Options{}), cache.Options{})
	b := newCache(t, app, openStore(t, sentinelURL, Options{}), cache.Options{})
	ta, err := a.Token(ctx, carol)
	require.NoError(t, err)
	tb, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken, "shared through the master the sentinel names")
	assert.Equal(t, 1, srv.Count("limitedToken"))
	n, err := master.plain(t).DBSize(ctx).Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "the token is in the master")
}

func TestPlainRedisURLOnlyToLoopback(t *testing.T) {
	tests := []struct {
		url   string
		allow bool
		bad   string // the host refused, or "" when the URL is accepted
	}{
		{"redis://127.0.0.1:6379", false, ""},
		{"redis://localhost:6379", false, ""},
		{"redis://[::1]:6379", false, ""},
		{"unix:///tmp/redis.sock", false, ""},
		{"rediss://" + far + ":6379", false, ""},
		{"redis://" + far + ":6379", false, far},
		{"redis://localhost.:6379", false, "localhost."},
		{"redis://127.0.0.1:7000?addr=" + far + ":7001", false, far},
		{"redis://127.0.0.1:26379?master_name=m&addr=" + far + ":26379", false, far},
		{"redis://" + far + ":6379", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			var log dialLog
			c, err := newClient(tt.url, clientConfig{opTimeout: time.Second, insecure: tt.allow, netDial: log.dial})
			if tt.bad == "" {
				require.NoError(t, err)
				require.NoError(t, c.Close())
				return
			}
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), "plain redis:// to "+tt.bad+", a host that is not loopback")
			assert.Contains(t, err.Error(), "; use rediss:// (TLS), or set Options.AllowInsecure")
			_, err = New(context.Background(), Options{URL: tt.url, Keys: [][]byte{testKey(1)}})
			require.ErrorIs(t, err, tribe.ErrInvalidInput, "New applies the rule too")
			assert.Empty(t, log.dialled())
		})
	}
}

func TestURLPasswords(t *testing.T) {
	tests := []struct {
		url  string
		want []string
	}{
		{"redis://127.0.0.1:6379", nil},
		{"redis://:pw-one@127.0.0.1:6379/2", []string{"pw-one"}},
		{"rediss://app:pw-one@cache.example:6380", []string{"pw-one"}},
		{"redis://app@127.0.0.1:6379", nil},
		{"redis://app:@127.0.0.1:6379", nil},
		{"redis://:pw-one@127.0.0.1:26379?master_name=m&password=pw-two&sentinel_password=pw-three", []string{"pw-one", "pw-two", "pw-three"}},
		{"redis://:pw%40one@127.0.0.1:6379", []string{"pw@one"}},
		{"redis://u:pw-one@[::1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			assert.Equal(t, tt.want, URLPasswords(tt.url))
		})
	}
}

func TestClearTextHost(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"redis://127.0.0.1:6379", ""},
		{"redis://localhost:6379/2", ""},
		{"redis://LOCALHOST:6379", ""},
		{"redis://[::1]:6379", ""},
		{"redis://:pw@127.0.0.1:6379", ""},
		{"REDIS://cache.example:6379", "cache.example"},
		{"redis://cache.example:6379", "cache.example"},
		{"redis://:pw@10.0.0.2:6379", "10.0.0.2"},
		{"redis://localhost.:6379", "localhost."},
		{"redis://cache.localhost:6379", "cache.localhost"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&addr=10.1.2.3:7002", "10.1.2.3"},
		{"redis://127.0.0.1:7000?addr=LOCALHOST.:7001", "LOCALHOST."},
		{"redis://127.0.0.1:26379?master_name=m&addr=cache.example", "cache.example"},
		{"redis://10.0.0.1:7000?addr=10.0.0.2:7001", "10.0.0.1"},
		{"rediss://cache.example:6380", ""},
		{"rediss://cache.example:6380?addr=10.0.0.2:6380", ""},
		{"unix:///run/redis.sock", ""},
		{"redis://u:pw@[::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			assert.Equal(t, tt.want, ClearTextHost(tt.url))
			if tt.want != "" {
				_, err := NewClient(tt.url)
				require.ErrorIs(t, err, tribe.ErrInvalidInput, "NewClient applies the same rule")
				assert.Contains(t, err.Error(), "plain redis:// to "+tt.want+",")
			}
		})
	}
}

func TestURLOpTimeout(t *testing.T) {
	tests := []struct {
		url  string
		want time.Duration
	}{
		{"redis://127.0.0.1:6379", 0},
		{"redis://127.0.0.1:6379/0?read_timeout=5s", 5 * time.Second},
		{"redis://127.0.0.1:6379/0?dial_timeout=2&read_timeout=500ms", 2 * time.Second},
		{"redis://127.0.0.1:6379/0?read_timeout=soon", 0},
		{"::not a url", 0},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			assert.Equal(t, tt.want, urlOpTimeout(tt.url))
		})
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url   string
		allow bool
		want  error  // nil when the URL is accepted
		host  string // the host of an ErrClearText
	}{
		{"rediss://cache.example:6380", false, nil, ""},
		{"redis://127.0.0.1:6379", false, nil, ""},
		{"redis://[::1]:6379", false, nil, ""},
		{"redis://:pw-one@localhost:6379/2", false, nil, ""},
		{"unix:///run/redis.sock", false, nil, ""},
		{"redis://cache.example:6379", true, nil, ""},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001", false, nil, ""},
		{"redis://:pw-one@cache.example:6379", false, ErrClearText, "cache.example"},
		{"REDIS://cache.example:6379", false, ErrClearText, "cache.example"},
		{"redis://127.0.0.1:7000?addr=10.1.2.3:7001&password=pw-one", false, ErrClearText, "10.1.2.3"},
		{"redis://localhost.:6379", false, ErrClearText, "localhost."},
		{"redis://u:pw-one@[::1", false, ErrURLSyntax, ""},
		{"redis:///0", false, ErrURLNoHost, ""},
		{"rediss://", false, ErrURLNoHost, ""},
		{"unix://", false, ErrURLNoPath, ""},
		{"http://cache.example:6379", false, ErrURLScheme, ""},
		{"cache.example:6379", false, ErrURLScheme, ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckURL(tt.url, tt.allow)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			ue, ok := errors.AsType[*URLError](err)
			require.True(t, ok, "a *URLError: %v", err)
			assert.Equal(t, tt.host, ue.Host)
			assert.NotContains(t, err.Error(), "pw-one")
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
			if tt.want == ErrClearText {
				assert.Contains(t, err.Error(), "plain redis:// to "+tt.host+", a host that is not loopback")
				assert.NoError(t, CheckURL(tt.url, true), "allowInsecure lifts the plain-text rule")
			}
		})
	}
}
