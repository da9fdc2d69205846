package cmdutil

import (
	"strconv"
	"strings"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// Help and progress adapt to where they are written: a terminal gets text
// wrapped at its width and progress lines; a pipe or a file gets text
// wrapped at pipeWidth columns and no progress.

// pipeWidth is the width help is wrapped at when stdout is not a
// terminal, and COLUMNS does not say otherwise.
const pipeWidth = 80

// Width bounds: narrower than minWidth nothing reads well; wider than
// maxWidth lines are too long to read.
const (
	minWidth = 40
	maxWidth = 100
)

// Width is the width the run's help is wrapped at: stdout's, when it is a
// terminal; else the COLUMNS environment variable, when it is a number;
// else pipeWidth. It is kept from minWidth to maxWidth.
func (f *Factory) Width() int {
	w := pipeWidth
	if _, ok := f.Out.(interface{ Fd() uintptr }); ok {
		if cols, ok := text.TerminalWidth(f.Out); ok && cols > 0 {
			w = cols
		}
	} else if n, err := strconv.Atoi(strings.TrimSpace(f.Env("COLUMNS"))); err == nil && n > 0 {
		w = n
	}
	return min(max(w, minWidth), maxWidth)
}
