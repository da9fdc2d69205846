// Package webhook is "tribe-token webhook", the group of the commands that
// play both sides of Tribe's signed requests to an app: listen (package
// webhook/listen), send (webhook/send) and verify (webhook/verify).
package webhook

import (
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/listen"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/send"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/verify"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// NewCmdWebhook builds "webhook" and its subcommands.
func NewCmdWebhook(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Receive, send and verify Tribe's signed webhook requests",
		Long: `Tribe (Bettermode) calls a community app at its webhook and interaction URLs,
signing each request with the app's signing secret: the hex HMAC-SHA256 of the
request timestamp, a colon and the raw body, in X-Bettermode-Signature and
X-Bettermode-Request-Timestamp
(https://developers.bettermode.com/docs/guide/webhooks/verifying-webhooks).

"webhook listen" is a local receiver that verifies and prints what it gets;
"webhook send" posts a signed, realistic request to an app, as Tribe would;
"webhook verify" checks one signature.

The signing secret (not the client secret) comes from --secret-file FILE or
TRIBE_WEBHOOK_SECRET, never from a flag's value.`,
		Example: `  (umask 077; printf '%s' "$SIGNING_SECRET" > webhook-secret.txt)
  tribe-token webhook listen --secret-file webhook-secret.txt
  tribe-token webhook send --secret-file webhook-secret.txt --url http://127.0.0.1:8080/webhook --event post.published`,
		Args: cmdutil.GroupArgs,
		RunE: f.RunE(cmdutil.GroupRun),
	}
	cmd.AddCommand(listen.NewCmdListen(f, nil), send.NewCmdSend(f, nil), verify.NewCmdVerify(f, nil))
	return cmd
}
