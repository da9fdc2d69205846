package cmdutil

import (
	"io"
	"strconv"
	"strings"
)

// Help and progress adapt to where they are written: a terminal gets text
// wrapped at its width and progress lines; a pipe or a file gets text
// wrapped at [PipeWidth] columns and no progress.

// PipeWidth is the width help is wrapped at when stdout is not a
// terminal, and COLUMNS does not say otherwise.
const PipeWidth = 80

// Width bounds: narrower than MinWidth nothing reads well; wider than
// MaxWidth lines are too long to read.
const (
	MinWidth = 40
	MaxWidth = 100
)

// fder is what an *os.File is for these checks: a stream with a file
// descriptor.
type fder interface{ Fd() uintptr }

// IsTerminal reports whether w (or r) is a terminal: an *os.File open on
// one. Buffers, pipes and files are not.
func IsTerminal(s any) bool {
	fd, ok := s.(fder)
	if !ok {
		return false
	}
	_, ok = termSize(fd.Fd())
	return ok
}

// Width is the width the run's help is wrapped at: stdout's, when it is a
// terminal; else the COLUMNS environment variable, when it is a number;
// else [PipeWidth]. It is kept from [MinWidth] to [MaxWidth].
func (f *Factory) Width() int {
	w := PipeWidth
	if fd, ok := f.Out.(fder); ok {
		if cols, ok := termSize(fd.Fd()); ok && cols > 0 {
			w = cols
		}
	} else if n, err := strconv.Atoi(strings.TrimSpace(f.Env("COLUMNS"))); err == nil && n > 0 {
		w = n
	}
	return min(max(w, MinWidth), MaxWidth)
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
