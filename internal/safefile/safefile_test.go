package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteAtomicThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "token.json")
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(real, link)) // dangling until written

	require.NoError(t, CheckWritable(link))
	require.NoError(t, WriteAtomic(link, []byte("one")))
	require.NoError(t, WriteAtomic(link, []byte("two")))

	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link stays a link")
	b, err := os.ReadFile(real)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	st, err := os.Stat(real)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	left, err := filepath.Glob(filepath.Join(dir, "real", ".*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file is left behind")
}

func TestWriteAtomicFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	require.NoError(t, WriteAtomic(path, []byte("old")))
	// A directory where the file should go: the rename fails.
	blocked := filepath.Join(dir, "blocked")
	require.NoError(t, os.MkdirAll(filepath.Join(blocked, "x"), 0o700))
	assert.Error(t, WriteAtomic(blocked, []byte("new")))
	assert.Error(t, CheckWritable(blocked))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
}

func TestReadBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(path, []byte("12345"), 0o600))
	b, err := ReadBounded(path, 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))
	_, err = ReadBounded(path, 4)
	var tl *TooLargeError
	require.True(t, errors.As(err, &tl))
	assert.NotContains(t, err.Error(), "12345", "the content is never in the error")

	_, err = ReadBounded("/dev/zero", 1<<10)
	assert.True(t, errors.As(err, &tl))
}
