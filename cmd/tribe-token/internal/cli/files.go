package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds the symlinks followed to a file, as the kernel does.
const maxLinks = 40

// resolveLink returns the file path names once symlinks are followed: path
// itself if it is not a symlink or does not exist, else the file the links
// lead to, which may not exist yet (a dangling link). Writing there, rather
// than over path, keeps the link and updates what it points at. (crm.FileStore
// does the same for its token file.)
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

// checkWritable checks, before anything is spent, that a file can later be
// replaced at path as [replaceFile] and crm.FileStore do: it follows
// symlinks, creates the directory (mode 0700) if missing, and creates and
// removes a temporary file beside the target.
func checkWritable(path string) error {
	target, err := resolveLink(path)
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

// replaceFile replaces the content of the file at path atomically: a
// temporary file beside it, synced, then renamed over it, with mode 0600. If
// path is a symlink, the file it points at is replaced and the link stays.
func replaceFile(path, content string) error {
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename, there is nothing to remove
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, target)
}

// maxRecordFile bounds what is read from a small file of the CLI's own, such
// as the record beside the CRM token file.
const maxRecordFile = 1 << 20

// readBounded reads the file at path, refusing one larger than limit bytes
// without reading it all. Its errors never hold the content.
func readBounded(path string, limit int64) ([]byte, error) {
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
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}
