//go:build !(linux || darwin || freebsd)

package text

// termSize reports no terminal where the ioctls are not used: help is
// wrapped at PipeWidth (or COLUMNS) there.
func termSize(uintptr) (cols int, ok bool) { return 0, false }

// foreground reports false where it cannot be told: the hints that depend
// on it then name a way that works from anywhere.
func foreground(uintptr) bool { return false }
