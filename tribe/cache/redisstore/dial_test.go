package redisstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCert returns a self-signed certificate for 127.0.0.1 only (no host
// name), and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redisstore dial test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestRedissStaysTLS(t *testing.T) {
	cert, _ := testCert(t)
	getReply := "$-1\r\n"
	fake := startFakeRedis(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, func(cmd []string) string {
		if strings.EqualFold(cmd[0], "GET") {
			return getReply
		}
		return ""
	})
	ctx := context.Background()

	s := openStore(t, "rediss://"+fake.addr()+"?skip_verify=true", Options{})
	tok, err := s.Get(ctx, "k")
	require.NoError(t, err, "the store speaks TLS to a TLS-only server")
	assert.Nil(t, tok)
	assert.False(t, s.Degraded())
	assert.Contains(t, fake.commands(), "GET")

	// Without skip_verify the self-signed certificate is refused, and
	// plain text to the TLS port does not work either.
	for _, u := range []string{"rediss://" + fake.addr(), "redis://" + fake.addr()} {
		assert.True(t, openStore(t, u, Options{OpTimeout: 100 * time.Millisecond}).Degraded(), u)
	}

	// The bound on replies sits above TLS.
	getReply = "$" + huge + "\r\n"
	s = openStore(t, "rediss://"+fake.addr()+"?skip_verify=true", Options{})
	_, err = s.Get(ctx, "k")
	require.ErrorIs(t, err, ErrProtocol)
}

func TestDialerChecksEachNodesOwnName(t *testing.T) {
	cert, pool := testCert(t)
	fake := startFakeRedis(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, func([]string) string { return "" })
	_, port, err := net.SplitHostPort(fake.addr())
	require.NoError(t, err)
	// The configuration go-redis parsed names the seed; a node a Cluster or
	// Sentinel names is checked against its own host instead.
	d := &dialer{tls: &tls.Config{ServerName: "seed.example", RootCAs: pool, MinVersion: tls.VersionTLS12}, timeout: time.Second}
	ctx := context.Background()

	c, err := d.dial(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
	require.NoError(t, err, "the certificate is for 127.0.0.1, the node dialled, not for seed.example")
	bc, ok := c.(*boundedConn)
	require.True(t, ok, "replies are read through the bound")
	tc, ok := bc.Conn.(*tls.Conn)
	require.True(t, ok, "above TLS")
	assert.True(t, tc.ConnectionState().HandshakeComplete)
	require.NoError(t, c.Close())

	_, err = d.dial(ctx, "tcp", net.JoinHostPort("localhost", port))
	require.Error(t, err, "the certificate does not name localhost")
	var hostErr x509.HostnameError
	assert.ErrorAs(t, err, &hostErr)
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore: TLS with localhost:"), err.Error())
}
