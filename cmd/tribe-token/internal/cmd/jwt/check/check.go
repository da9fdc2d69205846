// Package check is "tribe-token jwt check": whether Tribe's JWT passthrough
// can take a JWT, from its claims (the signature is not verified).
package check

import (
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
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
	// Problems are what is wrong, when OK is false: each claim or header
	// field with what is wrong with it ("token" for a JWT that does not
	// parse), never a claim's value.
	Problems []Problem `json:"problems,omitempty"`
	// Expired is when a JWT that has expired did, RFC 3339.
	Expired string `json:"expired,omitempty"`
	// Error is the whole message, as on stderr, when OK is false.
	Error string `json:"error,omitempty"`
}

// Problem is one thing wrong with a JWT.
type Problem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
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
		Use:        "check",
		Short:      "Check that Tribe can take a JWT (claims only, UNVERIFIED)",
		SuggestFor: []string{"verify", "validate", "lint"},
		Long: `Check, without verifying the signature (Tribe does, with your key), that a JWT
carries what Tribe's passthrough needs: sub, name and email as non-empty
strings, iat as a number, an algorithm Tribe verifies, and no past exp. Every
problem is named at once; the exit status is 2 if there is any.

--output text (the default; table is its old name) prints the verdict and a
table of the claims; json prints one JSON object, also when the check fails:
"ok": false, the claims as far as they could be read, "problems" (each field
with what is wrong with it) and "error".

The token comes from TRIBE_TOKEN or --token-file (- for stdin).`,
		Example: `  tribe-token jwt check --token-file jwt.txt
  my-product issue-jwt --user 42 | tribe-token jwt check --token-file - -o json`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.RunLocal(f, opts, nil, runF, checkRun),
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
		if opts.Output == cmdutil.OutJSON {
			// A script reads the verdict on stdout, whatever it is.
			if werr := cmdutil.WriteJSON(f.Out, failure(f, err)); werr != nil {
				return werr
			}
		}
		return err
	}
	res := claimsResult(*c)
	res.OK = true
	if opts.Output == cmdutil.OutJSON {
		return cmdutil.WriteJSON(f.Out, res)
	}
	f.Println("OK: Tribe can take this JWT (claims checked; the signature is UNVERIFIED, Tribe checks it with your key)")
	var t text.Table
	t.Add("alg", c.Algorithm)
	t.Add("kid", c.KeyID)
	t.Add("sub", c.Subject)
	t.Add("name", c.Name)
	t.Add("email", c.Email)
	t.Add("iat", text.DescribeTime(c.IssuedAt, f.Now(), ""))
	exp := text.DescribeTime(c.ExpiresAt, f.Now(), "expired")
	if exp == "" {
		exp = "none: the JWT never expires; a short exp (about 60s) is safer"
	}
	t.Add("exp", exp)
	return t.Write(f.Out)
}

// claimsResult is the JSON output of the claims as read.
func claimsResult(c passthrough.Claims) Result {
	res := Result{Algorithm: c.Algorithm, KeyID: c.KeyID, Subject: c.Subject, Name: c.Name, Email: c.Email}
	if !c.IssuedAt.IsZero() {
		res.IssuedAt = c.IssuedAt.UTC().Format(time.RFC3339)
	}
	if !c.ExpiresAt.IsZero() {
		res.Expiry = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return res
}

// failure is the JSON output of a JWT Tribe cannot take: ok false, why,
// and the claims as far as they could be read (a claim that could not be
// read is empty). The token is never in it.
func failure(f *cmdutil.Factory, err error) Result {
	res := Result{OK: false, Error: f.Redact(err.Error())}
	if pe, ok := errors.AsType[*passthrough.Error](err); ok {
		res = claimsResult(pe.Claims)
		res.Error = f.Redact(err.Error())
		for _, p := range pe.Problems {
			res.Problems = append(res.Problems, Problem{Field: p.Field, Problem: p.Problem})
		}
		if !pe.Expired.IsZero() {
			res.Expired = pe.Expired.UTC().Format(time.RFC3339)
			res.Problems = append(res.Problems, Problem{Field: "exp", Problem: "is past: the JWT expired at " + res.Expired})
		}
		return res
	}
	res.Problems = []Problem{{Field: "token", Problem: strings.TrimPrefix(res.Error, "passthrough: ")}}
	return res
}
