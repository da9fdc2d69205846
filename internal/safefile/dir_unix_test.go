//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mkdirMode makes the directory path with exactly mode (no umask).
func mkdirMode(t *testing.T, path string, mode fs.FileMode) string {
	t.Helper()
	require.NoError(t, os.Mkdir(path, 0o700))
	require.NoError(t, os.Chmod(path, mode))
	return path
}

// TestWorldWritableDirectoryMustBeSticky checks that a directory every user
// may write in is refused unless sticky, at the end of the path or on the
// way, and that nothing is created in it.
func TestWorldWritableDirectoryMustBeSticky(t *testing.T) {
	base := t.TempDir()
	open := mkdirMode(t, filepath.Join(base, "open"), 0o777)
	inner := mkdirMode(t, filepath.Join(open, "inner"), 0o700)
	sticky := mkdirMode(t, filepath.Join(base, "sticky"), 0o777|fs.ModeSticky)

	tests := []struct {
		name, path, refusedDir string
	}{
		{"the target's directory", filepath.Join(open, "schema.graphql"), open},
		{"a directory on the way", filepath.Join(inner, "schema.graphql"), open},
		{"a directory to create under it", filepath.Join(open, "new", "schema.graphql"), open},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for op, err := range map[string]error{
				"WriteFile":     WriteFile(tt.path, []byte("data"), 0o644),
				"CheckWritable": CheckWritable(tt.path),
				"OpenLock":      openLockErr(tt.path),
			} {
				var refused *RefusedError
				require.ErrorAs(t, err, &refused, op)
				assert.Equal(t, tt.refusedDir, refused.Path, op)
				assert.Contains(t, err.Error(), "every user may write in, and not sticky (mode 0777)", op)
				assert.Contains(t, err.Error(), "chmod +t", op)
			}
		})
	}
	assert.Equal(t, []string{"inner"}, entries(t, open), "nothing was created")
	assert.Empty(t, entries(t, inner))

	t.Run("sticky is fine", func(t *testing.T) {
		path := filepath.Join(sticky, "schema.graphql")
		require.NoError(t, CheckWritable(path))
		require.NoError(t, WriteFile(path, []byte("data"), 0o644))
		require.NoError(t, WriteFile(path, []byte("again"), 0o644), "a file of the caller's own is replaced")
		f, err := OpenLock(path + ".lock")
		require.NoError(t, err)
		require.NoError(t, f.Close())
	})
}

// TestLinksOnTheWayAreFollowedWhenTrusted checks the directories on the way
// are resolved through links the caller may trust: any link in a directory
// others cannot write, and in a sticky world-writable one a link of the
// caller's own; ".." after a link goes up from where the link led.
func TestLinksOnTheWayAreFollowedWhenTrusted(t *testing.T) {
	base := t.TempDir()
	real := mkdirMode(t, filepath.Join(base, "real"), 0o700)
	mkdirMode(t, filepath.Join(real, "deeper"), 0o700)
	sticky := mkdirMode(t, filepath.Join(base, "sticky"), 0o777|fs.ModeSticky)
	require.NoError(t, os.Symlink(real, filepath.Join(base, "abs")))
	require.NoError(t, os.Symlink("real/deeper", filepath.Join(base, "rel")))
	require.NoError(t, os.Symlink(filepath.Join("..", "real"), filepath.Join(sticky, "mine")))
	require.NoError(t, os.Symlink("loop", filepath.Join(base, "loop")))

	tests := []struct{ name, path, lands string }{
		{"an absolute link", base + "/abs/a", filepath.Join(real, "a")},
		{"a relative link", base + "/rel/b", filepath.Join(real, "deeper", "b")},
		{"up from where a link led", base + "/rel/../c", filepath.Join(real, "c")},
		{"the caller's link in a sticky directory", sticky + "/mine/d", filepath.Join(real, "d")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, WriteFile(tt.path, []byte("data"), 0o600))
			b, err := os.ReadFile(tt.lands)
			require.NoError(t, err)
			assert.Equal(t, "data", string(b))
		})
	}
	err := WriteFile(filepath.Join(base, "loop", "x"), []byte("data"), 0o600)
	assert.ErrorIs(t, err, syscall.ELOOP)
}

// nobody returns the ids of the user nobody when the test can act as two
// users: it runs as root, and the system has nobody. Otherwise it skips, or
// fails if TRIBEKIT_REQUIRE_ROOT is set (CI runs as root).
func nobody(t *testing.T) (uid, gid uint32) {
	t.Helper()
	why := ""
	u, err := user.Lookup("nobody")
	switch {
	case os.Geteuid() != 0:
		why = "this test plants files as another user, which needs root: run it as root (CI does)"
	case err != nil:
		why = "this test plants files as the user nobody, and there is none: " + err.Error()
	}
	if why != "" {
		if os.Getenv("TRIBEKIT_REQUIRE_ROOT") != "" {
			t.Fatalf("TRIBEKIT_REQUIRE_ROOT is set, but %s", why)
		}
		t.Skip(why)
	}
	id, err1 := strconv.ParseUint(u.Uid, 10, 32)
	g, err2 := strconv.ParseUint(u.Gid, 10, 32)
	require.NoError(t, err1)
	require.NoError(t, err2)
	return uint32(id), uint32(g)
}

// asUser runs a command as the user uid.
func asUser(t *testing.T, uid, gid uint32, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %v as uid %d: %s", name, args, uid, out)
}

// TestAnotherUsersPlantsInASharedDirectoryAreRefused is the two-user case:
// in a mode-1777 directory the user nobody plants a link to a file of the
// victim (root), a link to a private directory of the victim, and a file of
// their own; the victim then writes to those names, as schema pull, the
// refresh token file and the CRM store would. Every write is refused, and
// the victim's file and directory are unchanged.
func TestAnotherUsersPlantsInASharedDirectoryAreRefused(t *testing.T) {
	uid, gid := nobody(t)
	base, err := os.MkdirTemp("", "safefile-two-users-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o755)) // nobody may look in

	victim := filepath.Join(base, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o600))
	private := mkdirMode(t, filepath.Join(base, "private"), 0o700)
	shared := mkdirMode(t, filepath.Join(base, "shared"), 0o777|fs.ModeSticky)

	asUser(t, uid, gid, "ln", "-s", victim, filepath.Join(shared, "schema.graphql"))
	asUser(t, uid, gid, "ln", "-s", private, filepath.Join(shared, "sub"))
	asUser(t, uid, gid, "sh", "-c", "echo planted > "+filepath.Join(shared, "token.json"))

	tests := []struct {
		name, path, want string
	}{
		{"a link at the target", filepath.Join(shared, "schema.graphql"), "is a symbolic link, and files are never written through one"},
		{"a link on the way", filepath.Join(shared, "sub", "schema.graphql"), "is a symbolic link that another user (uid " + strconv.Itoa(int(uid)) + ") made in the world-writable directory " + shared},
		{"a file of another user", filepath.Join(shared, "token.json"), "belongs to another user (uid " + strconv.Itoa(int(uid)) + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, perm := range []fs.FileMode{0o644, 0o600} {
				err := WriteFile(tt.path, []byte("the schema"), perm)
				var refused *RefusedError
				require.ErrorAs(t, err, &refused)
				assert.Contains(t, err.Error(), tt.want)
			}
			var refused *RefusedError
			assert.ErrorAs(t, CheckWritable(tt.path), &refused)
			assert.ErrorAs(t, openLockErr(tt.path), &refused)
		})
	}

	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b), "the victim's file is unchanged")
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), "the victim's file keeps its mode")
	assert.Empty(t, entries(t, private), "nothing was written in the victim's directory")
	b, err = os.ReadFile(filepath.Join(shared, "token.json"))
	require.NoError(t, err)
	assert.Equal(t, "planted\n", string(b))

	// The victim's own file in the shared directory is written as usual.
	mine := filepath.Join(shared, "mine.graphql")
	require.NoError(t, WriteFile(mine, []byte("the schema"), 0o644))
	require.NoError(t, WriteFile(mine, []byte("the schema, again"), 0o644))
}
