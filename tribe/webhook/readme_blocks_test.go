package webhook_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/webhook"
)

// TestReadmeHandler runs the README's "Receiving webhooks" block as
// written (the root package's TestReadmeGoBlocks finds it here), then
// delivers an event and an interaction to it.
func TestReadmeHandler(t *testing.T) {
	const secret = "whsec-readme-secret"
	t.Setenv("TRIBE_WEBHOOK_SECRET", secret)
	mux := http.NewServeMux() // your router: the handler is a plain http.Handler

	verifier, err := webhook.NewVerifier(0, os.Getenv("TRIBE_WEBHOOK_SECRET")) // the app's signing secret
	mux.Handle("/webhook", &webhook.Handler{
		Verifier: verifier,
		Dedupe:   webhook.NewMemoryDedupe(0), // a fleet: redisstore.NewDedupe(store.Client(), redisstore.DedupeOptions{})
		Event: func(ctx context.Context, r *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
			log.Printf("%s in %s (event %s)", e.Name, r.NetworkID, e.ID)
			return nil, nil // SUCCEEDED; an error answers FAILED, and Tribe's retry is processed
		},
		Interaction: func(ctx context.Context, r *webhook.Request, in *webhook.InteractionInput) (*webhook.Answer, error) {
			return webhook.Interactions(webhook.OpenToast("hello", webhook.ToastProps{Status: "success", Title: "Hi!"})), nil
		},
	})

	require.NoError(t, err)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		sample webhook.Sample
		want   string
	}{
		{webhook.Sample{Event: "post.published"}, `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`},
		{webhook.Sample{Type: webhook.TypeInteraction}, `{"type":"INTERACTION","status":"SUCCEEDED","data":{"interactions":[{"id":"hello","type":"OPEN_TOAST","props":{"status":"success","title":"Hi!"}}]}}`},
	} {
		body, err := tc.sample.Body()
		require.NoError(t, err)
		req, err := webhook.NewRequest(context.Background(), srv.URL+"/webhook", secret, time.Now(), body)
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, tc.want, strings.TrimSpace(string(answer)))
	}
}
