package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/oauth2"
)

// FileStore is a [TokenStore] that keeps the token as JSON (the
// golang.org/x/oauth2 Token fields) in the file at Path, readable and writable
// by its owner only (mode 0600).
//
// Save writes atomically: it writes a temporary file in the same directory,
// flushes it to disk (fsync), and renames it over Path, so a reader or a crash
// sees either the old token or the new one, never a mix, and a failed Save
// leaves the old file as it was. A FileStore is safe for concurrent use; of
// concurrent Saves the last rename wins. Its String shows only the path.
type FileStore struct {
	// Path is the token file. Its directory is created (mode 0700) if
	// missing.
	Path string
}

// Load reads the token. It returns an error wrapping [ErrNoToken] (and
// [fs.ErrNotExist]) if the file does not exist.
func (f FileStore) Load(ctx context.Context) (*oauth2.Token, error) {
	if f.Path == "" {
		return nil, invalid("FileStore.Path is empty")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNoToken, err)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: reading token file: %w", err)
	}
	var tok oauth2.Token
	if err := json.Unmarshal(b, &tok); err != nil {
		// The decoder's message names a position or a type, never the
		// file's content.
		return nil, fmt.Errorf("crm: token file %s is not a token: %w", f.Path, err)
	}
	if tok.AccessToken == "" && tok.RefreshToken == "" {
		return nil, fmt.Errorf("%w: token file %s holds no token", ErrNoToken, f.Path)
	}
	return &tok, nil
}

// Save replaces the file's token with tok atomically (see [FileStore]).
func (f FileStore) Save(ctx context.Context, tok *oauth2.Token) (err error) {
	if f.Path == "" {
		return invalid("FileStore.Path is empty")
	}
	if tok == nil {
		return invalid("nil token")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("crm: encoding token: %w", err)
	}
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir flushes the directory entry of a rename to disk. Not every system
// can fsync a directory, and the token is already in place, so failures are
// ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// String describes the store by its path.
func (f FileStore) String() string { return fmt.Sprintf("crm.FileStore{Path: %q}", f.Path) }

// GoString is String.
func (f FileStore) GoString() string { return f.String() }
