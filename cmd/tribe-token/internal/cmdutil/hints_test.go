package cmdutil

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/tribe"
)

func TestRefusedToken(t *testing.T) {
	refused108 := &tribe.ResponseError{Operation: "Me", Errors: []*tribe.GraphQLError{{Code: tribe.CodeInvalidToken, Message: "invalid access token"}}}
	tests := []struct {
		name     string
		err      error
		wantHint bool
	}{
		{"code 108", refused108, true},
		{"HTTP 401", &tribe.HTTPError{Operation: "Me", StatusCode: 401}, true},
		{"forbidden", &tribe.ResponseError{Operation: "Me", Errors: []*tribe.GraphQLError{{Code: tribe.CodeForbidden}}}, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RefusedToken(tt.err)
			assert.ErrorIs(t, got, tt.err)
			if tt.wantHint {
				assert.Equal(t, tt.err.Error()+"; "+RefusedTokenHint, got.Error())
				assert.Contains(t, got.Error(), "mint a new one")
			} else {
				assert.Same(t, tt.err, got)
			}
		})
	}
	assert.NoError(t, RefusedToken(nil))
}
