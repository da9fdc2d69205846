package tribetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseOwnCachedSkipsHeader: a token verified before is answered from
// the cache without decoding its header again (one allocation, the
// claims' copy), and still checked for revocation.
func TestParseOwnCachedSkipsHeader(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	_, err = s.parseOwn(tok, true)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := s.parseOwn(tok, true); err != nil {
			t.Errorf("parseOwn: %v", err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0)
	_, err = s.parseOwn(tok[:len(tok)-2]+"xx", true)
	require.Error(t, err, "a token with another signature is not the cached one")
}
