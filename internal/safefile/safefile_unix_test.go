//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withUmask runs the test under umask mask (process-wide: such tests are
// never parallel).
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestWriteFileModeIsSetAtCreation checks a file gets the mode asked for
// (less the umask), whatever the file it replaces had.
func TestWriteFileModeIsSetAtCreation(t *testing.T) {
	withUmask(t, 0o022)
	tests := []struct {
		name     string
		existing fs.FileMode // 0: no file before
		perm     fs.FileMode
		want     fs.FileMode
	}{
		{"a new secret", 0, 0o600, 0o600},
		{"a secret over a world-readable file", 0o644, 0o600, 0o600},
		{"a secret over an executable", 0o755, 0o600, 0o600},
		{"a new schema", 0, 0o644, 0o644},
		{"a schema over a secret", 0o600, 0o644, 0o644},
		{"the umask applies", 0, 0o666, 0o644},
		{"only permission bits", 0, fs.ModeSetuid | 0o600, 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if tt.existing != 0 {
				require.NoError(t, os.WriteFile(path, []byte("old"), tt.existing))
				require.NoError(t, os.Chmod(path, tt.existing))
			}
			require.NoError(t, WriteFile(path, []byte("new"), tt.perm))
			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
		})
	}
}

// TestWriteFileWithALinkFlippedMeanwhile writes a 0600 secret over and over
// while another goroutine keeps replacing the target with a link to a
// world-readable file and removing it again: whenever the write lands, the
// target is a regular file of mode 0600 holding the secret, and the file
// the link points to never changes, in content or mode.
func TestWriteFileWithALinkFlippedMeanwhile(t *testing.T) {
	withUmask(t, 0o022)
	dir := t.TempDir()
	victim := filepath.Join(dir, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	target := filepath.Join(dir, "secret")

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.Remove(target)
			_ = os.Symlink(victim, target)
		}
	})
	const secret = "rt-secret-value"
	written, refused := 0, 0
	for range 1000 {
		err := WriteFile(target, []byte(secret), 0o600)
		if err != nil {
			var r *RefusedError
			require.ErrorAs(t, err, &r, "only a refusal may fail the write")
			refused++
			continue
		}
		written++
		if fi, err := os.Lstat(target); err == nil && fi.Mode().IsRegular() {
			// Only WriteFile makes a regular file at target.
			assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d writes landed, %d were refused", written, refused)
	assert.NotZero(t, written)

	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b), "the link's target is untouched")
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm(), "the link's target keeps its mode")

	for _, name := range entries(t, dir) {
		assert.False(t, strings.Contains(name, ".tmp-"), "no temporary file is left behind: %s", name)
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() && name != "important.conf" {
			assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), name)
			b, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Equal(t, secret, string(b))
		}
	}
}
