package text

import "io"

// fder is what an *os.File is for these checks: a stream with a file
// descriptor.
type fder interface{ Fd() uintptr }

// IsTerminal reports whether w (or r) is a terminal: an *os.File open on
// one. Buffers, pipes and files are not.
func IsTerminal(s any) bool {
	_, ok := TerminalWidth(s)
	return ok
}

// TerminalWidth returns the columns of the terminal s (an *os.File) is
// open on; ok is false when s is not a terminal.
func TerminalWidth(s any) (cols int, ok bool) {
	fd, ok := s.(fder)
	if !ok {
		return 0, false
	}
	return termSize(fd.Fd())
}

// Foreground reports whether the process runs in the foreground of the
// terminal r is open on, where Ctrl-C reaches it: false for a job started
// in the background (cmd &), and when r is not a terminal (a pipe, a file,
// /dev/null, as a script or a test harness starts a process).
func Foreground(r io.Reader) bool {
	fd, ok := r.(fder)
	if !ok {
		return false
	}
	return foreground(fd.Fd())
}
