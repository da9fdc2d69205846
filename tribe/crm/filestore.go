package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// concurrent Saves the last rename wins. If Path is a symlink, Save writes
// the file it points at (created if the link dangles) and the link stays. Its
// String shows only the path.
type FileStore struct {
	// Path is the token file. Its directory is created (mode 0700) if
	// missing.
	Path string
}

// maxTokenFile bounds what [FileStore.Load] reads: a token file is a few
// kilobytes; a larger file is refused as not one.
const maxTokenFile = 1 << 20

// Load reads the token. It returns an error wrapping [ErrNoToken] (and
// [fs.ErrNotExist]) if the file does not exist, and an error if it is larger
// than 1 MiB, which no token file is.
func (f FileStore) Load(ctx context.Context) (*oauth2.Token, error) {
	if f.Path == "" {
		return nil, invalid("FileStore.Path is empty")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := readBounded(f.Path, maxTokenFile)
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
	// A symlink stays one: the token goes to the file it points at.
	target, err := resolveLink(f.Path)
	if err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	dir, base := filepath.Split(target)
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
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	syncDir(dir)
	return nil
}

// readBounded reads the file at path, refusing one larger than limit bytes
// without reading it all. Its errors never hold the content.
func readBounded(path string, limit int64) ([]byte, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes, too large for a token file", path, limit)
	}
	return b, nil
}

// maxLinks bounds the symlinks followed to a token file, as the kernel does.
const maxLinks = 40

// resolveLink returns the file path names once symlinks are followed: path
// itself if it is not a symlink or does not exist, else the file the links
// lead to, which may not exist yet (a dangling link).
func resolveLink(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return real, nil
		}
		// A dangling link: follow it one step, from the real directory
		// it lives in, and look again.
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dir, err := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil {
				return "", err
			}
			dest = filepath.Join(dir, dest)
		}
		path = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
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
