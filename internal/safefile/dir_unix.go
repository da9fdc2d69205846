//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openFlags are added to every open for writing or locking: the kernel
// refuses a symbolic link as the last name (O_NOFOLLOW), and a FIFO cannot
// block the open (O_NONBLOCK).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// readFlags are added to [ReadBounded]'s open: a FIFO cannot block it.
const readFlags = syscall.O_NONBLOCK

// maxLinks bounds the symbolic links followed on the way to a directory, as
// Linux does.
const maxLinks = 40

// openDir opens the directory at path, creating what is missing of it (mode
// 0700). It resolves the path itself, one name at a time from /, as the
// package doc says: each directory is checked once open and held open, and
// each symbolic link is checked before it is followed.
func openDir(path string) (*dir, error) {
	abs := path
	if !filepath.IsAbs(path) {
		// Not filepath.Abs: cleaning "link/.." to "" would go elsewhere than
		// the kernel goes, which is up from where the link leads.
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		abs = wd + "/" + path
	}
	top, err := openRoot()
	if err != nil {
		return nil, err
	}
	stack := []*dir{top}
	popTo := func(n int) {
		for len(stack) > n {
			stack[len(stack)-1].close()
			stack = stack[:len(stack)-1]
		}
	}
	fail := func(err error) (*dir, error) {
		popTo(0)
		return nil, err
	}
	todo := strings.Split(abs, "/")
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		cur := stack[len(stack)-1]
		switch name {
		case "", ".":
			continue
		case "..":
			popTo(max(len(stack)-1, 1)) // the parent of / is /
			continue
		}
		fi, err := cur.root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			if err = cur.root.Mkdir(name, 0o700); err == nil || errors.Is(err, fs.ErrExist) {
				fi, err = cur.root.Lstat(name)
			}
		}
		if err != nil {
			return fail(cur.pathError("lstat", name, err))
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if err := cur.checkLink(name, fi); err != nil {
				return fail(err)
			}
			if links++; links > maxLinks {
				return fail(&fs.PathError{Op: "open", Path: path, Err: syscall.ELOOP})
			}
			dest, err := cur.root.Readlink(name)
			if err != nil {
				return fail(cur.pathError("readlink", name, err))
			}
			if filepath.IsAbs(dest) {
				popTo(1)
			}
			todo = append(strings.Split(dest, "/"), todo...)
			continue
		}
		if !fi.IsDir() {
			return fail(cur.pathError("open", name, syscall.ENOTDIR))
		}
		next, err := cur.enter(name, fi)
		if err != nil {
			return fail(err)
		}
		stack = append(stack, next)
	}
	d := stack[len(stack)-1]
	stack = stack[:len(stack)-1]
	popTo(0)
	return d, nil
}

// openRoot opens /, checked as any directory on the way is.
func openRoot() (*dir, error) {
	r, err := os.OpenRoot("/")
	if err != nil {
		return nil, err
	}
	d := &dir{root: r, path: "/"}
	if d.info, err = r.Stat("."); err != nil {
		d.close()
		return nil, err
	}
	if err := d.checkShared(); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// enter opens the directory name in d, which fi (from Lstat) describes,
// and checks it. A name swapped for a link or another directory between
// the Lstat and the open is refused.
func (d *dir) enter(name string, fi fs.FileInfo) (*dir, error) {
	r, err := d.root.OpenRoot(name)
	if err != nil {
		return nil, d.pathError("open", name, err)
	}
	next := &dir{root: r, path: filepath.Join(d.path, name)}
	if next.info, err = r.Stat("."); err != nil {
		next.close()
		return nil, d.pathError("stat", name, err)
	}
	if !os.SameFile(fi, next.info) {
		next.close()
		return nil, &RefusedError{Path: next.path, Reason: "changed while it was being opened (another user may be swapping it); try again, or write elsewhere"}
	}
	if err := next.checkShared(); err != nil {
		next.close()
		return nil, err
	}
	return next, nil
}

// checkShared refuses d if every user may write in it and it is not sticky:
// anyone could then rename or replace what is in it.
func (d *dir) checkShared() error {
	if worldWritable(d.info) && d.info.Mode()&fs.ModeSticky == 0 {
		return &RefusedError{Path: d.path, Reason: fmt.Sprintf("is a directory every user may write in, and not sticky (mode %#o): another user could replace a file written there; write elsewhere, or make it sticky (chmod +t)", d.info.Mode().Perm())}
	}
	return nil
}

// checkLink refuses the symbolic link name in d, which fi describes, if
// another user may have planted it: in a world-writable directory, a link
// that belongs neither to the caller nor to the directory's owner.
func (d *dir) checkLink(name string, fi fs.FileInfo) error {
	if !worldWritable(d.info) {
		return nil
	}
	uid, ok := owner(fi)
	if dirUID, dirOK := owner(d.info); ok && (uid == os.Geteuid() || (dirOK && uid == dirUID)) {
		return nil
	}
	return &RefusedError{Path: filepath.Join(d.path, name), Reason: fmt.Sprintf("is a symbolic link that another user (uid %d) made in the world-writable directory %s, and such a link is followed only if it is yours or the directory owner's; give the path it leads to, if you trust it", uid, d.path)}
}

// checkOwner refuses the existing file fi in d, shown as path, if d is
// world-writable and the file belongs to another user, who may have
// planted it.
func (d *dir) checkOwner(path string, fi fs.FileInfo) error {
	if !worldWritable(d.info) {
		return nil
	}
	if uid, ok := owner(fi); !ok || uid != os.Geteuid() {
		return &RefusedError{Path: path, Reason: fmt.Sprintf("belongs to another user (uid %d) in the world-writable directory %s, who may have put it there; remove it, or write elsewhere", uid, d.path)}
	}
	return nil
}

// worldWritable reports whether every user may write in the directory fi.
func worldWritable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o002 != 0 }

// owner returns the user id fi belongs to.
func owner(fi fs.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1, false
	}
	return int(st.Uid), true
}
