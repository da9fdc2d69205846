// Package sign is "tribe-token jwt sign": a JWT with the claims Tribe's JWT
// passthrough reads, signed with an HS256 secret or an RSA or EC key.
package sign

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/passthrough"
)

// minHS256Secret is the shortest HS256 secret: as many bytes as the hash's
// output (RFC 7518 section 3.2), what passthrough.Signer requires.
const minHS256Secret = 32

// Options are jwt sign's inputs.
type Options struct {
	Factory *cmdutil.Factory

	SecretFile string
	KeyFile    string
	KeyID      string
	Subject    string
	Name       string
	Email      string
	TTL        time.Duration
	Output     string
}

// NewCmdSign builds "jwt sign". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdSign(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "sign (--hs256-secret-file FILE | --private-key-file PEM) --sub ID --name NAME --email ADDR",
		Short:      "Sign a JWT Tribe's passthrough accepts",
		SuggestFor: []string{"issue", "mint", "new", "create"},
		Long: `Sign a JWT with the claims Tribe's JWT passthrough reads (sub, name, email,
iat, exp), with an HS256 secret or an RSA or EC private key (RS256, ES256/384/512).
Configure the same secret, or the public key, on the community.

The key comes from a file only (- for stdin), never from a flag value. An HS256
secret must be at least 32 bytes; one trailing newline is trimmed. Make the
secret file private to you, e.g.:

  (umask 077; head -c 32 /dev/urandom | base64 > jwt-secret.txt)`,
		Example: `  (umask 077; head -c 32 /dev/urandom | base64 > jwt-secret.txt)
  tribe-token jwt sign --hs256-secret-file jwt-secret.txt --sub u-42 --name "Ada L" --email ada@example.com
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem)
  tribe-token jwt sign --private-key-file key.pem --sub u-42 --name Ada --email ada@example.com --ttl 5m -o json`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.RunLocal(f, opts, opts.validate, runF, signRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.SecretFile, "hs256-secret-file", "", "sign with the HS256 secret in `FILE` (- for stdin)")
	fl.StringVar(&opts.KeyFile, "private-key-file", "", "sign with the RSA or EC private key in PEM `FILE` (- for stdin)")
	fl.StringVar(&opts.KeyID, "kid", "", "kid header with --private-key-file (default: the key's RFC 7638 thumbprint)")
	fl.StringVar(&opts.Subject, "sub", "", "the user's id in your product (sub claim); required")
	fl.StringVar(&opts.Name, "name", "", "the user's display name (name claim); required")
	fl.StringVar(&opts.Email, "email", "", "the user's email address (email claim); required")
	fl.DurationVar(&opts.TTL, "ttl", passthrough.DefaultLifetime, "how long the JWT is valid")
	_ = cmd.MarkFlagRequired("sub")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("email")
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutToken, cmdutil.OutJSON, cmdutil.OutEnv)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	switch {
	case o.SecretFile != "" && o.KeyFile != "":
		return cmdutil.Usagef("--hs256-secret-file and --private-key-file both give the key; give one of them")
	case o.SecretFile != "" && o.KeyID != "":
		return cmdutil.Usagef("--kid goes with --private-key-file; HS256 tokens carry no kid")
	case o.SecretFile == "" && o.KeyFile == "":
		return cmdutil.Usagef("no signing key: pass --hs256-secret-file FILE or --private-key-file PEM (- for stdin)")
	}
	switch {
	case o.TTL < 0:
		return cmdutil.Usagef("--ttl %s is negative; give how long the JWT stays valid, e.g. 60s", o.TTL)
	case o.TTL > 0 && o.TTL < 2*time.Second:
		return cmdutil.Usagef("--ttl %s is under two seconds; give how long the JWT stays valid, e.g. 60s", o.TTL)
	}
	var missing []string
	for _, c := range []struct{ flag, v string }{{"--sub", o.Subject}, {"--name", o.Name}, {"--email", o.Email}} {
		if strings.TrimSpace(c.v) == "" {
			missing = append(missing, c.flag)
		}
	}
	if len(missing) > 0 {
		return cmdutil.Usagef("empty %s; Tribe's passthrough needs the user's id (--sub), name (--name) and email (--email)", strings.Join(missing, ", "))
	}
	if !strings.Contains(o.Email, "@") {
		return cmdutil.Usagef("--email %q is not an email address; give one like user@example.com", text.Clip(o.Email))
	}
	return nil
}

// signRun reads the key, signs the JWT and prints it.
func signRun(opts *Options) error {
	f := opts.Factory
	s := &passthrough.Signer{KeyID: opts.KeyID, Lifetime: opts.TTL}
	if opts.SecretFile != "" {
		secret, err := f.Secret(cmdutil.SecretSpec{What: "HS256 secret", FileArg: "hs256-secret-file", File: opts.SecretFile})
		if err != nil {
			return err
		}
		if len(secret) < minHS256Secret {
			return cmdutil.Usagef("the HS256 secret in --hs256-secret-file %s is %d bytes; HS256 needs at least %d (RFC 7518 section 3.2), so use a longer random secret", cmdutil.DisplayPath(opts.SecretFile), len(secret), minHS256Secret)
		}
		s.Secret = []byte(secret)
	} else {
		pem, err := f.ReadInput(opts.KeyFile, "private key")
		if err != nil {
			return err
		}
		f.AddSecret(string(pem))
		if s.PrivateKey, err = passthrough.ParsePrivateKeyPEM(pem); err != nil {
			return cmdutil.Usagef("--private-key-file %s: %w", cmdutil.DisplayPath(opts.KeyFile), err)
		}
	}
	ts, err := s.TokenSource(passthrough.User{ID: opts.Subject, Name: opts.Name, Email: opts.Email})
	if err != nil {
		return err
	}
	t, err := ts.Token()
	if err != nil {
		return err
	}
	return cmdutil.WriteToken(f.Out, opts.Output, cmdutil.NewTokenOutput(t, "jwt user "+opts.Subject))
}
