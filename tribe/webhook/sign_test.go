package webhook

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRequestIsVerified(t *testing.T) {
	body := []byte(vectorBody)
	r, err := NewRequest(context.Background(), "http://127.0.0.1:1/webhook", vectorSecret, vectorTime, body)
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, vectorTimestamp, r.Header.Get(HeaderTimestamp))
	assert.Equal(t, vectorSignature, r.Header.Get(HeaderSignature))
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	require.NoError(t, Verify(r.Header, got, vectorTime, vectorSecret))
}

func TestSignRequestReplacesHeaders(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/webhook", nil)
	require.NoError(t, err)
	r.Header.Set(HeaderSignature, "stale")
	SignRequest(r, vectorSecret, vectorTime, []byte(vectorBody))
	assert.Equal(t, []string{vectorSignature}, r.Header.Values(HeaderSignature))
}

func TestNewRequestBadURLIsNotEchoed(t *testing.T) {
	_, err := NewRequest(context.Background(), "http://user:pa ss-secret@host\x7f/x", vectorSecret, vectorTime, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.NotContains(t, err.Error(), "secret")
	assert.True(t, strings.HasPrefix(err.Error(), "webhook: "))
}
