package cmdutil

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help is laid out as cobra lays it out (the long text, Usage, Examples,
// Available Commands, Flags, Global Flags), wrapped at [Factory.Width]:
// paragraphs and list items of the long text are reflowed, flag and command
// descriptions wrap under their own column, and an example line too long
// for the width is continued on the next line with a backslash, outside
// quotes, so it still pastes as one command.

// maxNameColumn is the widest flag or command name column; a longer name
// gets its description on the next line.
const maxNameColumn = 32

// helpFunc prints cmd's help on its stdout: the long description (or the
// short one), then the usage. Set it on the root command with
// cobra.Command.SetHelpFunc; subcommands inherit it.
func (f *Factory) helpFunc(cmd *cobra.Command, _ []string) {
	w := cmd.OutOrStdout()
	text := strings.TrimRight(cmd.Long, " \t\n")
	if text == "" {
		text = strings.TrimRight(cmd.Short, " \t\n")
	}
	if text != "" {
		fmt.Fprintln(w, Reflow(text, f.Width()))
		fmt.Fprintln(w)
	}
	if cmd.Runnable() || cmd.HasSubCommands() {
		_ = f.usageFunc(cmd)
	}
}

// usageFunc prints cmd's usage on its stdout, wrapped at [Factory.Width].
// Set it on the root command with cobra.Command.SetUsageFunc.
func (f *Factory) usageFunc(cmd *cobra.Command) error {
	width := f.Width()
	var b strings.Builder
	b.WriteString("Usage:")
	if cmd.Runnable() {
		b.WriteString("\n" + wrapExample("  "+cmd.UseLine(), width))
	}
	if cmd.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\n  %s [command]", cmd.CommandPath())
	}
	if len(cmd.Aliases) > 0 {
		fmt.Fprintf(&b, "\n\nAliases:\n  %s", cmd.NameAndAliases())
	}
	if cmd.HasExample() {
		b.WriteString("\n\nExamples:\n")
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(cmd.Example, "\n"), "\n") {
			lines = append(lines, wrapExample(l, width))
		}
		b.WriteString(strings.Join(lines, "\n"))
	}
	if cmd.HasAvailableSubCommands() {
		var rows [][2]string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() || c.Name() == "help" {
				rows = append(rows, [2]string{c.Name(), c.Short})
			}
		}
		b.WriteString("\n\nAvailable Commands:\n" + columns(rows, width))
	}
	if cmd.HasAvailableLocalFlags() {
		b.WriteString("\n\nFlags:\n" + flagColumns(cmd.LocalFlags(), width))
	}
	if cmd.HasAvailableInheritedFlags() {
		b.WriteString("\n\nGlobal Flags:\n" + flagColumns(cmd.InheritedFlags(), width))
	}
	if cmd.HasHelpSubCommands() {
		var rows [][2]string
		for _, c := range cmd.Commands() {
			if c.IsAdditionalHelpTopicCommand() {
				rows = append(rows, [2]string{c.CommandPath(), c.Short})
			}
		}
		b.WriteString("\n\nAdditional help topics:\n" + columns(rows, width))
	}
	if cmd.HasAvailableSubCommands() {
		more := fmt.Sprintf("Use \"%s [command] --help\" for more information about a command.", cmd.CommandPath())
		b.WriteString("\n\n" + strings.Join(wrapWords(more, width), "\n"))
	}
	b.WriteString("\n")
	_, err := io.WriteString(cmd.OutOrStdout(), b.String())
	return err
}

// columns lays out names and their descriptions in two columns, each
// description wrapped under its own column.
func columns(rows [][2]string, width int) string {
	names := make([]string, len(rows))
	descs := make([]string, len(rows))
	for i, r := range rows {
		names[i], descs[i] = "  "+r[0], r[1]
	}
	return twoColumns(names, descs, width)
}

// flagColumns lays out a flag set as pflag does ("  -o, --output string",
// the usage, the default), wrapped at width.
func flagColumns(fs *pflag.FlagSet, width int) string {
	var names, descs []string
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		name := "      --" + fl.Name
		if fl.Shorthand != "" && fl.ShorthandDeprecated == "" {
			name = "  -" + fl.Shorthand + ", --" + fl.Name
		}
		varname, usage := pflag.UnquoteUsage(fl)
		if varname != "" {
			name += " " + varname
		}
		if fl.NoOptDefVal != "" && fl.Value.Type() != "bool" {
			name += "[=" + fl.NoOptDefVal + "]"
		}
		if !zeroDefault(fl) {
			if fl.Value.Type() == "string" {
				usage += fmt.Sprintf(" (default %q)", fl.DefValue)
			} else {
				usage += fmt.Sprintf(" (default %s)", fl.DefValue)
			}
		}
		if fl.Deprecated != "" {
			usage += " (DEPRECATED: " + fl.Deprecated + ")"
		}
		names = append(names, name)
		descs = append(descs, usage)
	})
	return twoColumns(names, descs, width)
}

// zeroDefault reports whether a flag's default is its type's zero value,
// which help does not show.
func zeroDefault(fl *pflag.Flag) bool {
	switch fl.DefValue {
	case "", "false", "0", "0s", "[]", "<nil>":
		return true
	}
	return false
}

// twoColumns writes each name, then its description in a column after the
// longest name that fits [maxNameColumn], wrapped at width; a longer name
// has its description start on the next line, in that column.
func twoColumns(names, descs []string, width int) string {
	col := 0
	for _, n := range names {
		if l := len(n) + 3; l <= maxNameColumn && l > col {
			col = l
		}
	}
	if col == 0 {
		col = maxNameColumn
	}
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		pad := strings.Repeat(" ", col)
		lines := wrapWords(descs[i], width-col)
		first := n + strings.Repeat(" ", max(col-len(n), 0))
		if len(n)+3 > col {
			first = n + "\n" + pad
		}
		b.WriteString(first + strings.Join(lines, "\n"+pad))
	}
	return b.String()
}

// wrapWords breaks s into lines of at most width columns at spaces; a word
// longer than width stands alone on its line.
func wrapWords(s string, width int) []string {
	width = max(width, 20)
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// Reflow wraps a command's long text at width: a paragraph (lines that
// start in the first column) is refilled, a list item ("- " or "  - ", with
// its continuation lines indented under its text) is refilled under its
// text; an indented term followed by two spaces or more and a description
// has the description refilled in its column (continuation lines start in
// that column); other indented lines, such as a command, are kept as
// written.
func Reflow(text string, width int) string {
	lines := strings.Split(text, "\n")
	var out []string
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "":
			out = append(out, "")
			i++
		case itemPrefix(line) != "":
			prefix := itemPrefix(line)
			words := []string{strings.TrimSpace(line[len(prefix):])}
			i++
			for i < len(lines) && itemPrefix(lines[i]) == "" && indentOf(lines[i]) >= len(prefix) && strings.TrimSpace(lines[i]) != "" {
				words = append(words, strings.TrimSpace(lines[i]))
				i++
			}
			hang := strings.Repeat(" ", len(prefix))
			for j, l := range wrapWords(strings.Join(words, " "), width-len(prefix)) {
				if j == 0 {
					out = append(out, prefix+l)
				} else {
					out = append(out, hang+l)
				}
			}
		case termColumn(line) > 0 && termColumn(line) <= width-20:
			col := termColumn(line)
			words := []string{line[col:]}
			i++
			for i < len(lines) && indentOf(lines[i]) == col {
				words = append(words, strings.TrimSpace(lines[i]))
				i++
			}
			hang := strings.Repeat(" ", col)
			for j, l := range wrapWords(strings.Join(words, " "), width-col) {
				if j == 0 {
					out = append(out, line[:col]+l)
				} else {
					out = append(out, hang+l)
				}
			}
		case indentOf(line) == 0:
			words := []string{line}
			i++
			for i < len(lines) && indentOf(lines[i]) == 0 && strings.TrimSpace(lines[i]) != "" && itemPrefix(lines[i]) == "" {
				words = append(words, lines[i])
				i++
			}
			out = append(out, wrapWords(strings.Join(words, " "), width)...)
		default:
			out = append(out, line)
			i++
		}
	}
	return strings.Join(out, "\n")
}

// termColumn is where the description of a definition line starts: an
// indented term, two spaces or more, and the description (as in
// "  TRIBE_TOKEN     access token for ..."); 0 for another line.
func termColumn(line string) int {
	n := indentOf(line)
	if n == 0 {
		return 0
	}
	gap := strings.Index(line[n:], "  ")
	if gap <= 0 {
		return 0
	}
	col := n + gap
	for col < len(line) && line[col] == ' ' {
		col++
	}
	if col == len(line) {
		return 0
	}
	return col
}

// itemPrefix is the bullet of a list item line ("- ", "  - "), or "".
func itemPrefix(line string) string {
	n := indentOf(line)
	if strings.HasPrefix(line[n:], "- ") {
		return line[:n+2]
	}
	return ""
}

// indentOf is the number of leading spaces of line.
func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// wrapExample breaks an example command line longer than width at spaces
// outside quotes, ending each broken line with " \" (a shell line
// continuation) and indenting the rest, so that it still pastes as one
// command. A comment line ("  # ...") is wrapped as comment lines. A line
// that cannot be broken is kept whole.
func wrapExample(line string, width int) string {
	if len(line) <= width {
		return line
	}
	indent := strings.Repeat(" ", indentOf(line))
	if rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "# "); ok {
		var out []string
		for _, l := range wrapWords(rest, width-len(indent)-2) {
			out = append(out, indent+"# "+l)
		}
		return strings.Join(out, "\n")
	}
	cont := indent + "    "
	var out []string
	for len(line) > width {
		cut := breakPoint(line, width-2) // room for " \"
		if cut <= len(strings.TrimRight(cont, " ")) || cut <= indentOf(line) {
			break
		}
		out = append(out, line[:cut]+" \\")
		line = cont + strings.TrimLeft(line[cut:], " ")
	}
	out = append(out, line)
	return strings.Join(out, "\n")
}

// breakPoint is the last space of line before limit that is outside
// single and double quotes, where a shell takes backslash-newline as a
// line continuation; else the first such space after limit, so that a
// word too long for a line has one of its own; else -1.
func breakPoint(line string, limit int) int {
	cut := -1
	var quote byte
	for i := 0; i < len(line) && (i <= limit || cut < 0); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' {
				i++
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '\\':
			i++
		case c == ' ' && i > 0 && line[i-1] != ' ':
			cut = i
		}
	}
	return cut
}
