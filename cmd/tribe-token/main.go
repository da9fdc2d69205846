// Command tribe-token mints, inspects and serves Tribe access tokens: a token
// in a shell, a script or CI, who a token acts as, and a mock Tribe server for
// tests in any language. Run "tribe-token --help" for the commands.
package main

import (
	"context"
	"os"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/root"
)

func main() {
	os.Exit(root.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
