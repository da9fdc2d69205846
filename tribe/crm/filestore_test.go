package crm_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

func TestFileStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	store := crm.FileStore{Path: filepath.Join(t.TempDir(), "sub", "dir", "crm-token.json")}
	want := &oauth2.Token{
		AccessToken:  "at-1",
		TokenType:    "bearer",
		RefreshToken: "rt-1",
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	require.NoError(t, store.Save(ctx, want))

	got, err := store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, want.AccessToken, got.AccessToken)
	assert.Equal(t, want.TokenType, got.TokenType)
	assert.Equal(t, want.RefreshToken, got.RefreshToken)
	assert.True(t, want.Expiry.Equal(got.Expiry))

	info, err := os.Stat(filepath.Dir(store.Path))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), info.Mode().Perm(), "a created directory is private")
}

func TestFileStoreMode0600(t *testing.T) {
	tests := []struct {
		name     string
		existing fs.FileMode // 0: no file before
	}{
		{"new file", 0},
		{"replaces a world-readable file", 0o644},
		{"replaces an executable file", 0o755},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "token.json")
			if tt.existing != 0 {
				require.NoError(t, os.WriteFile(path, []byte(`{"refresh_token":"old"}`), tt.existing))
				require.NoError(t, os.Chmod(path, tt.existing))
			}
			require.NoError(t, crm.FileStore{Path: path}.Save(context.Background(), &oauth2.Token{RefreshToken: "new"}))
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
		})
	}
}

// TestFileStoreAtomicReplace checks the write is a rename of a new file over
// the old one (a reader holding the old file never sees it change), and that
// no temporary file is left behind.
func TestFileStoreAtomicReplace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := crm.FileStore{Path: filepath.Join(dir, "token.json")}
	require.NoError(t, store.Save(ctx, &oauth2.Token{AccessToken: "at-1", RefreshToken: "rt-1"}))

	old, err := os.Open(store.Path)
	require.NoError(t, err)
	defer old.Close()
	oldInfo, err := old.Stat()
	require.NoError(t, err)

	require.NoError(t, store.Save(ctx, &oauth2.Token{AccessToken: "at-2", RefreshToken: "rt-2"}))

	newInfo, err := os.Stat(store.Path)
	require.NoError(t, err)
	assert.False(t, os.SameFile(oldInfo, newInfo), "the file was replaced, not rewritten in place")
	oldContent := make([]byte, 200)
	n, _ := old.ReadAt(oldContent, 0)
	assert.Contains(t, string(oldContent[:n]), "rt-1", "the old file is untouched")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")
	assert.Equal(t, "token.json", entries[0].Name())
}

// TestFileStoreConcurrentReadersSeeWholeTokens saves many tokens of varying
// size while others load: every load sees one whole token, never a torn one.
func TestFileStoreConcurrentReadersSeeWholeTokens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store := crm.FileStore{Path: filepath.Join(dir, "token.json")}
	require.NoError(t, store.Save(ctx, &oauth2.Token{AccessToken: "at-0", RefreshToken: "rt-0"}))

	const saves = 150
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i := 1; i <= saves; i++ {
			pad := strings.Repeat("x", (i*37)%500)
			tok := &oauth2.Token{AccessToken: fmt.Sprintf("at-%d-%s", i, pad), RefreshToken: fmt.Sprintf("rt-%d-%s", i, pad)}
			if err := store.Save(ctx, tok); err != nil {
				t.Errorf("Save %d: %v", i, err)
				return
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				tok, err := store.Load(ctx)
				if err != nil {
					t.Errorf("Load: %v", err)
					return
				}
				if strings.TrimPrefix(tok.AccessToken, "at-") != strings.TrimPrefix(tok.RefreshToken, "rt-") {
					t.Errorf("torn token: %.20q / %.20q", tok.AccessToken, tok.RefreshToken)
					return
				}
			}
		})
	}
	wg.Wait()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")
}

func TestFileStoreFailedSaveLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "token.json")
	require.NoError(t, os.Mkdir(target, 0o700)) // rename over a directory fails
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o600))

	err := crm.FileStore{Path: target}.Save(context.Background(), &oauth2.Token{RefreshToken: "rt-secret-value"})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "crm: saving token: "), err.Error())
	assert.NotContains(t, err.Error(), "rt-secret-value")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the temporary file was removed")
	assert.Equal(t, "token.json", entries[0].Name())
}

func TestFileStoreLoadErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	tests := []struct {
		name      string
		path      string
		wantNoTok bool
	}{
		{"missing file", filepath.Join(dir, "absent.json"), true},
		{"empty token", write("empty.json", `{}`), true},
		{"not json", write("garbage.json", `rt-secret-value is not json`), false},
		{"wrong types", write("types.json", `{"access_token": 42, "refresh_token": "rt-secret-value"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := crm.FileStore{Path: tt.path}.Load(ctx)
			require.Error(t, err)
			assert.Nil(t, tok)
			assert.Equal(t, tt.wantNoTok, errors.Is(err, crm.ErrNoToken))
			assert.True(t, strings.HasPrefix(err.Error(), "crm: "), err.Error())
			assert.NotContains(t, err.Error(), "rt-secret-value", "file content stays out of errors")
		})
	}
	_, err := crm.FileStore{Path: filepath.Join(dir, "absent.json")}.Load(ctx)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestFileStoreRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	_, err := crm.FileStore{}.Load(ctx)
	require.ErrorIs(t, err, crm.ErrInvalidInput)
	require.ErrorIs(t, crm.FileStore{}.Save(ctx, &oauth2.Token{}), crm.ErrInvalidInput)
	require.ErrorIs(t, crm.FileStore{Path: filepath.Join(t.TempDir(), "t")}.Save(ctx, nil), crm.ErrInvalidInput)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	path := filepath.Join(t.TempDir(), "t")
	require.ErrorIs(t, crm.FileStore{Path: path}.Save(cancelled, &oauth2.Token{}), context.Canceled)
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing written after cancel")
}

func TestFileStoreLoadRefusesAHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token.json")
	huge := `{"access_token":"rt-secret-value","x":"` + strings.Repeat("x", 1<<20) + `"}`
	require.NoError(t, os.WriteFile(path, []byte(huge), 0o600))
	tok, err := crm.FileStore{Path: path}.Load(context.Background())
	require.Error(t, err)
	assert.Nil(t, tok)
	assert.False(t, errors.Is(err, crm.ErrNoToken))
	assert.Contains(t, err.Error(), "too large for a token file")
	assert.NotContains(t, err.Error(), "rt-secret-value")
}

// TestFileStoreRefusesASymlink checks a Path that is a symbolic link is
// refused by Save and by Lock (so a refresh is never spent on a token that
// could not be saved), and that what the link points to is untouched.
func TestFileStoreRefusesASymlink(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	realDir := filepath.Join(dir, "secrets")
	require.NoError(t, os.Mkdir(realDir, 0o700))
	target := filepath.Join(realDir, "crm.json")
	require.NoError(t, crm.FileStore{Path: target}.Save(ctx, &oauth2.Token{RefreshToken: "rt-old"}))
	tests := []struct {
		name, dest string
	}{
		{"to the token file", filepath.Join("secrets", "crm.json")},
		{"dangling", filepath.Join(dir, "elsewhere.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := filepath.Join(dir, "token-"+strings.ReplaceAll(tt.name, " ", "-")+".json")
			require.NoError(t, os.Symlink(tt.dest, link))
			store := crm.FileStore{Path: link}

			err := store.Save(ctx, &oauth2.Token{AccessToken: "at-new", RefreshToken: "rt-new"})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: saving token: "), err.Error())
			assert.Contains(t, err.Error(), link+" is a symbolic link")
			assert.NotContains(t, err.Error(), "rt-new")

			_, err = store.Lock(ctx)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "is a symbolic link")
			_, err = os.Lstat(link + ".lock")
			assert.ErrorIs(t, err, fs.ErrNotExist, "no lock file is made for a store that cannot be saved")

			fi, err := os.Lstat(link)
			require.NoError(t, err)
			assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link is still a link")
		})
	}
	got, err := crm.FileStore{Path: target}.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "rt-old", got.RefreshToken, "the token file is untouched")
	assert.Equal(t, []string{"crm.json"}, dirNames(t, realDir), "nothing was written beside it")
	_, err = os.Lstat(filepath.Join(dir, "elsewhere.json"))
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing is created through a dangling link")
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
