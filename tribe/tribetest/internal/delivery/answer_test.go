package delivery_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
)

func TestCheckTest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		err    string
	}{
		{"the challenge echoed", 200, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-42"}}`, ""},
		{"another challenge", 200, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-41"}}`, "does not echo its challenge"},
		{"no data", 200, `{"type":"TEST","status":"SUCCEEDED"}`, "does not echo its challenge"},
		{"FAILED", 200, `{"type":"TEST","status":"FAILED","errorCode":3,"errorMessage":"nope"}`, "FAILED (errorCode 3): nope"},
		{"HTTP 500", 500, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-42"}}`, "HTTP 500"},
		{"not JSON", 200, `ok`, "not a JSON object"},
		{"another status", 200, `{"status":"MAYBE"}`, `status "MAYBE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := delivery.CheckTest(delivery.Result{Status: tc.status, Body: []byte(tc.body)}, "c-42")
			if tc.err == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, delivery.ErrAnswer)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestInteractionsMapToAppInteractions(t *testing.T) {
	body := `{"type":"INTERACTION","status":"SUCCEEDED","data":{"interactions":[
		{"id":"i-show","type":"SHOW","slate":{"rootBlock":"root","blocks":[
			{"id":"root","name":"Container","props":{"spacing":"md"},"children":["b1"]},
			{"id":"b1","name":"Text","props":"{\"value\":\"Hi\"}","output":null}],
			"restrictions":{"nonEditableBlocks":["b1"]}}},
		{"id":"i-toast","type":"OPEN_TOAST","props":{"status":"success","title":"Saved"}},
		{"id":"i-data","type":"DATA","props":{"x":1}},
		{"id":"i-modal","type":"OPEN_MODAL","props":{"size":"md","title":"Edit"},"slate":{"id":"s1","rootBlock":"r","blocks":[{"id":"r","name":"Form"}]}},
		{"id":"i-close","type":"CLOSE"},
		{"id":"i-reload","type":"RELOAD","props":{"dynamicBlockKeys":["settings"]}},
		{"id":"i-redirect","type":"REDIRECT","props":{"url":"https://example.com","external":true}}]}}`
	got, err := delivery.Interactions("app-1", delivery.Result{Status: 200, Body: []byte(body)})
	require.NoError(t, err)
	require.Len(t, got, 6, "DATA has no schema type")
	assert.Equal(t, map[string]any{
		"appId": "app-1", "interactionId": "i-show", "type": "Show", "props": nil,
		"slate": map[string]any{
			"rootBlock": "root",
			"blocks": []any{
				map[string]any{"id": "root", "name": "Container", "props": `{"spacing":"md"}`, "children": `["b1"]`, "output": nil},
				map[string]any{"id": "b1", "name": "Text", "props": `{"value":"Hi"}`, "children": nil, "output": nil},
			},
			"restrictions": map[string]any{"nonEditableBlocks": []any{"b1"}},
		},
	}, got[0])
	assert.Equal(t, map[string]any{"appId": "app-1", "interactionId": "i-toast", "type": "OpenToast", "props": `{"status":"success","title":"Saved"}`, "slate": nil}, got[1])
	var types []string
	for _, g := range got {
		types = append(types, g.(map[string]any)["type"].(string))
	}
	assert.Equal(t, []string{"Show", "OpenToast", "OpenModal", "Close", "Reload", "Redirect"}, types)
	assert.Equal(t, "s1", got[2].(map[string]any)["slate"].(map[string]any)["id"])
}

func TestInteractionsRefuse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		err    string
	}{
		{"FAILED", 200, `{"type":"INTERACTION","status":"FAILED","errorCode":2,"errorMessage":"no such block"}`, "FAILED (errorCode 2): no such block"},
		{"HTTP 502", 502, `{}`, "HTTP 502"},
		{"an unknown type", 200, `{"status":"SUCCEEDED","data":{"interactions":[{"id":"i","type":"DANCE"}]}}`, `type "DANCE"`},
		{"interactions not a list", 200, `{"status":"SUCCEEDED","data":{"interactions":{}}}`, "not a list"},
		{"a slate without root", 200, `{"status":"SUCCEEDED","data":{"interactions":[{"id":"i","type":"SHOW","slate":{"blocks":[]}}]}}`, "no rootBlock"},
		{"a block without name", 200, `{"status":"SUCCEEDED","data":{"interactions":[{"id":"i","type":"SHOW","slate":{"rootBlock":"r","blocks":[{"id":"r"}]}}]}}`, "block 0 has no name"},
		{"a slate not an object", 200, `{"status":"SUCCEEDED","data":{"interactions":[{"id":"i","type":"SHOW","slate":"x"}]}}`, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := delivery.Interactions("app-1", delivery.Result{Status: tc.status, Body: []byte(tc.body)})
			require.ErrorIs(t, err, delivery.ErrAnswer)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
	got, err := delivery.Interactions("app-1", delivery.Result{Status: 200, Body: []byte(`{"status":"SUCCEEDED"}`)})
	require.NoError(t, err, "no interactions")
	assert.Empty(t, got)
}
