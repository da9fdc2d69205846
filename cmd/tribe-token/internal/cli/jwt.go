package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tribekit/tribekit/tribe/passthrough"
)

// newJWTCmd builds "jwt" and its subcommands.
func (e *env) newJWTCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jwt",
		Short: "Sign and check JWTs for Tribe's JWT passthrough",
		Long: `A product that issues its own JWTs can send them to Tribe as Bearer tokens once
the "JWT Authorization" app is installed; Tribe checks the signature with the
product's key and acts for the user named by sub, name and email.

"jwt sign" signs such a JWT (for tests, or for a product that has no JWTs of
its own yet); "jwt check" tells whether Tribe can take a JWT.`,
		Example: `  tribe-token jwt sign --hs256-secret-file secret.txt --sub u-42 --name "Ada L" --email ada@example.com
  tribe-token jwt sign --private-key-file key.pem --sub u-42 --name Ada --email ada@example.com | tribe-token jwt check --token-file -`,
		Args: groupArgs,
		RunE: e.runE(groupRun),
	}
	cmd.AddCommand(e.newJWTSignCmd(), e.newJWTCheckCmd())
	return cmd
}

// groupArgs lets a command group take any arguments, so that groupRun can
// name an unknown subcommand.
func groupArgs(*cobra.Command, []string) error { return nil }

// groupRun is the work of a command group: help when called alone, a usage
// error for an unknown subcommand. The error does not echo the word, which
// may be a secret pasted by mistake; it may suggest a command name.
func groupRun(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's default for its own message
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			return usagef("unknown command; did you mean %s?", strings.Join(s, " or "))
		}
		return usagef("unknown command")
	}
	return cmd.Help()
}

// newJWTSignCmd builds "jwt sign".
func (e *env) newJWTSignCmd() *cobra.Command {
	var (
		secretFile, keyFile, kid string
		user                     passthrough.User
		ttl                      time.Duration
		output                   string
	)
	cmd := &cobra.Command{
		Use:   "sign (--hs256-secret-file FILE | --private-key-file PEM) --sub ID --name NAME --email ADDR",
		Short: "Sign a JWT Tribe's passthrough accepts",
		Long: `Sign a JWT with the claims Tribe's JWT passthrough reads (sub, name, email,
iat, exp), with an HS256 secret or an RSA or EC private key (RS256, ES256/384/512).
Configure the same secret, or the public key, on the community.

The key comes from a file only (- for stdin), never from a flag value. An HS256
secret must be at least 32 bytes; one trailing newline is trimmed.`,
		Example: `  head -c 32 /dev/urandom | base64 > secret.txt
  tribe-token jwt sign --hs256-secret-file secret.txt --sub u-42 --name "Ada L" --email ada@example.com
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
  tribe-token jwt sign --private-key-file key.pem --sub u-42 --name Ada --email ada@example.com --ttl 5m -o json`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outToken, outJSON, outEnv); err != nil {
				return err
			}
			s := &passthrough.Signer{KeyID: kid, Lifetime: ttl}
			switch {
			case secretFile != "" && keyFile != "":
				return usagef("--hs256-secret-file and --private-key-file both give the key; give one of them")
			case secretFile != "":
				if kid != "" {
					return usagef("--kid goes with --private-key-file; HS256 tokens carry no kid")
				}
				secret, err := e.secret(secretSpec{what: "HS256 secret", fileArg: "hs256-secret-file", file: secretFile})
				if err != nil {
					return err
				}
				s.Secret = []byte(secret)
			case keyFile != "":
				pem, err := e.readInput(keyFile, "private key")
				if err != nil {
					return err
				}
				e.secrets = append(e.secrets, string(pem))
				if s.PrivateKey, err = passthrough.ParsePrivateKeyPEM(pem); err != nil {
					return err
				}
			default:
				return usagef("no signing key: pass --hs256-secret-file FILE or --private-key-file PEM (- for stdin)")
			}
			if ttl < 0 {
				return usagef("--ttl %s is negative; give how long the JWT stays valid, e.g. 60s", ttl)
			}
			tok, err := s.TokenSource(user)
			if err != nil {
				return err
			}
			t, err := tok.Token()
			if err != nil {
				return err
			}
			out := newTokenOutput(t, "jwt user "+user.ID)
			return writeToken(e.stdout, output, out)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&secretFile, "hs256-secret-file", "", "sign with the HS256 secret in `FILE` (- for stdin)")
	f.StringVar(&keyFile, "private-key-file", "", "sign with the RSA or EC private key in PEM `FILE` (- for stdin)")
	f.StringVar(&kid, "kid", "", "kid header with --private-key-file (default: the key's RFC 7638 thumbprint)")
	f.StringVar(&user.ID, "sub", "", "the user's id in your product (sub claim); required")
	f.StringVar(&user.Name, "name", "", "the user's display name (name claim); required")
	f.StringVar(&user.Email, "email", "", "the user's email address (email claim); required")
	f.DurationVar(&ttl, "ttl", passthrough.DefaultLifetime, "how long the JWT is valid")
	_ = cmd.MarkFlagRequired("sub")
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("email")
	addOutputFlag(cmd, &output, outToken, outJSON, outEnv)
	return cmd
}

// jwtCheckResult is "jwt check"'s JSON output.
type jwtCheckResult struct {
	Verified  bool   `json:"verified"`
	OK        bool   `json:"ok"`
	Algorithm string `json:"alg"`
	KeyID     string `json:"kid,omitempty"`
	Subject   string `json:"sub"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	IssuedAt  string `json:"iat"`
	Expiry    string `json:"exp,omitempty"`
}

// newJWTCheckCmd builds "jwt check".
func (e *env) newJWTCheckCmd() *cobra.Command {
	var (
		tf     tokenFlag
		output string
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check that Tribe can take a JWT (claims only, UNVERIFIED)",
		Long: `Check, without verifying the signature (Tribe does, with your key), that a JWT
carries what Tribe's passthrough needs: sub, name and email as non-empty
strings, iat as a number, an algorithm Tribe verifies, and no past exp. Every
problem is named at once; the exit status is 2 if there is any.

The token comes from TRIBE_TOKEN or --token-file (- for stdin).`,
		Example: `  tribe-token jwt check --token-file jwt.txt
  my-product issue-jwt --user 42 | tribe-token jwt check --token-file - -o json`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			tok, err := tf.token(e, "TRIBE_TOKEN")
			if err != nil {
				return err
			}
			c, err := passthrough.Check(tok)
			if err != nil {
				return err
			}
			res := jwtCheckResult{OK: true, Algorithm: c.Algorithm, KeyID: c.KeyID, Subject: c.Subject, Name: c.Name, Email: c.Email, IssuedAt: c.IssuedAt.UTC().Format(time.RFC3339)}
			if !c.ExpiresAt.IsZero() {
				res.Expiry = c.ExpiresAt.UTC().Format(time.RFC3339)
			}
			if output == outJSON {
				return writeJSON(e.stdout, res)
			}
			e.stdoutLine("OK: Tribe can take this JWT (claims checked; the signature is UNVERIFIED, Tribe checks it with your key)")
			var t table
			t.add("alg", c.Algorithm)
			t.add("kid", c.KeyID)
			t.add("sub", c.Subject)
			t.add("name", c.Name)
			t.add("email", c.Email)
			t.add("iat", describeTime(c.IssuedAt, e.now(), ""))
			exp := describeTime(c.ExpiresAt, e.now(), "expired")
			if exp == "" {
				exp = "none: the JWT never expires; a short exp (about 60s) is safer"
			}
			t.add("exp", exp)
			return t.write(e.stdout)
		}),
	}
	tf.add(cmd, "TRIBE_TOKEN")
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}
