package errctx_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/internal/errctx"
)

func TestDetails(t *testing.T) {
	tests := []struct {
		name    string
		details []string
		want    string
	}{
		{"none", nil, "crm: op: 403 Forbidden"},
		{"each one", []string{"AccessDenied", "no role"}, "crm: op: 403 Forbidden: AccessDenied: no role"},
		{"empty ones are left out", []string{"", "no role", ""}, "crm: op: 403 Forbidden: no role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errctx.Details("crm: op: 403 Forbidden", tt.details...))
		})
	}
}

func TestHTTPStatus(t *testing.T) {
	assert.Equal(t, "401 Unauthorized", errctx.HTTPStatus(http.StatusUnauthorized))
	assert.Equal(t, "429 Too Many Requests", errctx.HTTPStatus(http.StatusTooManyRequests))
	assert.Equal(t, "599", errctx.HTTPStatus(599), "a code with no text")
}

func TestMatchStatus(t *testing.T) {
	errUnauthorized, errForbidden, other := errors.New("unauthorized"), errors.New("forbidden"), errors.New("other")
	pairs := []errctx.Status{{Code: http.StatusUnauthorized, Err: errUnauthorized}, {Code: http.StatusForbidden, Err: errForbidden}}
	tests := []struct {
		name   string
		target error
		status int
		want   bool
	}{
		{"the sentinel of the status", errUnauthorized, http.StatusUnauthorized, true},
		{"the other pair's sentinel", errForbidden, http.StatusForbidden, true},
		{"a sentinel of another status", errForbidden, http.StatusUnauthorized, false},
		{"a status with no sentinel", errUnauthorized, http.StatusInternalServerError, false},
		{"an error of no pair", other, http.StatusUnauthorized, false},
		{"nil", nil, http.StatusUnauthorized, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errctx.MatchStatus(tt.target, tt.status, pairs...))
		})
	}
}
