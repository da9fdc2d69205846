package tribetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tribekit/tribekit/tribe/webhook"
)

const testSecret = "whsec-test-0123456789abcdef"

// recorder is an app's webhook endpoint built on package webhook: it
// verifies each request, drops duplicates with a MemoryDedupe, answers
// TEST, and keeps the events it processed.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	events   []*webhook.Event
	installs []string
	at       []time.Time
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	v, err := webhook.NewVerifier(0, testSecret)
	require.NoError(t, err)
	rc := &recorder{}
	rc.Server = httptest.NewServer(&webhook.Handler{
		Verifier: v,
		Dedupe:   webhook.NewMemoryDedupe(0),
		Event: func(_ context.Context, _ *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.events = append(rc.events, e)
			rc.at = append(rc.at, time.Now())
			return nil, nil
		},
		Installed: func(_ context.Context, r *webhook.Request, in *webhook.Installation) (*webhook.Answer, error) {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.installs = append(rc.installs, r.Type+" "+in.AppID+" "+in.NetworkID)
			return nil, nil
		},
		Uninstalled: func(_ context.Context, r *webhook.Request, in *webhook.Installation) (*webhook.Answer, error) {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.installs = append(rc.installs, r.Type+" "+in.AppID+" "+in.NetworkID)
			return nil, nil
		},
	})
	t.Cleanup(rc.Close)
	return rc
}

// count is how many events named name the app processed.
func (rc *recorder) count(name string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, e := range rc.events {
		if e.Name == name {
			n++
		}
	}
	return n
}

func (rc *recorder) list() []*webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*webhook.Event(nil), rc.events...)
}

func waitDeliveries(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, s.WaitDeliveries(ctx))
}

func TestPostPublishedReachesTheApp(t *testing.T) {
	rc := newRecorder(t)
	s, carol := pubServer(t, "", WithAppWebhook(DefaultAppID, AppWebhook{URL: rc.URL + "/webhook", SignSecret: testSecret, Subscriptions: []string{"post.published"}}))
	s.DuplicateDeliveries(1) // a fault: the mock delivers the event twice
	start := time.Now()
	r := q(t, s, carol, createTitled, map[string]any{"space": "space-1", "title": titleValue("Hello"), "publish": true})
	id := path(r.Data, "createPost", "id").(string)
	require.Eventually(t, func() bool { return rc.count("post.published") == 1 }, time.Second, 5*time.Millisecond, "within a second")
	waitDeliveries(t, s)

	events := rc.list()
	require.Len(t, events, 1, "exactly one: the receiver's dedupe dropped the duplicate")
	e := events[0]
	assert.Less(t, rc.at[0].Sub(start), time.Second)
	assert.Equal(t, "post.published", e.Name)
	assert.Equal(t, id, e.Target.PostID)
	assert.Equal(t, PlainMemberID, e.Actor.ID)
	var obj map[string]any
	require.NoError(t, json.Unmarshal(e.Object, &obj))
	assert.Equal(t, "Hello", obj["title"])

	ds := s.Deliveries()
	require.Len(t, ds, 1)
	d := ds[0]
	assert.Equal(t, "delivered", d.State)
	assert.Equal(t, "SUBSCRIPTION", d.Type)
	assert.Equal(t, e.ID, d.EventID)
	require.Len(t, d.Attempts, 2)
	assert.True(t, d.Attempts[1].Duplicate)
	assert.Equal(t, 200, d.Attempts[1].Status, "the duplicate is answered 200 too")

	q(t, s, carol, `mutation($id: ID!) { updatePost(id: $id, input: {}) { id } }`, map[string]any{"id": id})
	waitDeliveries(t, s)
	assert.Equal(t, 0, rc.count("post.updated"), "not subscribed")
}

func TestEveryEventReachesASubscriberOfAll(t *testing.T) {
	rc := newRecorder(t)
	s, alice := pubServer(t, AdminMemberID, WithAppWebhook(DefaultAppID, AppWebhook{URL: rc.URL, SignSecret: testSecret}))
	sp := q(t, s, alice, `mutation { createSpace(input: {name: "News"}) { id } }`, nil)
	sid := path(sp.Data, "createSpace", "id").(string)
	p := q(t, s, alice, createTitled, map[string]any{"space": sid, "title": titleValue("T"), "publish": true})
	pid := path(p.Data, "createPost", "id").(string)
	q(t, s, alice, `mutation($id: ID!) { updatePost(id: $id, input: {}) { id } }`, map[string]any{"id": pid})
	q(t, s, alice, `mutation($id: ID!) { deletePost(id: $id) { status } }`, map[string]any{"id": pid})
	q(t, s, alice, `mutation($id: ID!) { updateSpace(id: $id, input: {name: "Old news"}) { id } }`, map[string]any{"id": sid})
	q(t, s, alice, `mutation($id: ID!) { leaveSpace(spaceId: $id) { status } }`, map[string]any{"id": sid})
	q(t, s, alice, `mutation { updateMember(input: {tagline: "Hi"}) { id } }`, nil)
	q(t, s, alice, `mutation($id: ID!) { deleteSpace(id: $id) { status } }`, map[string]any{"id": sid})
	waitDeliveries(t, s)
	var names []string
	for _, e := range rc.list() {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"space.created", "space_membership.created", "post.published", "post.updated", "post.deleted",
		"space.updated", "space_membership.deleted", "member.updated", "space.deleted"}, names, "in commit order")
}

func TestInstallAndUninstallReachTheApp(t *testing.T) {
	rc := newRecorder(t)
	s, alice := pubServer(t, AdminMemberID, WithAppWebhook(DefaultAppID, AppWebhook{URL: rc.URL, SignSecret: testSecret}))
	require.NoError(t, s.Install(DefaultClientID, OtherNetworkID))
	require.NoError(t, s.Uninstall(DefaultClientID, OtherNetworkID))
	r := q(t, s, alice, `mutation { installApp(appId: "app-test") { id status } }`, nil)
	inst := path(r.Data, "installApp", "id").(string)
	assert.Equal(t, "ENABLED", path(r.Data, "installApp", "status"))
	r = q(t, s, alice, `mutation($id: ID!) { uninstallApp(appInstallationId: $id) { status } }`, map[string]any{"id": inst})
	assert.Equal(t, "DELETED", path(r.Data, "uninstallApp", "status"))
	waitDeliveries(t, s)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	assert.ElementsMatch(t, []string{
		"APP_INSTALLED app-test " + OtherNetworkID, "APP_UNINSTALLED app-test " + OtherNetworkID,
		"APP_INSTALLED app-test " + DefaultNetworkID, "APP_UNINSTALLED app-test " + DefaultNetworkID,
	}, rc.installs, "an uninstall is not taken for a duplicate of its install (and each network's go in order)")
}

func TestTestWebhook(t *testing.T) {
	rc := newRecorder(t)
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"not it"}}`)
	}))
	defer wrong.Close()
	s, alice := pubServer(t, AdminMemberID, WithAppWebhook(DefaultAppID, AppWebhook{URL: rc.URL, SignSecret: testSecret}))
	require.NoError(t, s.TestWebhook(context.Background(), DefaultAppID), "package webhook's handler answers TEST")
	r := q(t, s, alice, `mutation($u: String!) { globalTestAppWebhook(appId: "app-test", input: {webhookUrl: $u}) { status } }`, map[string]any{"u": rc.URL})
	assert.Equal(t, "succeeded", path(r.Data, "globalTestAppWebhook", "status"))
	bad := gql(t, s, s.GraphQLURL(), alice, `mutation($u: String!) { globalTestAppWebhook(appId: "app-test", input: {webhookUrl: $u}) { status } }`, map[string]any{"u": wrong.URL})
	require.Len(t, bad.Errors, 1)
	assert.Contains(t, bad.Errors[0].Message, "does not echo its challenge")
	err := s.TestWebhook(context.Background(), "no-such-app")
	assert.ErrorContains(t, err, "no app has that id")
}

func TestInteractWithApps(t *testing.T) {
	var got webhook.InteractionInput
	var mu sync.Mutex
	v, err := webhook.NewVerifier(0, testSecret)
	require.NoError(t, err)
	app := httptest.NewServer(&webhook.Handler{Verifier: v, Interaction: func(_ context.Context, r *webhook.Request, in *webhook.InteractionInput) (*webhook.Answer, error) {
		mu.Lock()
		got = *in
		mu.Unlock()
		if in.CallbackID == "fail" {
			return webhook.Failed(webhook.ErrorCode(3), "no such form"), nil
		}
		return webhook.Interactions(
			webhook.Show("settings", json.RawMessage(`{"rootBlock":"root","blocks":[{"id":"root","name":"Text","props":{"value":"Hi"}}]}`)),
			webhook.OpenToast("toast", webhook.ToastProps{Status: "success", Title: "Saved"}),
			webhook.Data("d", map[string]any{"x": 1}),
		), nil
	}})
	defer app.Close()
	s, carol := pubServer(t, "", WithAppWebhook(DefaultAppID, AppWebhook{InteractionURL: app.URL, SignSecret: testSecret}))
	const interact = `mutation($cb: String) { interactWithApps(context: NETWORK, entityId: "net-acme", input: [{appId: "app-test", interactionId: "i-1", dynamicBlockId: "settings", callbackId: $cb, inputs: "{\"name\":\"x\"}"}]) {
		appId interactionId type props slate { rootBlock blocks { id name props } } } }`
	r := q(t, s, carol, interact, map[string]any{"cb": "save"})
	list := path(r.Data, "interactWithApps").([]any)
	require.Len(t, list, 2, "DATA has no schema type")
	assert.Equal(t, map[string]any{"appId": "app-test", "interactionId": "settings", "type": "Show", "props": nil,
		"slate": map[string]any{"rootBlock": "root", "blocks": []any{map[string]any{"id": "root", "name": "Text", "props": `{"value":"Hi"}`}}}}, list[0])
	assert.Equal(t, "OpenToast", path(list[1], "type"))
	assert.JSONEq(t, `{"status":"success","title":"Saved"}`, path(list[1], "props").(string))
	mu.Lock()
	assert.Equal(t, PlainMemberID, got.ActorID)
	assert.Equal(t, "settings", got.DynamicBlockKey)
	assert.Equal(t, "save", got.CallbackID)
	assert.JSONEq(t, `{"name":"x"}`, string(got.Inputs))
	assert.False(t, got.Preview)
	mu.Unlock()

	failed := gql(t, s, s.GraphQLURL(), carol, interact, map[string]any{"cb": "fail"})
	require.Len(t, failed.Errors, 1)
	assert.Contains(t, failed.Errors[0].Message, "no such form")
}

func TestCloseStopsDeliveries(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server sees the client go
		<-r.Context().Done()
	}))
	s := NewServer(WithSchema(publishedSchema(t)), WithAppWebhook(DefaultAppID, AppWebhook{URL: hang.URL, SignSecret: testSecret}))
	tok := memberToken(t, s)
	start := time.Now()
	for range 3 {
		q(t, s, bearer(tok), createTitled, map[string]any{"space": "s", "title": titleValue("x"), "publish": true})
	}
	assert.Less(t, time.Since(start), 2*time.Second, "a hanging app never holds up an answer")
	s.Close()
	for _, d := range s.Deliveries() {
		assert.Equal(t, "canceled", d.State)
	}
	hang.CloseClientConnections()
	hang.Close()
}

func TestAppWebhookHasNoSecretInItsString(t *testing.T) {
	w := AppWebhook{URL: "http://127.0.0.1/x", SignSecret: testSecret}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, strings.ToLower(fmt.Sprintf(f, w)), testSecret)
	}
	a := App{ClientID: "c", ClientSecret: "cs", WebhookSignSecret: testSecret}
	assert.NotContains(t, fmt.Sprintf("%#v", a), testSecret)
}
