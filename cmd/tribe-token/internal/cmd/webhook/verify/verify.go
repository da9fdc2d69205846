// Package verify is "tribe-token webhook verify": check one signature of a
// request from Tribe against the signing secret.
package verify

import (
	"encoding/hex"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// Options are verify's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Secret    shared.SecretFlag
	Signature string
	Timestamp string
	// BodyFile is the raw body's file, "-" (the default) for stdin.
	BodyFile string
	// Tolerance is how old the request may be; 0 checks the signature
	// alone.
	Tolerance time.Duration
}

// NewCmdVerify builds "webhook verify". runF, if not nil, is called with
// the parsed Options in place of the work (for tests).
func NewCmdVerify(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "verify --signature HEX --timestamp TS [--body-file FILE|-] [--tolerance D]",
		Short: "Check the signature of a request from Tribe",
		Long: `Check that a request's X-Bettermode-Signature (--signature) is the HMAC-SHA256,
under the app's signing secret, of its X-Bettermode-Request-Timestamp
(--timestamp), a colon and its raw body (--body-file, or stdin), and that the
timestamp is at most --tolerance old (default 15m, as Bettermode's docs advise)
and at most a minute ahead. --tolerance 0 checks the signature alone, as for a
request recorded earlier. A 13-digit timestamp is milliseconds since the
epoch, a 10-digit one seconds.

It prints "ok" and exits 0 when the signature holds. When it does not, it says
why on stderr and exits 1 (no secret matches, or the request is too old or too
new); a --signature or --timestamp that is malformed is bad usage, exit 2.
During a rotation each line of --secret-file is tried.`,
		Example: `  tribe-token webhook verify --secret-file webhook-secret.txt --signature "$SIG" --timestamp "$TS" --body-file body.json
  printf '%s' "$BODY" | tribe-token webhook verify --signature "$SIG" --timestamp "$TS" --tolerance 0`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.RunLocal(f, opts, opts.validate, runF, verifyRun),
	}
	opts.Secret.Add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Signature, "signature", "", "the request's X-Bettermode-Signature: 64 hex digits")
	fl.StringVar(&opts.Timestamp, "timestamp", "", "the request's X-Bettermode-Request-Timestamp: 13 digits (milliseconds) or 10 (seconds)")
	fl.StringVar(&opts.BodyFile, "body-file", "-", "read the raw request body from `FILE` (- for stdin)")
	fl.DurationVar(&opts.Tolerance, "tolerance", webhook.DefaultTolerance, "how old the request may be (0: check the signature alone)")
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Secret.Check(); err != nil {
		return err
	}
	var m cmdutil.Missing
	if o.Signature == "" {
		m.Add("--signature", "signature")
	}
	if o.Timestamp == "" {
		m.Add("--timestamp", "timestamp")
	}
	if err := m.Err("give the request's X-Bettermode-Signature and X-Bettermode-Request-Timestamp headers"); err != nil {
		return err
	}
	if o.Tolerance < 0 {
		return cmdutil.Usagef("--tolerance %s is negative; give how old the request may be, such as 15m, or 0 to check the signature alone", o.Tolerance)
	}
	if b, err := hex.DecodeString(o.Signature); err != nil || len(b) != 32 {
		return cmdutil.Usagef("--signature is not 64 hex digits (it has %d characters); give the X-Bettermode-Signature header's value", len(o.Signature))
	}
	if _, err := webhook.ParseTimestamp(o.Timestamp); err != nil {
		return cmdutil.Usagef("--timestamp %q: %v; give the X-Bettermode-Request-Timestamp header's value", text.Clip(o.Timestamp), err)
	}
	return nil
}

// verifyRun reads the body and the secrets and checks the signature.
func verifyRun(o *Options) error {
	f := o.Factory
	secrets, err := o.Secret.Secrets(f)
	if err != nil {
		return err
	}
	body, err := f.ReadInput(o.BodyFile, "request body")
	if err != nil {
		return err
	}
	v, err := webhook.NewVerifier(o.Tolerance, secrets...)
	if err != nil {
		return cmdutil.Usagef("%w", err)
	}
	var at time.Time
	if o.Tolerance > 0 {
		at = f.Now()
	}
	if _, err := v.VerifySignature(o.Signature, o.Timestamp, body, at); err != nil {
		if errors.Is(err, webhook.ErrTooOld) {
			return cmdutil.WithHint(err, "--tolerance 0 checks the signature alone")
		}
		return err
	}
	f.Println("ok")
	return nil
}
