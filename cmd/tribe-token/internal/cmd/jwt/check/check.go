// Package check is "tribe-token jwt check": whether Tribe's JWT passthrough
// can take a JWT, from its claims (the signature is not verified).
package check

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/passthrough"
)

// Result is "jwt check"'s JSON output.
type Result struct {
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

// Options are jwt check's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Token  cmdutil.TokenFlag
	Output string
}

// NewCmdCheck builds "jwt check". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdCheck(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
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
		Args: cmdutil.NoArgs,
		RunE: f.RunE(func(*cobra.Command, []string) error {
			if err := cmdutil.CheckOutput(opts.Output, cmdutil.OutTable, cmdutil.OutJSON); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		}),
	}
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutTable, cmdutil.OutJSON)
	return cmd
}

// checkRun reads the JWT, checks it and prints what Tribe would read.
func checkRun(opts *Options) error {
	f := opts.Factory
	tok, err := opts.Token.Token(f, "TRIBE_TOKEN")
	if err != nil {
		return err
	}
	c, err := passthrough.Check(tok)
	if err != nil {
		return err
	}
	res := Result{OK: true, Algorithm: c.Algorithm, KeyID: c.KeyID, Subject: c.Subject, Name: c.Name, Email: c.Email, IssuedAt: c.IssuedAt.UTC().Format(time.RFC3339)}
	if !c.ExpiresAt.IsZero() {
		res.Expiry = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if opts.Output == cmdutil.OutJSON {
		return cmdutil.WriteJSON(f.Out, res)
	}
	f.Println("OK: Tribe can take this JWT (claims checked; the signature is UNVERIFIED, Tribe checks it with your key)")
	var t cmdutil.Table
	t.Add("alg", c.Algorithm)
	t.Add("kid", c.KeyID)
	t.Add("sub", c.Subject)
	t.Add("name", c.Name)
	t.Add("email", c.Email)
	t.Add("iat", cmdutil.DescribeTime(c.IssuedAt, f.Now(), ""))
	exp := cmdutil.DescribeTime(c.ExpiresAt, f.Now(), "expired")
	if exp == "" {
		exp = "none: the JWT never expires; a short exp (about 60s) is safer"
	}
	t.Add("exp", exp)
	return t.Write(f.Out)
}
