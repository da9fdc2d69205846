package cmdutil

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// maxSecretFile bounds what is read from a secret file or stdin.
const maxSecretFile = 1 << 20

// SecretSpec says where a secret may come from.
type SecretSpec struct {
	What    string // e.g. "client secret"
	EnvVar  string // e.g. "TRIBE_CLIENT_SECRET"
	FileArg string // the flag naming a file, e.g. "client-secret-file"
	File    string // that flag's value: a path, "-" for stdin, or ""
}

// Source names where the secret was read from: the file flag if set, else
// the environment variable.
func (s SecretSpec) Source() string {
	if s.File != "" || s.EnvVar == "" {
		return "--" + s.FileArg
	}
	return s.EnvVar
}

// Secret reads a secret from its file flag (a path, or "-" for stdin) if
// set, else from its environment variable. One trailing newline is trimmed
// from a file. A missing secret is a [UsageError] naming both ways to give
// it. The value is remembered so that no error line shows it.
func (f *Factory) Secret(s SecretSpec) (string, error) {
	v, ok, err := f.OptionalSecret(s)
	if err != nil {
		return "", err
	}
	if !ok {
		if s.EnvVar == "" {
			return "", Usagef("no %s; pass --%s FILE (- for stdin)", s.What, s.FileArg)
		}
		// "no password: set" would read as a credential to redact.
		return "", Usagef("no %s; set %s, or pass --%s FILE (- for stdin)", s.What, s.EnvVar, s.FileArg)
	}
	return v, nil
}

// OptionalSecret is [Factory.Secret] for a secret that may be absent.
func (f *Factory) OptionalSecret(s SecretSpec) (string, bool, error) {
	var v string
	if s.File != "" {
		b, err := f.ReadInput(s.File, s.What)
		if err != nil {
			return "", false, err
		}
		v = trimNewline(string(b))
		if v == "" {
			return "", false, Usagef("the %s file %s is empty", s.What, DisplayPath(s.File))
		}
	} else if s.EnvVar != "" {
		v = f.Env(s.EnvVar)
		if v == "" {
			return "", false, nil
		}
	}
	if v == "" {
		return "", false, nil
	}
	f.AddSecret(v)
	return v, true, nil
}

// CheckBare refuses a credential (a client id or secret, a refresh token)
// with spaces or control characters in it, such as a stray newline, naming
// where it came from. Passwords may hold spaces: they are not checked.
func CheckBare(what, source, v string) error {
	if strings.ContainsAny(v, " \t") || HasControl(v) {
		return Usagef("the %s from %s has spaces or control characters in it (a stray newline?); give it bare", what, source)
	}
	return nil
}

// CheckID refuses an id given with a flag that has spaces or control
// characters in it.
func CheckID(flag, v string) error {
	if v != "" && (strings.ContainsAny(v, " \t") || HasControl(v)) {
		return Usagef("%s %q has spaces or control characters in it; give the bare id", flag, text.Clip(v))
	}
	return nil
}

// HasControl reports whether s has an ASCII control character.
func HasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// ReadInput reads a whole file, or stdin for "-" (only once per run), for
// the input named what. Its errors never contain what was read.
func (f *Factory) ReadInput(path, what string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		f.mu.Lock()
		used := f.stdinUsed
		if used == "" {
			f.stdinUsed = what
		}
		f.mu.Unlock()
		if used != "" {
			return nil, Usagef("only one input can come from stdin (-), and it is already the %s; put the %s in a file", used, what)
		}
		r = f.In
		if r == nil {
			r = strings.NewReader("")
		}
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, Usagef("reading the %s: %w", what, err)
		}
		defer file.Close()
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSecretFile+1))
	if err != nil {
		return nil, Usagef("reading the %s from %s: %w", what, DisplayPath(path), err)
	}
	if len(b) > maxSecretFile {
		return nil, Usagef("the %s in %s is larger than %d bytes; is it the right file?", what, DisplayPath(path), maxSecretFile)
	}
	return b, nil
}

// DisplayPath names a file argument in messages.
func DisplayPath(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// trimNewline removes one trailing "\n" or "\r\n".
func trimNewline(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// AppFlags are the flags that give a Tribe app's credentials:
// --client-id and --client-secret-file.
type AppFlags struct {
	ClientID   string
	SecretFile string

	// Where the credentials came from, once AppFlags.credentialsFor read
	// them: a flag, a variable, or "the URL of --endpoint".
	idSource, secretSource string
}

// Add registers --client-id and --client-secret-file on cmd.
func (a *AppFlags) Add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&a.ClientID, "client-id", "", "app's client id (default $TRIBE_CLIENT_ID)")
	cmd.Flags().StringVar(&a.SecretFile, "client-secret-file", "", "read the app's client secret from `FILE` (- for stdin; default $TRIBE_CLIENT_SECRET)")
}

// Credentials returns the client id and secret from the flags and the
// environment, refusing a missing one or one with spaces or control
// characters in it, naming the flag or variable it came from. Every missing
// one is named in one message.
func (a *AppFlags) Credentials(f *Factory) (id, secret string, err error) {
	var m Missing
	id, secret, err = a.credentialsFor(f, Endpoint{}, &m)
	if err != nil {
		return "", "", err
	}
	if err := m.Err(""); err != nil {
		return "", "", err
	}
	return id, secret, nil
}

// credentialsFor is [AppFlags.Credentials] for an app whose endpoint may
// carry its credentials in its userinfo (https://ID:SECRET@host/graphql,
// the form Tribe's docs show): they are used when the flags and the
// environment give none, and refused when those give others. The secret in
// the URL is a secret of the run. What is missing is added to m, for the
// caller to report with whatever else is missing; id or secret is then "".
func (a *AppFlags) credentialsFor(f *Factory, ep Endpoint, m *Missing) (id, secret string, err error) {
	id, source := a.ClientID, "--client-id"
	if id == "" {
		id, source = f.Env("TRIBE_CLIENT_ID"), "TRIBE_CLIENT_ID"
	}
	spec := SecretSpec{What: "client secret", EnvVar: "TRIBE_CLIENT_SECRET", FileArg: "client-secret-file", File: a.SecretFile}
	secret, _, err = f.OptionalSecret(spec)
	if err != nil {
		return "", "", err
	}
	secretSource := spec.Source()
	if u, perr := url.Parse(strings.TrimSpace(ep.URL)); perr == nil && u.User != nil {
		user := u.User.Username()
		pass, hasPass := u.User.Password()
		if hasPass {
			f.AddSecret(pass)
		}
		switch {
		case id != "" && user != "" && id != user:
			return "", "", Usagef("the client id from %s and the one in the URL of %s differ; give the app's credentials once", source, ep.Source)
		case secret != "" && hasPass && secret != pass:
			return "", "", Usagef("the client secret from %s and the one in the URL of %s differ; give the app's credentials once", spec.Source(), ep.Source)
		}
		if id == "" && user != "" {
			id, source = user, "the URL of "+ep.Source
		}
		if secret == "" && hasPass && pass != "" {
			secret, secretSource = pass, "the URL of "+ep.Source
		}
	}
	if id == "" {
		m.Add("TRIBE_CLIENT_ID (or --client-id)", "client id")
	} else {
		if err := CheckBare("client id", source, id); err != nil {
			return "", "", err
		}
		if strings.Contains(id, ":") {
			return "", "", Usagef("the client id from %s has a colon in it, which HTTP Basic auth cannot carry (RFC 7617); give the client id alone, without the secret", source)
		}
	}
	if secret == "" {
		m.Add("TRIBE_CLIENT_SECRET (or --client-secret-file)", "client secret")
	} else if err := CheckBare("client secret", secretSource, secret); err != nil {
		return "", "", err
	}
	// Where they came from, for AppFlags.explainRefused: the URL as shown
	// in messages, without its userinfo.
	a.idSource, a.secretSource = source, secretSource
	if strings.HasPrefix(source, "the URL of ") {
		a.idSource = "the URL of " + ep.describe()
	}
	if strings.HasPrefix(secretSource, "the URL of ") {
		a.secretSource = "the URL of " + ep.describe()
	}
	if secretSource == "--client-secret-file" {
		a.secretSource += " " + DisplayPath(a.SecretFile)
	}
	return id, secret, nil
}

// explainRefused explains a failure that refused the app's credentials (HTTP 401,
// [tribe.ErrUnauthorized]): which credentials, and where they came from,
// as AppFlags.credentialsFor read them. Other errors are returned as
// they are. The explanation is complete: [Endpoint.Explain] adds no hint
// about a stale endpoint to it.
func (a *AppFlags) explainRefused(err error) error {
	if err == nil || !errors.Is(err, tribe.ErrUnauthorized) {
		return err
	}
	const inURL = "the URL of "
	var hint string
	switch {
	case a == nil || a.idSource == "" || a.secretSource == "":
		hint = "the app's credentials were refused; check the client id and secret (TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET, or --client-id and --client-secret-file)"
	case a.idSource == a.secretSource && strings.HasPrefix(a.idSource, inURL):
		hint = "the client id and secret in " + a.idSource + " were refused; check the credentials in that URL"
	case strings.HasPrefix(a.secretSource, inURL):
		hint = "the client secret in " + a.secretSource + " was refused, with the client id from " + a.idSource + "; check them"
	case strings.HasPrefix(a.idSource, inURL):
		hint = "the client id in " + a.idSource + " was refused, with the client secret from " + a.secretSource + "; check them"
	default:
		hint = "the app's credentials were refused; check the client id and secret (from " + a.idSource + " / " + a.secretSource + ")"
	}
	return &refused{hinted{err: err, hint: hint}}
}

// refused is an error explained by AppFlags.explainRefused.
type refused struct{ hinted }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (r *refused) Unwrap() error { return r.err }

// TokenFlag is --token-file, whose default is an environment variable.
type TokenFlag struct{ File string }

// Add registers --token-file on cmd.
func (t *TokenFlag) Add(cmd *cobra.Command, envVar string) {
	cmd.Flags().StringVar(&t.File, "token-file", "", "read the access token from `FILE` (- for stdin; default $"+envVar+")")
}

// Token reads the token and checks that it looks like one.
func (t *TokenFlag) Token(f *Factory, envVar string) (string, error) {
	tok, err := f.Secret(SecretSpec{What: "access token", EnvVar: envVar, FileArg: "token-file", File: t.File})
	if err != nil {
		return "", err
	}
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(strings.ToLower(tok), "bearer ") {
		tok = strings.TrimSpace(tok[len("bearer "):])
	}
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") || HasControl(tok) {
		return "", Usagef("malformed access token: it has spaces or control characters in it; give the bare token")
	}
	return tok, nil
}

// SecretTokens returns ts with each token it hands out made a secret of
// the run, so that no line shows it. It is still an invalidating source.
func (f *Factory) SecretTokens(ts tribe.InvalidatingTokenSource) tribe.InvalidatingTokenSource {
	return secretSource{ts: ts, f: f}
}

// secretSource is [Factory.SecretTokens]'s source.
type secretSource struct {
	ts tribe.InvalidatingTokenSource
	f  *Factory
}

func (s secretSource) note(tok *oauth2.Token) *oauth2.Token {
	if tok != nil {
		s.f.AddSecret(tok.AccessToken)
	}
	return tok
}

// Token implements oauth2.TokenSource.
func (s secretSource) Token() (*oauth2.Token, error) {
	tok, err := s.ts.Token()
	return s.note(tok), err
}

// TokenContext implements tribe.InvalidatingTokenSource.
func (s secretSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	tok, err := s.ts.TokenContext(ctx)
	return s.note(tok), err
}

// Invalidate implements tribe.InvalidatingTokenSource.
func (s secretSource) Invalidate(ctx context.Context, tok *oauth2.Token) { s.ts.Invalidate(ctx, tok) }
