package safefile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadBounded(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(path, []byte("12345"), 0o600))

	b, err := ReadBounded(path, 5)
	require.NoError(t, err)
	assert.Equal(t, "12345", string(b))

	_, err = ReadBounded(path, 4)
	var tl *TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int64(4), tl.Limit)
	assert.NotContains(t, err.Error(), "12345", "the content is never in the error")

	_, err = ReadBounded(dir, 1<<10)
	var refused *RefusedError
	require.ErrorAs(t, err, &refused, "a directory")
	assert.Contains(t, err.Error(), "is a directory, not a regular file")

	link := filepath.Join(dir, "link")
	if err := os.Symlink("f", link); err == nil {
		b, err := ReadBounded(link, 5)
		require.NoError(t, err, "reads follow links")
		assert.Equal(t, "12345", string(b))
	}
}
