package errctx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/errctx"
)

func TestWrapf(t *testing.T) {
	require.NoError(t, errctx.Wrapf("tribe", nil, "minting"))

	inner := errctx.Wrapf("tribe", context.DeadlineExceeded, "asking %s", "the server")
	outer := errctx.Wrapf("tribe", inner, "minting a token for %q", "net-1")
	assert.Equal(t, `tribe: minting a token for "net-1": asking the server: context deadline exceeded`, outer.Error())
	assert.ErrorIs(t, outer, context.DeadlineExceeded)
	var e *errctx.Error
	require.True(t, errors.As(outer, &e))
	assert.Equal(t, "tribe", e.Pkg)

	other := errctx.Wrapf("grant", errors.New("tribe: refused"), "exchanging")
	assert.Equal(t, "grant: exchanging: tribe: refused", other.Error(), "only the package's own prefix is dropped")
}
