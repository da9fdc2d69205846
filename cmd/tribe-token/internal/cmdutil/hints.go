package cmdutil

import (
	"errors"

	"github.com/tribekit/tribekit/tribe"
)

// RefusedTokenHint is what to do about an access token the API refused
// (code 108, or HTTP 401 to a token): the same advice wherever a command
// sends a token it was given.
const RefusedTokenHint = "the token is invalid or expired, or belongs to another endpoint; mint a new one"

// RefusedToken adds [RefusedTokenHint] to an error that says the API
// refused the access token sent ([tribe.ErrInvalidToken],
// [tribe.ErrUnauthorized]); other errors are returned as they are.
func RefusedToken(err error) error {
	if errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized) {
		return WithHint(err, RefusedTokenHint)
	}
	return err
}
