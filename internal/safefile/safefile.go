// Package safefile writes and reads the small secret files of tribekit (token
// files, refresh tokens) safely: atomic replacement with mode 0600 through
// symlinks, bounded reads, and a writability check made before a one-time
// credential is spent. It is internal: tribe/crm's FileStore and the
// tribe-token CLI share it.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TooLargeError is [ReadBounded]'s error for a file over its limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Limit)
}

// maxLinks bounds the symlinks followed to a file, as the kernel does.
const maxLinks = 40

// ResolveLink returns the file path names once symlinks are followed: path
// itself if it is not a symlink or does not exist, else the file the links
// lead to, which may not exist yet (a dangling link). Writing there, rather
// than over path, keeps the link and updates what it points at.
func ResolveLink(path string) (string, error) {
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
		// A dangling link: follow it one step, from the real directory it
		// lives in, and look again.
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

// WriteAtomic replaces the file at path with data, readable and writable by
// its owner only (mode 0600): a temporary file in the same directory, synced,
// then renamed over it, so a reader or a crash sees the old content or the
// new, never a mix, and a failed write leaves the old file as it was. If
// path is a symlink, the file it points at is replaced and the link stays.
// The directory is created (mode 0700) if missing.
func WriteAtomic(path string, data []byte) (err error) {
	target, err := ResolveLink(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// CheckWritable checks, before anything is spent, that [WriteAtomic] could
// replace the file at path: it follows symlinks, creates the directory (mode
// 0700) if missing, and creates and removes a temporary file beside the
// target.
func CheckWritable(path string) error {
	target, err := ResolveLink(path)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", target)
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	cerr := f.Close()
	if err := os.Remove(name); err != nil {
		return err
	}
	return cerr
}

// ReadBounded reads the file at path, refusing one larger than limit bytes
// without reading it all. Its errors never hold the content.
func ReadBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}

// syncDir flushes the directory entry of a rename to disk. Not every system
// can fsync a directory, and the file is already in place, so failures are
// ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
