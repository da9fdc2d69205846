package text

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table prints aligned "key  value" rows, skipping empty values. Keys and
// values may come from a server or a token: they are printed [Inert].
type Table struct{ rows [][2]string }

// Add appends a row if value is not empty.
func (t *Table) Add(key, value string) {
	if value != "" {
		t.rows = append(t.rows, [2]string{key, value})
	}
}

// Write prints the table.
func (t *Table) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\n", Inert(r[0]), Inert(r[1]))
	}
	return tw.Flush()
}

// ShellQuote quotes s for a POSIX shell: in single quotes, with each single
// quote in s written as a quote that ends the quoting, an escaped quote and a
// quote that starts it again:
//
//	it's  ->  'it'\''s'
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
