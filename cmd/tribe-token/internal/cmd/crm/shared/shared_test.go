package shared

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSaveMeta(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "crm-token.json")
	want := Meta{RedirectURL: "http://127.0.0.1:8976/callback", Scopes: []string{"read"}}
	require.NoError(t, SaveMeta(store, want))
	got, err := loadMeta(store)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	fi, err := os.Stat(MetaPath(store))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// TestSaveMetaRefusesASymlink checks the record beside the token file is
// never written through a symbolic link, and that the check run before a
// grant is spent refuses it too.
func TestSaveMetaRefusesASymlink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	require.NoError(t, os.Chmod(victim, 0o644))
	store := filepath.Join(dir, "crm-token.json")
	require.NoError(t, os.Symlink(victim, MetaPath(store)))

	err := SaveMeta(store, Meta{RedirectURL: "http://127.0.0.1:8976/callback"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "recording the redirect URL beside the token")
	assert.Contains(t, err.Error(), "is a symbolic link")
	require.Error(t, CheckStoreWritable(store))

	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}
