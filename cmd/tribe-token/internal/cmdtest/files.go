package cmdtest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// WriteFile writes data to a new file, mode 0600, named name in a new
// temporary directory, and returns its path.
func WriteFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
	return p
}

// UnsignedJWT is a JWT with the claims given as JSON, an HS256 header and
// a dummy signature.
func UnsignedJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// ExpireStoredToken makes the token in the CRM token file at path expire,
// on the mock's clock and on the client's: its expiry moves an hour into
// the past.
func ExpireStoredToken(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var tok map[string]any
	require.NoError(t, json.Unmarshal(b, &tok))
	require.Contains(t, tok, "expiry")
	tok["expiry"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	b, err = json.Marshal(tok)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}

// SabotagingProxy forwards to target, but first, on the first request,
// replaces the directory dir with a regular file: whatever the request
// spends, nothing can be saved in dir afterwards, even by root. It is
// closed with the test.
func SabotagingProxy(t *testing.T, target, dir string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			if err := os.Rename(dir, dir+".moved"); err != nil {
				t.Errorf("sabotage: %v", err)
			}
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Errorf("sabotage: %v", err)
			}
		})
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// ReadOnlyDir returns a new directory holding the files given (name,
// content pairs) in which this process cannot create files: mode 0500,
// and, for root, which ignores the mode, immutable (chattr +i). It skips
// the test if neither works.
func ReadOnlyDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, files[i]), []byte(files[i+1]), 0o600))
	}
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if canCreateIn(dir) {
		if err := exec.CommandContext(t.Context(), "chattr", "+i", dir).Run(); err != nil {
			t.Skipf("cannot make a read-only directory (running as root without chattr: %v)", err)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
		if canCreateIn(dir) {
			t.Skip("cannot make a read-only directory")
		}
	}
	return dir
}

// canCreateIn reports whether a file can be created in dir.
func canCreateIn(dir string) bool {
	f, err := os.CreateTemp(dir, "probe-*")
	if err != nil {
		return false
	}
	f.Close()
	_ = os.Remove(f.Name())
	return true
}

// HS256Secret is a shared secret for HS256 signatures, long enough for
// "jwt sign --hs256-secret-file".
const HS256Secret = "0123456789abcdef0123456789abcdef-hs256"
