// Package shared is what the "tribe-token webhook" commands share: the
// app's signing secret, read from --secret-file or TRIBE_WEBHOOK_SECRET and
// never from a flag's value.
package shared

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// SecretEnv is the variable the signing secret is read from.
const SecretEnv = "TRIBE_WEBHOOK_SECRET"

// SecretFlag is --secret-file, whose default is [SecretEnv], and a hidden
// --secret that refuses a secret given on the command line.
type SecretFlag struct {
	File string
	// Given: --secret was given, and is refused.
	Given bool
}

// Add registers the flags on cmd.
func (s *SecretFlag) Add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.File, "secret-file", "", "read the app's signing secret from `FILE` (- for stdin; during a rotation, one per line; default $"+SecretEnv+")")
	cmd.Flags().Var(refused{&s.Given}, "secret", "refused: secrets are read from files or the environment")
	_ = cmd.Flags().MarkHidden("secret")
}

// refused is the value of --secret: it notes that the flag was given and
// keeps nothing of its value, which is never echoed.
type refused struct{ given *bool }

func (r refused) String() string   { return "" }
func (r refused) Set(string) error { *r.given = true; return nil }
func (r refused) Type() string     { return "refused" }

// Check refuses --secret, before anything is read.
func (s *SecretFlag) Check() error {
	if s.Given {
		return cmdutil.Usagef("--secret is not taken: a secret on the command line is seen by every user of the machine; pass --secret-file FILE (- for stdin) or set %s", SecretEnv)
	}
	return nil
}

// Secrets returns the signing secrets: each line of --secret-file, else of
// TRIBE_WEBHOOK_SECRET. They are secrets of the run, never printed. A
// secret on the command line (--secret), a missing secret and one with
// spaces or control characters are usage errors.
func (s *SecretFlag) Secrets(f *cmdutil.Factory) ([]string, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	spec := cmdutil.SecretSpec{What: "webhook signing secret", EnvVar: SecretEnv, FileArg: "secret-file", File: s.File}
	v, err := f.Secret(spec)
	if err != nil {
		return nil, err
	}
	var secrets []string
	for _, line := range strings.Split(v, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if err := cmdutil.CheckBare("webhook signing secret", spec.Source(), line); err != nil {
			return nil, err
		}
		f.AddSecret(line)
		secrets = append(secrets, line)
	}
	if len(secrets) == 0 {
		return nil, cmdutil.Usagef("the webhook signing secret from %s is empty; give the app's signing secret (Credentials in the Bettermode developer portal)", spec.Source())
	}
	return secrets, nil
}
