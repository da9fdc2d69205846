package safefile

import (
	"errors"
	"io/fs"
	"os"
)

// OpenLock opens the lock file at path for reading and writing, creating it
// (mode 0600) if missing, by the rules [WriteFile] follows: a symbolic link,
// anything but a regular file, or (in a world-writable directory) a file of
// another user is refused, and so is a directory on the way that another
// user could change. The file is only opened, never truncated or written;
// the caller locks it (flock) and closes it.
func OpenLock(path string) (*os.File, error) {
	d, base, err := openTarget(path)
	if err != nil {
		return nil, err
	}
	defer d.close()
	f, err := d.root.OpenFile(base, os.O_RDWR|os.O_CREATE|os.O_EXCL|openFlags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		f, err = d.root.OpenFile(base, os.O_RDWR|openFlags, 0)
	}
	if err != nil {
		return nil, d.pathError("open", base, err)
	}
	// What was opened must still be the regular file the name holds: a link
	// swapped in since the check may have led elsewhere in the directory.
	opened, err := f.Stat()
	if err == nil {
		var now fs.FileInfo
		if now, err = d.root.Lstat(base); err == nil && (!now.Mode().IsRegular() || !os.SameFile(opened, now)) {
			err = &RefusedError{Path: path, Reason: "changed while it was being opened (another user may be swapping it); try again, or use another path"}
		}
		if err == nil {
			err = d.checkTarget(base, path)
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}
