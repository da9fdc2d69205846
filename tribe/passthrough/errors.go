package passthrough

import (
	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/tribe"
)

// invalidf returns an invalid-input error, "passthrough: <what is wrong>;
// <how to fix it>", matching [tribe.ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("passthrough", tribe.ErrInvalidInput, format, args...)
}
