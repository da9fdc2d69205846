package cmdutil

import (
	"strconv"
	"strings"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
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

// Width is the width the run's help is wrapped at: stdout's, when it is a
// terminal; else the COLUMNS environment variable, when it is a number;
// else [PipeWidth]. It is kept from [MinWidth] to [MaxWidth].
func (f *Factory) Width() int {
	w := PipeWidth
	if _, ok := f.Out.(interface{ Fd() uintptr }); ok {
		if cols, ok := text.TerminalWidth(f.Out); ok && cols > 0 {
			w = cols
		}
	} else if n, err := strconv.Atoi(strings.TrimSpace(f.Env("COLUMNS"))); err == nil && n > 0 {
		w = n
	}
	return min(max(w, MinWidth), MaxWidth)
}
