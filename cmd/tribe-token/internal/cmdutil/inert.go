package cmdutil

import "github.com/tribekit/tribekit/cmd/tribe-token/internal/text"

// Inert is [text.Inert]: s with the characters a terminal acts on written
// as visible escapes. The commands' tests check their output with it.
func Inert(s string) string { return text.Inert(s) }

// IsInert is [text.IsInert]: whether s is valid UTF-8 without a character
// a terminal acts on.
func IsInert(s string) bool { return text.IsInert(s) }
