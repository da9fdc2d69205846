package delivery_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/webhook"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
)

func TestEnvelopeBody(t *testing.T) {
	b, err := delivery.Envelope{
		NetworkID: "net-acme", AppID: "app-1", Settings: `{"greeting":"<b>Hi</b>"}`, Type: webhook.TypeSubscription,
		Data:    map[string]any{"id": "ev-1", "name": "post.published"},
		Network: map[string]any{"id": "net-acme", "name": "Acme"},
		Actor:   map[string]any{"id": "mem-carol"},
	}.Body()
	require.NoError(t, err)
	assert.JSONEq(t, `{"networkId":"net-acme","context":"NETWORK","entityId":"net-acme",
		"currentSettings":[{"id":"app-1:net-acme","appId":"app-1","networkId":"net-acme","context":"NETWORK","entityId":"net-acme","settings":{"greeting":"<b>Hi</b>"}}],
		"type":"SUBSCRIPTION","data":{"id":"ev-1","name":"post.published"},
		"entities":{"network":{"id":"net-acme","name":"Acme"},"actor":{"id":"mem-carol"}}}`, string(b))
	assert.Contains(t, string(b), "<b>", "no HTML escaping, as JSON.stringify")

	r, err := webhook.DecodeRequest(b)
	require.NoError(t, err, "package webhook decodes it")
	e, err := r.Event()
	require.NoError(t, err)
	assert.Equal(t, "ev-1", e.ID)
	assert.Equal(t, "mem-carol", r.Entities.Actor.ID)

	b, err = delivery.Envelope{NetworkID: "net-acme", Context: "SPACE", EntityID: "space-1", Type: webhook.TypeTest, Data: map[string]any{"challenge": "c"}}.Body()
	require.NoError(t, err)
	assert.JSONEq(t, `{"networkId":"net-acme","context":"SPACE","entityId":"space-1","currentSettings":[],"type":"TEST","data":{"challenge":"c"}}`, string(b))
}
