package webhook

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSamplesReachTheirFunctions: the sample of every type and event is
// verified, decoded and handed to its function with its data typed.
func TestSamplesReachTheirFunctions(t *testing.T) {
	h, logs := newHandler(t)
	var got string
	h.Test = func(_ context.Context, _ *Request, c string) { got = "TEST " + c }
	h.Event = func(_ context.Context, _ *Request, e *Event) (*Answer, error) {
		got = "event " + e.Name
		if e.ID == "" || e.Actor == nil || e.Target == nil || len(e.Object) == 0 || e.Time.IsZero() {
			t.Errorf("sample event %s lacks a field: %+v", e.Name, e)
		}
		if strings.HasSuffix(e.Name, ".updated") && len(e.OldObject) == 0 {
			t.Errorf("sample event %s has no oldObject", e.Name)
		}
		return nil, nil
	}
	h.Installed = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
		got = "installed " + in.AppID
		return nil, nil
	}
	h.Uninstalled = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
		got = "uninstalled " + in.UninstalledByID
		return nil, nil
	}
	h.Interaction = func(_ context.Context, _ *Request, in *InteractionInput) (*Answer, error) {
		got = "interaction " + in.DynamicBlockKey
		return nil, nil
	}
	h.ShortcutsStates = func(_ context.Context, _ *Request, in *ShortcutsStatesInput) (*Answer, error) {
		got = "shortcuts " + in.Entities[0].Shortcuts[0]
		return nil, nil
	}
	h.FederatedSearch = func(_ context.Context, _ *Request, in *SearchInput) (*Answer, error) {
		got = "search " + in.Query
		return nil, nil
	}
	h.GetSettings = func(context.Context, *Request) (*Answer, error) { got = "get settings"; return nil, nil }
	h.UpdateSettings = func(_ context.Context, _ *Request, in *SettingsUpdate) (*Answer, error) {
		got = "update settings " + string(in.Settings)
		return nil, nil
	}
	want := map[string]string{
		TypeTest: "TEST c-1", TypeAppInstalled: "installed app-1", TypeAppUninstalled: "uninstalled mem-alice",
		TypeInteraction: "interaction settings", TypeShortcutsStates: "shortcuts favorite", TypeFederatedSearch: "search welcome",
		TypeGetSettings: "get settings", TypeUpdateSettings: `update settings {"greeting":"Hello, Acme"}`,
	}
	for _, typ := range Types() {
		if typ == TypeSubscription {
			continue
		}
		got = ""
		body, err := Sample{Type: typ, Challenge: "c-1"}.Body()
		require.NoError(t, err, typ)
		code, _ := serve(h, delivery(t, string(body)))
		assert.Equal(t, 200, code, typ)
		assert.Equal(t, want[typ], got, typ)
	}
	for _, name := range SampleEvents() {
		got = ""
		body, err := Sample{Event: name}.Body()
		require.NoError(t, err, name)
		code, _ := serve(h, delivery(t, string(body)))
		assert.Equal(t, 200, code, name)
		assert.Equal(t, "event "+name, got)
	}
	assert.Empty(t, logs.lines())
}

func TestSampleFields(t *testing.T) {
	t.Run("a fresh id each time", func(t *testing.T) {
		a, err := Sample{Event: "post.published"}.Body()
		require.NoError(t, err)
		b, err := Sample{Event: "post.published"}.Body()
		require.NoError(t, err)
		ra, _ := DecodeRequest(a)
		rb, _ := DecodeRequest(b)
		ea, _ := ra.Event()
		eb, _ := rb.Event()
		assert.NotEmpty(t, ea.ID)
		assert.NotEqual(t, ea.ID, eb.ID)
	})
	t.Run("given ids and time", func(t *testing.T) {
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		body, err := Sample{Type: TypeSubscription, Event: "member.created", NetworkID: "net-x", ActorID: "mem-x", ID: "ev-x", Time: at}.Body()
		require.NoError(t, err)
		r, err := DecodeRequest(body)
		require.NoError(t, err)
		e, err := r.Event()
		require.NoError(t, err)
		assert.Equal(t, "net-x", r.NetworkID)
		assert.Equal(t, "ev-x", e.ID)
		assert.Equal(t, "mem-x", e.Actor.ID)
		assert.Equal(t, "MEMBER", e.Noun)
		assert.Equal(t, "CREATED", e.Verb)
		assert.True(t, e.Time.Equal(at))
	})
	t.Run("data replaced", func(t *testing.T) {
		body, err := Sample{Type: "CUSTOM_TYPE", Data: json.RawMessage(`{"x": [1]}`)}.Body()
		require.NoError(t, err)
		r, err := DecodeRequest(body)
		require.NoError(t, err)
		assert.Equal(t, "CUSTOM_TYPE", r.Type)
		assert.JSONEq(t, `{"x":[1]}`, string(r.Data))
	})
	t.Run("the default is a TEST", func(t *testing.T) {
		body, err := Sample{Challenge: "c-9"}.Body()
		require.NoError(t, err)
		assert.Equal(t, `{"networkId":"net-acme","context":"NETWORK","entityId":"net-acme","currentSettings":[],"type":"TEST","data":{"challenge":"c-9"}}`, string(body))
	})
}

func TestSampleRefuses(t *testing.T) {
	tests := []struct {
		s    Sample
		want string
	}{
		{Sample{Event: "post.publised"}, `no sample of the event "post.publised"; give Sample.Data, or one of member.created`},
		{Sample{Type: TypeSubscription}, "Sample.Event is empty for a SUBSCRIPTION"},
		{Sample{Type: "CUSTOM"}, "no sample of type CUSTOM; give Sample.Data, or one of TEST, SUBSCRIPTION"},
		{Sample{Type: "BAD TYPE"}, "Sample.Type: the type has a character"},
		{Sample{Type: TypeTest, Event: "post.published"}, "Sample.Event is set for a TEST request"},
		{Sample{Type: TypeTest, Data: json.RawMessage(`[1]`)}, "Sample.Data is not a JSON object"},
		{Sample{Type: TypeTest, Data: json.RawMessage(`{"a":`)}, "Sample.Data is not a JSON object"},
	}
	for _, tc := range tests {
		_, err := tc.s.Body()
		require.ErrorIs(t, err, ErrInvalidInput, tc.want)
		assert.Contains(t, err.Error(), tc.want)
	}
}
