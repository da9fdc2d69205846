// Package safefile writes the files of tribekit (token files, refresh
// tokens, the CRM store's record and lock, pulled schemas) so that another
// user of the machine cannot turn the write against the caller, and reads
// them with a bound. It is internal: tribe/crm's FileStore and the
// tribe-token CLI share it.
//
// [WriteFile] replaces a file atomically: it creates a new file beside the
// target with O_CREAT|O_EXCL|O_NOFOLLOW and its final mode (less the umask),
// writes it, flushes it to disk (fsync) and renames it over the target. A
// reader or a crash sees the old content or the new, never a mix; no mode is
// ever changed after creation and no existing file is ever opened for
// writing, so a link swapped in at any moment can neither receive the data
// nor have its mode changed: a rename replaces a link, it does not follow it.
//
// The rules, the same for every file written (and [OpenLock]'s lock files):
//   - A target that is a symbolic link is refused: safefile never writes
//     through a link. Give the path of the real file, or remove the link.
//   - A directory every user may write in must be sticky (as /tmp is), or
//     it is refused: anyone could rename or replace what is in it. This
//     holds for every directory on the way to the target, not only the last.
//   - In a world-writable (sticky) directory, a target that belongs to
//     another user is refused: they may have planted it.
//   - The directories on the way are resolved by safefile itself, one name
//     at a time from the root, and held open once checked: a symbolic link
//     in a world-writable directory is followed only if it belongs to the
//     caller or to the directory's owner (the rule Linux applies with
//     fs.protected_symlinks, applied whatever the system's setting:
//     https://docs.kernel.org/admin-guide/sysctl/fs.html#protected-symlinks).
//     Missing directories are created with mode 0700.
//
// Where a system has no owners or modes of this kind (Windows), only the
// link and file-type rules apply.
//
// Reads ([ReadBounded]) follow links, since reading changes nothing, but
// refuse what is not a regular file (a FIFO would block) and stop at a
// limit.
//
// Errors carry no package prefix: callers wrap them in their own. They hold
// paths, never file contents.
package safefile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// RefusedError is the error for a path safefile will not write, and why.
type RefusedError struct {
	Path   string
	Reason string // what is wrong and what to do, after the path
}

func (e *RefusedError) Error() string { return e.Path + " " + e.Reason }

// WriteFile replaces the file at path with data, created with mode perm
// (less the umask): 0600 for a secret. See the package doc for how, and for
// what it refuses. A failed write leaves the old file as it was and no
// temporary file behind.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	d, base, err := openTarget(path)
	if err != nil {
		return err
	}
	defer d.close()
	return d.replace(base, data, perm)
}

// replace writes data to a new file of mode perm in d and renames it over
// base.
func (d *dir) replace(base string, data []byte, perm fs.FileMode) (err error) {
	tmp, tmpName, err := d.createTemp(base, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = d.root.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := d.root.Rename(tmpName, base); err != nil {
		return d.pathError("rename", base, err)
	}
	d.sync()
	return nil
}

// CheckWritable checks, before anything is spent, that [WriteFile] could
// replace the file at path: the same checks, and a temporary file created
// and removed beside the target. Missing directories are created (mode
// 0700).
func CheckWritable(path string) error {
	d, base, err := openTarget(path)
	if err != nil {
		return err
	}
	defer d.close()
	f, name, err := d.createTemp(base, 0o600)
	if err != nil {
		return err
	}
	cerr := f.Close()
	if err := d.root.Remove(name); err != nil {
		return err
	}
	return cerr
}

// openTarget opens the directory of path, checked as the package doc says,
// and checks the target in it; it returns the directory and the target's
// name in it.
func openTarget(path string) (*dir, string, error) {
	dirName, base := filepath.Split(path)
	switch {
	case path == "":
		return nil, "", errors.New("the path is empty; give a file name")
	case base == "" || base == "." || base == "..":
		return nil, "", &RefusedError{Path: path, Reason: "names a directory, not a file; give a file name"}
	}
	if dirName == "" {
		dirName = "."
	}
	d, err := openDir(dirName)
	if err != nil {
		return nil, "", err
	}
	if err := d.checkTarget(base, path); err != nil {
		d.close()
		return nil, "", err
	}
	return d, base, nil
}

// checkTarget refuses name in d, shown as path, unless it is missing or a
// regular file the caller may replace.
func (d *dir) checkTarget(name, path string) error {
	fi, err := d.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return d.pathError("lstat", name, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return &RefusedError{Path: path, Reason: "is a symbolic link, and files are never written through one (another user may have planted it); give the path of the file it points to, or remove the link"}
	case fi.IsDir():
		return &RefusedError{Path: path, Reason: "is a directory; give a file name"}
	case !fi.Mode().IsRegular():
		return &RefusedError{Path: path, Reason: "is " + kind(fi.Mode()) + ", not a regular file; give the path of a regular file, or remove it"}
	}
	return d.checkOwner(path, fi)
}

// kind names the type of a file that is not a regular one, for messages.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}

// maxTempBase bounds the part of the target's name a temporary file's name
// repeats, so that it stays under NAME_MAX (255 bytes).
const maxTempBase = 200

// createTemp creates a new file of mode perm (less the umask) beside the
// target base in d, refusing to open anything that exists: O_CREAT|O_EXCL,
// and O_NOFOLLOW where the system has it.
func (d *dir) createTemp(base string, perm fs.FileMode) (*os.File, string, error) {
	if len(base) > maxTempBase {
		base = base[:maxTempBase]
	}
	for range 16 {
		var b [8]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read)
		name := "." + base + ".tmp-" + hex.EncodeToString(b[:])
		f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|openFlags, perm.Perm())
		if errors.Is(err, fs.ErrExist) {
			continue // someone else's name: try another
		}
		if err != nil {
			return nil, "", d.pathError("create", name, err)
		}
		return f, name, nil
	}
	return nil, "", &RefusedError{Path: d.path, Reason: "holds a file of every temporary name tried; remove the files named .NAME.tmp-* in it"}
}

// pathError is err of an operation on name in d, naming the whole path.
func (d *dir) pathError(op, name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &fs.PathError{Op: op, Path: filepath.Join(d.path, name), Err: err}
}

// sync flushes d's entries (a rename) to disk. Not every system can fsync
// a directory, and the file is already in place, so failures are ignored.
func (d *dir) sync() {
	f, err := d.root.Open(".")
	if err != nil {
		return
	}
	_ = f.Sync()
	_ = f.Close()
}
