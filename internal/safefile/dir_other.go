//go:build !unix

package safefile

import (
	"io/fs"
	"os"
)

// openFlags are added to every open for writing or locking: none here
// (os.Root refuses a link as the last name of an O_CREATE|O_EXCL open).
const openFlags = 0

// readFlags are added to [ReadBounded]'s open: none here.
const readFlags = 0

// openDir opens the directory at path, creating what is missing of it (mode
// 0700). This system has no owners or modes of the kind the package doc's
// directory rules read, so the directory is opened as it is.
func openDir(path string) (*dir, error) {
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	d := &dir{root: r, path: path}
	if d.info, err = r.Stat("."); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// checkOwner accepts any file: this system has no owners of that kind.
func (d *dir) checkOwner(string, fs.FileInfo) error { return nil }
