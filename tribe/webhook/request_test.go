package webhook

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeRequest(t *testing.T) {
	body := []byte(`{"networkId":"net-acme","context":"NETWORK","entityId":"net-acme",` +
		`"currentSettings":[{"id":"s1","appId":"app-1","networkId":"net-acme","context":"NETWORK","entityId":"net-acme","settings":{"k":"v"}}],` +
		`"type":"SUBSCRIPTION","data":{"id":"ev-1"},` +
		`"entities":{"network":{"id":"net-acme","name":"Acme"},"actor":{"id":"mem-alice"},"owner":null,"targetMember":{"id":"mem-bob","name":"Bob"}}}`)
	r, err := DecodeRequest(body)
	require.NoError(t, err)
	assert.Equal(t, "net-acme", r.NetworkID)
	assert.Equal(t, "NETWORK", r.Context)
	assert.Equal(t, "net-acme", r.EntityID)
	assert.Equal(t, TypeSubscription, r.Type)
	require.Len(t, r.CurrentSettings, 1)
	assert.Equal(t, Settings{ID: "s1", AppID: "app-1", NetworkID: "net-acme", Context: "NETWORK", EntityID: "net-acme", Settings: json.RawMessage(`{"k":"v"}`)}, r.CurrentSettings[0])
	assert.JSONEq(t, `{"id":"ev-1"}`, string(r.Data))
	require.NotNil(t, r.Entities)
	assert.Equal(t, "Acme", r.Entities.Network.Name)
	assert.Equal(t, "mem-alice", r.Entities.Actor.ID)
	assert.Nil(t, r.Entities.Owner)
	assert.Equal(t, "Bob", r.Entities.TargetMember.Name)
	assert.JSONEq(t, `{"id":"mem-bob","name":"Bob"}`, string(r.Entities.TargetMember.Raw))
	assert.Equal(t, body, []byte(r.Raw))
}

func TestDecodeRequestRefuses(t *testing.T) {
	for _, body := range []string{``, `null`, `"TEST"`, `[]`, `{}`, `{"type":""}`, `{"type":null}`, `{"type":["TEST"]}`,
		`{"type":"TEST"`, `{"type":"` + string(make([]byte, 65)) + `"}`, `{"type":"TEST","currentSettings":{}}`,
		`{"type":"TEST","entities":[]}`, `{"type":"TEST","networkId":5}`} {
		r, err := DecodeRequest([]byte(body))
		assert.ErrorIs(t, err, ErrMalformedRequest, "%q", body)
		assert.Nil(t, r)
	}
}

func TestTypedData(t *testing.T) {
	t.Run("event, with its times", func(t *testing.T) {
		for _, tc := range []struct{ time, want string }{
			{`"2021-12-20T03:32:18.757Z"`, "2021-12-20T03:32:18.757Z"},
			{`1767225600000`, "2026-01-01T00:00:00Z"},
			{`1767225600`, "2026-01-01T00:00:00Z"},
			{`"yesterday"`, ""},
			{`null`, ""},
			{`{"nested":1}`, ""},
			{`-5`, ""},
		} {
			r := &Request{Type: TypeSubscription, Data: json.RawMessage(`{"id":"ev-1","time":` + tc.time + `,"name":"member.created","noun":"MEMBER","verb":"CREATED",` +
				`"verbAction":"ADDED","shortDescription":"Create member","actor":{"id":"m1","roleId":"r1","roleType":"admin","spaceRoleId":"sr","spaceRoleType":"member","sessionInfo":[null]},` +
				`"object":{"id":"m2"},"oldObject":{"id":"m2","name":"old"},"target":{"organizationId":"o","networkId":"n","spaceId":"s","postId":"p","memberId":"m2"}}`)}
			e, err := r.Event()
			require.NoError(t, err, tc.time)
			if tc.want == "" {
				assert.True(t, e.Time.IsZero(), tc.time)
			} else {
				assert.Equal(t, tc.want, e.Time.UTC().Format(time.RFC3339Nano), tc.time)
			}
			assert.Equal(t, "ev-1", e.ID)
			assert.Equal(t, "member.created", e.Name)
			assert.Equal(t, &Actor{ID: "m1", RoleID: "r1", RoleType: "admin", SpaceRoleID: "sr", SpaceRoleType: "member"}, e.Actor)
			assert.Equal(t, &Target{OrganizationID: "o", NetworkID: "n", SpaceID: "s", PostID: "p", MemberID: "m2"}, e.Target)
			assert.JSONEq(t, `{"id":"m2","name":"old"}`, string(e.OldObject))
			assert.Contains(t, string(e.Raw), `"sessionInfo":[null]`)
		}
	})
	t.Run("installation", func(t *testing.T) {
		r := &Request{Type: TypeAppInstalled, Data: json.RawMessage(`{"id":"i1","networkId":"n","networkInfo":{"name":"Acme"},"appId":"a","status":"ENABLED",` +
			`"context":"NETWORK","entityId":"n","permissions":["READ","WRITE"],"installedById":"m1","createdAt":"2026-01-01T00:00:00Z",` +
			`"updatedAt":"2026-01-02T00:00:00Z","installedAt":"2026-01-01T00:00:00Z","templatesMappings":{}}`)}
		in, err := r.Installation()
		require.NoError(t, err)
		assert.Equal(t, "i1", in.ID)
		assert.Equal(t, []string{"READ", "WRITE"}, in.Permissions)
		assert.Equal(t, 2, in.UpdatedAt.Day())
		assert.JSONEq(t, `{"name":"Acme"}`, string(in.NetworkInfo))
		assert.Contains(t, string(in.Raw), "templatesMappings")
	})
	t.Run("interaction, first load and submit", func(t *testing.T) {
		r := &Request{Data: json.RawMessage(`{"actorId":"m","appId":"a","interactionId":"i","preview":true,"dynamicBlockKey":"settings","shortcutKey":null,"callbackId":null,"inputs":null}`)}
		in, err := r.Interaction()
		require.NoError(t, err)
		assert.Equal(t, InteractionInput{ActorID: "m", AppID: "a", InteractionID: "i", Preview: true, DynamicBlockKey: "settings",
			Inputs: json.RawMessage("null"), Raw: r.Data}, *in)
		r.Data = json.RawMessage(`{"interactionId":"i","callbackId":"save","inputs":{"title":"x"}}`)
		in, err = r.Interaction()
		require.NoError(t, err)
		assert.Equal(t, "save", in.CallbackID)
		assert.JSONEq(t, `{"title":"x"}`, string(in.Inputs))
	})
	t.Run("the others", func(t *testing.T) {
		r := &Request{Data: json.RawMessage(`{"member":{"id":"m"},"role":{"id":"r","name":"Admin"},"entities":[{"context":"POST","entity":{"id":"p"},"shortcuts":["a","b"]}]}`)}
		ss, err := r.ShortcutsStates()
		require.NoError(t, err)
		assert.Equal(t, "Admin", ss.Role.Name)
		assert.Equal(t, []string{"a", "b"}, ss.Entities[0].Shortcuts)
		r.Data = json.RawMessage(`{"query":"hello"}`)
		s, err := r.Search()
		require.NoError(t, err)
		assert.Equal(t, "hello", s.Query)
		r.Data = json.RawMessage(`{"settings":{"x":1}}`)
		u, err := r.SettingsUpdate()
		require.NoError(t, err)
		assert.JSONEq(t, `{"x":1}`, string(u.Settings))
	})
	t.Run("no data is empty data", func(t *testing.T) {
		for _, data := range []string{"", "null"} {
			r := &Request{Data: json.RawMessage(data)}
			e, err := r.Event()
			require.NoError(t, err)
			assert.Empty(t, e.ID)
			_, err = r.Challenge()
			require.ErrorIs(t, err, ErrMalformedRequest)
		}
	})
	t.Run("data of the wrong shape", func(t *testing.T) {
		for _, data := range []string{`[]`, `"x"`, `{"id":1}`, `{"actor":"m"}`, `{"time":` + `"x",` + `}`} {
			r := &Request{Data: json.RawMessage(data)}
			_, err := r.Event()
			assert.ErrorIs(t, err, ErrMalformedRequest, data)
		}
	})
}
