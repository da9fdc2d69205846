package api

import (
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// progress shows how far --paginate has gone, on stderr, when stderr is a
// terminal: one line, "tribe-token: page 3 of members, 150 items",
// written again in place after each page, and cleared before anything
// else is written to the terminal (a line on stderr, or the answer on
// stdout). When stderr is not a terminal (a pipe, a file, a script's
// capture) there is none: a nil *progress does nothing.
type progress struct {
	w     io.Writer
	shown bool
}

// show writes the line for pages pages and items items of the connection
// at path, over the last one.
func (p *progress) show(pages, items int, path jsonPath) {
	if p == nil {
		return
	}
	// \r goes back to the line's start, ESC [ K (ECMA-48 EL) clears what
	// a longer line left.
	fmt.Fprintf(p.w, "\r%s: page %d of %s, %d items\x1b[K", cmdutil.ProgName, pages, text.Inert(path.String()), items)
	p.shown = true
}

// clear removes the line, if one is shown.
func (p *progress) clear() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	p.shown = false
}

// countElements returns how many elements the JSON array text holds; 0
// for nil or what is not an array.
func countElements(array []byte) int {
	if len(array) == 0 {
		return 0
	}
	dec := newDecoder(array)
	if dec.PeekKind() != '[' {
		return 0
	}
	if _, err := dec.ReadToken(); err != nil {
		return 0
	}
	n := 0
	for dec.PeekKind() != ']' && dec.PeekKind() != jsontext.KindInvalid {
		if err := dec.SkipValue(); err != nil {
			return n
		}
		n++
	}
	return n
}
