package webhook

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnswerBuilders(t *testing.T) {
	slate := json.RawMessage(`{"rootBlock":"root","blocks":[{"id":"root","name":"Container"}]}`)
	tests := []struct {
		name string
		a    *Answer
		want string
	}{
		{"succeeded", Succeeded(nil), `{"type":"","status":"SUCCEEDED","data":{}}`},
		{"succeeded with data", Succeeded(map[string]int{"n": 1}), `{"type":"","status":"SUCCEEDED","data":{"n":1}}`},
		{"store", Store(map[string]string{"k": "v"}), `{"type":"","status":"SUCCEEDED","data":{"toStore":{"k":"v"}}}`},
		{"failed", Failed(ErrorPermission, "not allowed"), `{"type":"","status":"FAILED","errorCode":102,"errorMessage":"not allowed"}`},
		{"no interactions", Interactions(), `{"type":"","status":"SUCCEEDED","data":{"interactions":[]}}`},
		{"every interaction", Interactions(
			Show("s", slate),
			OpenModal("m", ModalProps{Size: "md", Title: "Settings"}, slate),
			OpenToast("t", ToastProps{Status: "success", Title: "Saved", Description: "All good"}),
			Close("c"),
			Reload("r", ReloadProps{Context: "POST", EntityID: "post-1"}),
			Redirect("d", RedirectProps{URL: "https://example.com", External: true}),
			Data("x", map[string]any{"count": 3}),
		), `{"type":"","status":"SUCCEEDED","data":{"interactions":[
			{"id":"s","type":"SHOW","slate":{"rootBlock":"root","blocks":[{"id":"root","name":"Container"}]}},
			{"id":"m","type":"OPEN_MODAL","props":{"size":"md","title":"Settings"},"slate":{"rootBlock":"root","blocks":[{"id":"root","name":"Container"}]}},
			{"id":"t","type":"OPEN_TOAST","props":{"status":"success","title":"Saved","description":"All good"}},
			{"id":"c","type":"CLOSE"},
			{"id":"r","type":"RELOAD","props":{"context":"POST","entityId":"post-1"}},
			{"id":"d","type":"REDIRECT","props":{"url":"https://example.com","external":true}},
			{"id":"x","type":"DATA","props":{"count":3}}]}}`},
		{"shortcut states", ShortcutStates(EntityShortcutStates{Context: "POST", EntityID: "p1", ShortcutStates: []ShortcutState{{Shortcut: "fav", State: "marked"}}}),
			`{"type":"","status":"SUCCEEDED","data":[{"context":"POST","entityId":"p1","shortcutStates":[{"shortcut":"fav","state":"marked"}]}]}`},
		{"no shortcut states", ShortcutStates(), `{"type":"","status":"SUCCEEDED","data":[]}`},
		{"search results", SearchResults(SearchResult{ID: "1", URL: "https://e.com/1", Title: "One", Description: "first", IconURL: "https://e.com/i.png"}),
			`{"type":"","status":"SUCCEEDED","data":[{"id":"1","url":"https://e.com/1","title":"One","description":"first","iconUrl":"https://e.com/i.png"}]}`},
		{"no search results", SearchResults(), `{"type":"","status":"SUCCEEDED","data":[]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.a)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(b))
		})
	}
}

func TestSlateStaysRaw(t *testing.T) {
	// A slate with fields in an order and spacing of its own is sent as
	// given, byte for byte.
	slate := json.RawMessage(`{"z":1,"a":{"b":[true,null]}}`)
	b, err := json.Marshal(Show("s", slate))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"slate":{"z":1,"a":{"b":[true,null]}}`)
}
