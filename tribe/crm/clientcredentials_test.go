package crm_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

func TestClientCredentialsTokenSource(t *testing.T) {
	srv, conf := setup(t)
	conf.RedirectURL = "" // not needed for this grant

	ts, err := conf.ClientCredentialsTokenSource(context.Background())
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)

	assert.True(t, tok.Valid())
	assert.True(t, srv.AccessTokenActive(tok.AccessToken))
	assert.Empty(t, tok.RefreshToken, "the CRM sends no refresh token for client credentials")
	assert.Equal(t, "Bearer", tok.Type())
	assert.WithinDuration(t, time.Now().Add(24*time.Hour), tok.Expiry, time.Minute)
	assert.Equal(t, "read write offline", tok.Extra("scope"))

	again, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, again.AccessToken, "a valid token is reused")
	assert.Equal(t, 1, srv.Counts().ClientCredentials)
}

func TestClientCredentialsInHeader(t *testing.T) {
	srv, conf := setup(t)
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader

	ts, err := conf.ClientCredentialsTokenSource(context.Background())
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.True(t, srv.AccessTokenActive(tok.AccessToken))
}

func TestClientCredentialsErrors(t *testing.T) {
	tests := []struct {
		name       string
		change     func(*crm.Config)
		wantStatus int
		wantCode   string
	}{
		{"wrong secret", func(c *crm.Config) { c.ClientSecret = "not-the-secret" }, http.StatusUnauthorized, "invalid_client"},
		{"unknown client", func(c *crm.Config) { c.ClientID = "nobody" }, http.StatusUnauthorized, "invalid_client"},
		{"unknown scope", func(c *crm.Config) { c.Scopes = []string{"admin"} }, http.StatusBadRequest, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t)
			tt.change(conf)
			ts, err := conf.ClientCredentialsTokenSource(context.Background())
			require.NoError(t, err)

			_, err = ts.Token()
			var te *crm.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "client_credentials", te.Grant)
			assert.Equal(t, tt.wantStatus, te.StatusCode)
			assert.Equal(t, tt.wantCode, te.ErrorCode)
			assert.NotEmpty(t, te.ErrorDescription)
			assert.Contains(t, err.Error(), "crm: token request (client_credentials) failed")

			var re *oauth2.RetrieveError
			assert.False(t, errors.As(err, &re), "the raw x/oauth2 error, whose Body is the server's unredacted text, is not reachable")
			assert.False(t, errors.Is(err, crm.ErrInvalidGrant))
			assert.Equal(t, 1, srv.Counts().TokenErrors)
		})
	}
}
