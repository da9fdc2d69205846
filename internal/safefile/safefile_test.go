package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "token.json")
	require.NoError(t, CheckWritable(path))
	require.NoError(t, WriteFile(path, []byte("one"), 0o600))

	old, err := os.Open(path)
	require.NoError(t, err)
	defer old.Close()
	require.NoError(t, WriteFile(path, []byte("two"), 0o600))

	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	oldContent := make([]byte, 8)
	n, _ := old.ReadAt(oldContent, 0)
	assert.Equal(t, "one", string(oldContent[:n]), "the old file was replaced, not written in place")
	assert.Equal(t, []string{"token.json"}, entries(t, filepath.Join(dir, "sub")), "no temporary file is left behind")

	rel, err := filepath.Rel(mustGetwd(t), path)
	require.NoError(t, err)
	require.NoError(t, WriteFile(rel, []byte("three"), 0o600), "a relative path")
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "three", string(b))
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return wd
}

// TestWriteFileRefusesASymlinkTarget checks the rule for a target that is a
// symbolic link: refused, by WriteFile, CheckWritable and OpenLock alike,
// and what it points to is untouched (or not created, for a dangling one).
func TestWriteFileRefusesASymlinkTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o600))
	tests := []struct {
		name string
		dest string
	}{
		{"to a file", victim},
		{"relative, to a file", "important.conf"},
		{"dangling", filepath.Join(dir, "absent")},
		{"to a directory", dir},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := filepath.Join(dir, "link"+string(rune('a'+i)))
			if err := os.Symlink(tt.dest, link); err != nil {
				t.Skipf("cannot make a symbolic link here: %v", err)
			}
			for op, err := range map[string]error{
				"WriteFile":     WriteFile(link, []byte("secret"), 0o600),
				"CheckWritable": CheckWritable(link),
				"OpenLock":      openLockErr(link),
			} {
				var refused *RefusedError
				require.ErrorAs(t, err, &refused, op)
				assert.Equal(t, link, refused.Path, op)
				assert.Contains(t, err.Error(), "is a symbolic link", op)
				assert.Contains(t, err.Error(), "give the path of the file it points to, or remove the link", op)
			}
			fi, err := os.Lstat(link)
			require.NoError(t, err)
			assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link is still a link")
		})
	}
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	_, err = os.Lstat(filepath.Join(dir, "absent"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing is created through a dangling link")
	for _, name := range entries(t, dir) {
		assert.False(t, strings.Contains(name, ".tmp-"), "no temporary file is left behind: %s", name)
	}
}

// openLockErr is OpenLock's error, closing the file if it opened one.
func openLockErr(path string) error {
	f, err := OpenLock(path)
	if err == nil {
		_ = f.Close()
	}
	return err
}

func TestWriteFileRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "blocked")
	require.NoError(t, os.MkdirAll(filepath.Join(blocked, "x"), 0o700))
	notADir := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(notADir, []byte("x"), 0o600))
	tests := []struct {
		name, path, want string
	}{
		{"empty", "", "the path is empty"},
		{"a directory", blocked, "is a directory"},
		{"a path ending in a slash", blocked + string(filepath.Separator), "names a directory, not a file"},
		{"dot", filepath.Join(dir, "x") + string(filepath.Separator) + ".", "names a directory, not a file"},
		{"under a file", filepath.Join(notADir, "token.json"), "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteFile(tt.path, []byte("new"), 0o600)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Error(t, CheckWritable(tt.path))
			assert.Error(t, openLockErr(tt.path))
		})
	}
	assert.ElementsMatch(t, []string{"blocked", "file"}, entries(t, dir), "nothing was created")
	assert.Equal(t, []string{"x"}, entries(t, blocked))
}

// TestWriteFileFailureLeavesNoTempFile makes the rename fail (a directory
// took the target's place after the checks) and checks the temporary file
// is removed.
func TestWriteFileFailureLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	require.NoError(t, WriteFile(path, []byte("old"), 0o600))
	d, base, err := openTarget(path)
	require.NoError(t, err)
	defer d.close()
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.MkdirAll(filepath.Join(path, "x"), 0o700))

	err = d.replace(base, []byte("rt-secret-value"), 0o600)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	assert.NotContains(t, err.Error(), "rt-secret-value")
	assert.Equal(t, []string{"token"}, entries(t, dir), "the temporary file was removed")
	assert.Equal(t, []string{"x"}, entries(t, path))
}

func TestWriteFileErrorsNameThePathNotTheContent(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(notADir, nil, 0o600))
	path := filepath.Join(notADir, "token.json")
	err := WriteFile(path, []byte("rt-secret-value"), 0o600)
	require.Error(t, err)
	assert.Contains(t, err.Error(), notADir)
	assert.NotContains(t, err.Error(), "rt-secret-value")
	assert.True(t, errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "not a directory"), err.Error())
}
