package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// Output formats: one vocabulary for every command's --output.
//
//   - text: the command's default, for people: the bare token for commands
//     that yield one (where it is also called token), a table or lines
//     otherwise (where table, its old name, is still accepted);
//   - json: one JSON object;
//   - env: export lines for a POSIX shell, that set or clear (unset) every
//     variable the command owns, where it applies;
//   - token: the bare token and a newline, for commands that yield one.
const (
	OutText  = "text"  // the human default
	OutToken = "token" // the bare token and a newline
	OutJSON  = "json"  // one JSON object
	OutEnv   = "env"   // export and unset lines for a POSIX shell
	// OutTable is text's old name, still accepted as -o table.
	OutTable = OutText
	// outTableAlias is the old name of text, still accepted.
	outTableAlias = "table"
)

// outputHelp describes a format in --output's help.
func outputHelp(format string) string {
	switch format {
	case OutText:
		return "text (for people)"
	case OutToken:
		return "token (the bare token; text is the same)"
	case OutEnv:
		return "env (export lines that set or unset every variable it owns)"
	}
	return format
}

// outputValue is --output's value: it takes the aliases of a format (table
// for text; text for token on a command that yields a token) as that
// format, so commands see one name.
type outputValue struct {
	dst     *string
	formats []string
	exact   bool // no aliases
}

func (o *outputValue) String() string { return *o.dst }
func (o *outputValue) Type() string   { return "string" }
func (o *outputValue) Set(s string) error {
	*o.dst = s
	if !o.exact {
		*o.dst = normalizeOutput(strings.ToLower(strings.TrimSpace(s)), o.formats)
	}
	if s == "" {
		*o.dst = "" // refused as an empty flag, naming it
	}
	return nil
}

// normalizeOutput maps an alias to the format of formats it stands for.
func normalizeOutput(s string, formats []string) string {
	has := func(f string) bool {
		for _, g := range formats {
			if g == f {
				return true
			}
		}
		return false
	}
	switch {
	case has(s):
		return s
	case s == outTableAlias && has(OutText):
		return OutText
	case s == OutText && has(OutToken):
		return OutToken
	}
	return s
}

// AddOutputFlag adds --output with the allowed formats, the first being the
// default, and registers their shell completion. Aliases (table for text,
// text for token) are taken as the format they stand for. A format not
// among them is refused before the command runs ([Factory.RunE]).
func AddOutputFlag(cmd *cobra.Command, dst *string, formats ...string) {
	addOutputFlag(cmd, dst, false, formats)
}

// AddOutputFlagExact is [AddOutputFlag] without aliases, for a command
// whose text output is not a table (mock's key=value lines).
func AddOutputFlagExact(cmd *cobra.Command, dst *string, formats ...string) {
	addOutputFlag(cmd, dst, true, formats)
}

func addOutputFlag(cmd *cobra.Command, dst *string, exact bool, formats []string) {
	*dst = formats[0]
	help := make([]string, len(formats))
	for i, f := range formats {
		help[i] = outputHelp(f)
	}
	usage := "output format: " + strings.Join(help, ", ")
	if formats[0] == OutText && !exact {
		usage += "; table is text's old name"
	}
	cmd.Flags().VarP(&outputValue{dst: dst, formats: formats, exact: exact}, "output", "o", usage)
	cmd.Flags().Lookup("output").DefValue = formats[0]
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// checkOutput refuses an --output, added by [AddOutputFlag], that is not
// one of the command's formats.
func checkOutput(cmd *cobra.Command) error {
	fl := cmd.Flags().Lookup("output")
	if fl == nil {
		return nil
	}
	o, ok := fl.Value.(*outputValue)
	if !ok || slices.Contains(o.formats, *o.dst) {
		return nil
	}
	return Usagef("unknown --output %q; use one of %s", text.Clip(*o.dst), strings.Join(o.formats, ", "))
}

// TokenOutput is what a command that yields a token reports; its JSON form
// is the json output format.
type TokenOutput struct {
	Token      string `json:"token"`
	Type       string `json:"type"`
	Expiry     string `json:"expiry,omitempty"` // RFC 3339, UTC
	GatewayURL string `json:"gateway_url,omitempty"`
	Identity   string `json:"identity"`
	// RefreshToken is printed only when the user asks for it.
	RefreshToken string `json:"refresh_token,omitempty"`
	// EnvVar is the variable the env format exports the token as;
	// "TRIBE_TOKEN" if empty.
	EnvVar string `json:"-"`
	// RefreshEnvVar is the variable the env format exports the refresh
	// token as; "TRIBE_REFRESH_TOKEN" if empty.
	RefreshEnvVar string `json:"-"`
}

// refreshEnvVar is the variable the refresh token is exported as.
func (t TokenOutput) refreshEnvVar() string {
	if t.RefreshEnvVar != "" {
		return t.RefreshEnvVar
	}
	return "TRIBE_REFRESH_TOKEN"
}

// NewTokenOutput describes tok, minted for identity.
func NewTokenOutput(tok *oauth2.Token, identity string) TokenOutput {
	typ := tok.Type()
	return TokenOutput{
		Token:      tok.AccessToken,
		Type:       typ,
		Expiry:     text.RFC3339(tok.Expiry),
		GatewayURL: tribe.GatewayURL(tok),
		Identity:   identity,
	}
}

// WriteToken prints a token in the chosen format. The token and env formats
// print values bare (in the env format, shell-quoted), so a value that is not
// printable ASCII is refused rather than printed: see [checkPrintable].
func WriteToken(w io.Writer, format string, t TokenOutput) error {
	if format == OutToken || format == OutEnv {
		if err := checkPrintable(t); err != nil {
			return err
		}
	}
	switch format {
	case OutToken:
		_, err := fmt.Fprintln(w, t.Token)
		return err
	case OutJSON:
		return WriteJSON(w, t)
	case OutEnv:
		name := t.EnvVar
		if name == "" {
			name = "TRIBE_TOKEN"
		}
		// Every variable the output owns is set or cleared, so that
		// sourcing it leaves nothing of an earlier token: its expiry, its
		// gateway. The refresh token is left alone unless printed: it may
		// be the only copy of one still valid.
		var b strings.Builder
		var unset []string
		fmt.Fprintf(&b, "export %s=%s\n", name, text.ShellQuote(t.Token))
		if t.Expiry != "" {
			fmt.Fprintf(&b, "export %s_EXPIRY=%s\n", name, text.ShellQuote(t.Expiry))
		} else {
			unset = append(unset, name+"_EXPIRY")
		}
		if name == "TRIBE_TOKEN" {
			// TRIBE_GATEWAY_FOR ties the gateway to this token: see
			// [EndpointFlags.ResolveForToken].
			if t.GatewayURL != "" {
				fmt.Fprintf(&b, "export TRIBE_GATEWAY_URL=%s\n", text.ShellQuote(t.GatewayURL))
				fmt.Fprintf(&b, "export TRIBE_GATEWAY_FOR=%s\n", text.ShellQuote(GatewayFingerprint(t.Token)))
			} else {
				unset = append(unset, "TRIBE_GATEWAY_URL", "TRIBE_GATEWAY_FOR")
			}
		}
		if t.RefreshToken != "" {
			fmt.Fprintf(&b, "export %s=%s\n", t.refreshEnvVar(), text.ShellQuote(t.RefreshToken))
		}
		if len(unset) > 0 {
			fmt.Fprintf(&b, "unset %s\n", strings.Join(unset, " "))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	return Usagef("unknown --output %q", text.Clip(format))
}

// checkPrintable refuses a token output whose access token, refresh token or
// gateway URL (all from the server) has a character that is not printable
// ASCII. Tokens are made of such characters only (RFC 6749 appendix A.12 and
// A.17, VSCHAR), and URLs too (RFC 3986); anything else could be a terminal
// escape sequence. The JSON format shows such a value escaped.
func checkPrintable(t TokenOutput) error {
	for _, f := range []struct{ what, v string }{
		{"access token", t.Token},
		{"refresh token", t.RefreshToken},
		{"gateway URL", t.GatewayURL},
		{"expiry", t.Expiry},
	} {
		for i := 0; i < len(f.v); i++ {
			if c := f.v[i]; c < 0x20 || c > 0x7e {
				return fmt.Errorf("the server's %s has a character that is not printable ASCII (byte %d of it), which no token or URL has and a terminal could take as a command; it is not printed: use --output json to see it escaped", f.what, i+1)
			}
		}
	}
	return nil
}

// WriteUnsaved prints a token whose new refresh token could not be saved to
// where, with that refresh token (for the token output, on a line of its own
// after the access token), and returns the error that says so: the old
// refresh token is spent, so the printed one is the only copy.
func (f *Factory) WriteUnsaved(format string, out TokenOutput, refresh, where string, saveErr error) error {
	out.RefreshToken = refresh
	f.AddSecret(out.Token, refresh)
	if err := WriteToken(f.Out, format, out); err != nil {
		return fmt.Errorf("the new refresh token was NOT saved to %s (%w), and printing it failed too: %w", where, saveErr, err)
	}
	how := "on stdout (the refresh_token field)"
	switch format {
	case OutToken:
		if _, err := fmt.Fprintln(f.Out, refresh); err != nil {
			return fmt.Errorf("the new refresh token was NOT saved to %s (%w), and printing it failed too: %w", where, saveErr, err)
		}
		how = "on stdout, on the line after the access token"
	case OutEnv:
		how = "on stdout, as " + out.refreshEnvVar()
	}
	return fmt.Errorf("the new refresh token was NOT saved to %s (%w); it is printed %s: keep it, as the old one no longer works", where, saveErr, how)
}

// WriteJSON prints v as indented JSON and a newline. Control and
// bidirectional characters in strings are escaped (see [text.InertJSON]), so the
// output is as harmless on a terminal as the tables are.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(text.InertJSON(buf.Bytes()))
	return err
}
