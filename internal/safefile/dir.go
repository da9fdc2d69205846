package safefile

import (
	"io/fs"
	"os"
)

// dir is a directory held open to write one file in. Every later step names
// the file relative to it, so a directory on the way renamed or replaced
// after it was checked does not change where the file goes.
type dir struct {
	root *os.Root
	path string      // the path it was reached by, for messages
	info fs.FileInfo // the directory's own
}

// close releases d.
func (d *dir) close() { _ = d.root.Close() }
