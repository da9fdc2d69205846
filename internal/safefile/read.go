package safefile

import (
	"fmt"
	"io"
	"os"
)

// TooLargeError is [ReadBounded]'s error for a file over its limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Path, e.Limit)
}

// ReadBounded reads the regular file at path, refusing one larger than
// limit bytes without reading it all, and anything that is not a regular
// file (a FIFO, a device) without reading from it or waiting for a writer.
// It follows symbolic links. Its errors never hold the content.
func ReadBounded(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|readFlags, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &RefusedError{Path: path, Reason: "is " + kind(fi.Mode()) + ", not a regular file; give the path of a regular file"}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return b, nil
}
