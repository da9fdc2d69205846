// Package root is the tribe-token command tree: [Run] is the whole
// program, so tests run it in-process with a fake environment, and main only
// calls it. Each command lives in a package of its own under internal/cmd
// (Options, NewCmdX, a run function); what they share is in
// internal/cmdutil.
package root

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/api"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/decode"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/demo"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/exchange"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/jwt"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mock"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/password"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/refresh"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/schema"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/version"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// Run runs tribe-token with args (without the program name) and returns its
// exit code: [cmdutil.ExitOK], [cmdutil.ExitFailure] or
// [cmdutil.ExitUsage]. Input comes only from args, stdin, getenv and the
// files args name; output goes to stdout, and errors to stderr as one line
// starting "tribe-token: ". ctx cancels the command; the mock command also
// stops on SIGINT or SIGTERM.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return Execute(ctx, cmdutil.New(stdin, stdout, stderr, getenv), args)
}

// Execute is [Run] with a Factory of the caller's, whose test hooks
// (transport, browser, default timeout) it may have set.
func Execute(ctx context.Context, f *cmdutil.Factory, args []string) int {
	return cmdutil.Execute(ctx, f, NewCmdRoot(f), args)
}

// rootLong is the root command's long help: short, with the environment
// in the help topic "environment" and the detail in docs/tribe-token.md.
const rootLong = `tribe-token gets Tribe (Bettermode) access tokens in a shell, a script or CI,
shows who a token acts as, and runs a mock Tribe server for tests in any
language.

Secrets (client secrets, passwords, tokens) are read from environment variables
or from files (--*-file FILE, or - for stdin), never from flag values, and are
never printed except the token you ask for.

Environment: TRIBE_CLIENT_ID, TRIBE_CLIENT_SECRET, TRIBE_NETWORK_ID,
TRIBE_ENDPOINT, TRIBE_COMMUNITY_URL, TRIBE_TOKEN, TRIBE_CACHE_URL,
TRIBE_CACHE_KEY, TRIBE_GATEWAY_URL, TRIBE_GATEWAY_FOR, TRIBE_PASSWORD,
TRIBE_REFRESH_TOKEN, TRIBE_CRM_CLIENT_ID, TRIBE_CRM_CLIENT_SECRET,
TRIBE_CRM_REFRESH_TOKEN, TRIBE_CRM_TOKEN, TRIBE_CRM_BASE_URL; 'tribe-token help
environment' says what each holds.

--output speaks one vocabulary: text (for people), json, and where they apply
token and env. Exit status: 0 success, 1 failure at the server or network, 2
bad usage or input. The full reference is docs/tribe-token.md in the
repository.`

// NewCmdRoot builds the command tree for one run.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   cmdutil.ProgName,
		Short: "Mint, inspect and mock Tribe access tokens",
		Long:  rootLong,
		Example: `  # Try it offline: a mock server, a bot and a member token, and who they act as
  tribe-token demo

  # A bot token for a community, into a shell variable
  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  TOKEN=$(tribe-token mint --network CAx1mZ7I7a)

  # Who does it act as?
  eval "$(tribe-token mint --network CAx1mZ7I7a --output env)"
  tribe-token whoami`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.BuildInfo().Version,
		// Like a command group: help alone, and an unknown command refused
		// without echoing it (it may be a secret pasted by mistake).
		Args: cmdutil.GroupArgs,
		RunE: f.RunE(cmdutil.GroupRun),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if d, err := cmd.Flags().GetDuration("timeout"); err == nil && d < 0 {
				return cmdutil.Usagef("--timeout %s is negative; give how long to wait for the server, e.g. 30s, or 0 for no limit", d)
			}
			return nil
		},
	}
	// Set before cobra's completion command captures the output writer.
	root.SetIn(f.In)
	root.SetOut(f.Out)
	root.SetErr(f.ErrOut)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.PersistentFlags().Duration("timeout", f.Timeout(), "give up on the server after this long, connecting, sending and reading the whole answer included (0: no overall limit; each request still gives up after 30s)")
	root.SetFlagErrorFunc(cmdutil.FlagError)
	root.AddCommand(
		demo.NewCmdDemo(f, nil),
		mint.NewCmdMint(f, nil),
		whoami.NewCmdWhoami(f, nil),
		api.NewCmdAPI(f, nil),
		schema.NewCmdSchema(f),
		password.NewCmdPassword(f, nil),
		exchange.NewCmdExchange(f, nil),
		refresh.NewCmdRefresh(f, nil),
		jwt.NewCmdJWT(f),
		crm.NewCmdCRM(f),
		mock.NewCmdMock(f, nil),
		webhook.NewCmdWebhook(f),
		decode.NewCmdDecode(f, nil),
		version.NewCmdVersion(f, nil),
		newCmdEnvironment(f),
	)
	addBuiltinExamples(f, root)
	return root
}

// addBuiltinExamples gives cobra's own help and completion commands an
// Example section like every other command's, and makes them refuse an
// unknown topic or shell with exit code 2 without echoing it.
func addBuiltinExamples(f *cmdutil.Factory, root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  tribe-token help mint\n  tribe-token help crm token"
			c.Run = nil
			c.RunE = f.RunE(helpRun)
		case "completion":
			c.Example = "  source <(tribe-token completion bash)\n  tribe-token completion zsh > \"${fpath[1]}/_tribe-token\""
			c.Args = cmdutil.GroupArgs
			c.RunE = f.RunE(cmdutil.GroupRun)
			for _, sh := range c.Commands() {
				sh.Example = fmt.Sprintf("  tribe-token completion %s --help\n  tribe-token completion %s > tribe-token.%s", sh.Name(), sh.Name(), sh.Name())
				sh.Args = cmdutil.NoArgs
			}
		}
	}
}

// helpRun is the help command's work: the help of the command args name, or
// a usage error, which does not echo them, if they name none.
func helpRun(cmd *cobra.Command, args []string) error {
	target, rest, err := cmd.Root().Find(args)
	if err != nil || target == nil || len(rest) > 0 {
		return cmdutil.Usagef("unknown help topic; '%s --help' lists the commands", cmdutil.ProgName)
	}
	target.InitDefaultHelpFlag()
	target.InitDefaultVersionFlag()
	return target.Help()
}
