package safefile

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "token.json.lock")
	f, err := OpenLock(path)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
	if runtime.GOOS != "windows" {
		assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	}

	require.NoError(t, os.WriteFile(path, []byte("left as it is"), 0o600))
	f, err = OpenLock(path)
	require.NoError(t, err, "an existing lock file is opened")
	require.NoError(t, f.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "left as it is", string(b), "the lock file is never truncated")
}
