package tribetest

// Calling apps back: the server delivers each event of the community
// (community.go) to the apps installed on its network that subscribe to
// it, installs and uninstalls, TEST requests and interactions, signed as
// Tribe signs them (package webhook), through package delivery.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// AppWebhook is where the server calls an app back, as an app's
// settings on Bettermode have it
// (https://developers.bettermode.com/docs/guide/webhooks/getting-started):
// the fixtures' app fields webhookUrl, webhookSignSecret,
// webhookSubscriptions and interactionUrl, or [WithAppWebhook].
type AppWebhook struct {
	// URL is the app's webhookUrl: events, installs and uninstalls, TEST.
	URL string
	// SignSecret signs every request to the app (its webhookSignSecret).
	SignSecret string
	// Subscriptions are the event names the app gets (post.published…),
	// "*" for every one; empty: every event.
	Subscriptions []string
	// InteractionURL gets the app's interactions (interactWithApps).
	InteractionURL string
}

// String describes w without its secret.
func (w AppWebhook) String() string {
	return fmt.Sprintf("tribetest.AppWebhook{URL:%q SignSecret:[REDACTED] Subscriptions:%q InteractionURL:%q}", w.URL, w.Subscriptions, w.InteractionURL)
}

// GoString is [AppWebhook.String], so %#v does not print the secret either.
func (w AppWebhook) GoString() string { return w.String() }

// hookConfig is what the options say of deliveries.
type hookConfig struct {
	apps     map[string]AppWebhook // by app id or client id
	timeout  time.Duration
	attempts int
	backoff  time.Duration
}

// WithAppWebhook sets where the server calls app appID (its id, or its
// client id) back, in place of the fixtures' webhookUrl,
// webhookSignSecret, webhookSubscriptions and interactionUrl.
func WithAppWebhook(appID string, w AppWebhook) Option {
	return func(c *config) error {
		if err := checkHookURL("WithAppWebhook: URL", w.URL); err != nil {
			return err
		}
		if err := checkHookURL("WithAppWebhook: InteractionURL", w.InteractionURL); err != nil {
			return err
		}
		if w.URL != "" && w.SignSecret == "" {
			return errors.New("tribetest: WithAppWebhook: a URL without a SignSecret; give the app's signing secret, which signs every request to it")
		}
		if c.hooks.apps == nil {
			c.hooks.apps = map[string]AppWebhook{}
		}
		w.Subscriptions = slices.Clone(w.Subscriptions)
		c.hooks.apps[appID] = w
		return nil
	}
}

// WithDeliveryTimeout bounds each attempt of a delivery to an app
// (default 10 seconds): an app that does not answer in time gets the
// delivery again later.
func WithDeliveryTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("tribetest: WithDeliveryTimeout: the timeout must be positive")
		}
		c.hooks.timeout = d
		return nil
	}
}

// WithDeliveryRetries sets how often a delivery is tried at most, the
// first attempt included (default 5), and the wait before the first
// retry, which doubles with each next one up to 30 seconds (default 1
// second).
func WithDeliveryRetries(attempts int, backoff time.Duration) Option {
	return func(c *config) error {
		if attempts < 1 || attempts > 100 || backoff <= 0 {
			return errors.New("tribetest: WithDeliveryRetries: give 1 to 100 attempts and a positive backoff")
		}
		c.hooks.attempts, c.hooks.backoff = attempts, backoff
		return nil
	}
}

// checkHookURL refuses a URL the server cannot call.
func checkHookURL(what, u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("tribetest: %s is not an http or https URL with a host; give one such as http://127.0.0.1:8080/webhook", what)
	}
	return nil
}

// newDeliveries sets the apps' webhooks from the options over the
// fixtures', and makes the dispatcher.
func (s *Server) newDeliveries() error {
	for key, w := range s.cfg.hooks.apps {
		ar := s.st.appByClient[key]
		for _, a := range s.st.apps {
			if a.app.ID == key {
				ar = a
			}
		}
		if ar == nil {
			return fmt.Errorf("tribetest: WithAppWebhook(%q): no app has that id or client id; name one of the fixtures' apps", clip(key))
		}
		ar.app.WebhookURL, ar.app.WebhookSignSecret = w.URL, w.SignSecret
		ar.app.WebhookSubscriptions, ar.app.InteractionURL = w.Subscriptions, w.InteractionURL
	}
	for _, ar := range s.st.apps {
		where := "app " + strconvQuote(ar.app.ClientID)
		if err := checkHookURL(where+": webhookUrl", ar.app.WebhookURL); err != nil {
			return err
		}
		if err := checkHookURL(where+": interactionUrl", ar.app.InteractionURL); err != nil {
			return err
		}
		if (ar.app.WebhookURL != "" || ar.app.InteractionURL != "") && ar.app.WebhookSignSecret == "" {
			return fmt.Errorf("tribetest: %s: a webhookUrl or interactionUrl without a webhookSignSecret; give the app's signing secret", where)
		}
	}
	h := s.cfg.hooks
	s.disp = delivery.New(delivery.Options{Timeout: h.timeout, Attempts: h.attempts, Backoff: h.backoff, Report: s.logDelivery})
	s.installIDs = map[string]installRef{}
	s.originals = map[string]*Member{}
	return nil
}

// logDelivery logs each attempt of a delivery on the Logger.
func (s *Server) logDelivery(d delivery.Delivery) {
	l := s.cfg.logger
	if l == nil {
		return
	}
	args := []any{"id", d.ID, "type", d.Type, "event", d.Event, "eventId", d.EventID, "network", d.Community, "app", d.AppID, "url", d.URL, "state", string(d.State)}
	if n := len(d.Attempts); n > 0 {
		a := d.Attempts[n-1]
		args = append(args, "attempt", n, "status", a.Status, "ms", float64(a.Duration.Microseconds())/1000)
		if a.Error != "" {
			args = append(args, "error", a.Error)
		}
		if a.Duplicate {
			args = append(args, "duplicate", true)
		}
	} else if d.Error != "" {
		args = append(args, "error", d.Error)
	}
	l.Info("delivery", args...)
}

// hookTarget is an app to deliver to, as the state had it.
type hookTarget struct {
	appID, url, secret string
	network            map[string]any
}

// subscribed reports whether subscriptions take event.
func subscribed(subscriptions []string, event string) bool {
	return len(subscriptions) == 0 || slices.Contains(subscriptions, "*") || slices.Contains(subscriptions, event)
}

// emitEvent delivers an event of the community to the apps installed on
// its network that subscribe to it. The community calls it with the
// network's lock held, so that deliveries leave in commit order; it
// takes s.mu, and Send never waits.
func (s *Server) emitEvent(e community.Event) {
	var targets []hookTarget
	s.mu.Lock()
	nr := s.st.netByID[e.NetworkID]
	for _, ar := range s.st.apps {
		if ar.installed[e.NetworkID] && ar.app.WebhookURL != "" && subscribed(ar.app.WebhookSubscriptions, e.Name) {
			targets = append(targets, hookTarget{appID: ar.app.ID, url: ar.app.WebhookURL, secret: ar.app.WebhookSignSecret, network: networkEntity(nr)})
		}
	}
	s.mu.Unlock()
	if len(targets) == 0 {
		return
	}
	data := e.Data()
	for _, t := range targets {
		body, err := delivery.Envelope{
			NetworkID: e.NetworkID, AppID: t.appID, Settings: e.Settings[t.appID], Type: webhook.TypeSubscription,
			Data: data, Network: t.network, Actor: map[string]any{"id": e.Actor["id"]},
		}.Body()
		if err != nil {
			continue // the community's values are JSON
		}
		s.disp.Send(delivery.Job{Community: e.NetworkID, AppID: t.appID, Type: webhook.TypeSubscription, Event: e.Name, EventID: e.ID,
			URL: t.url, Secret: t.secret, Body: body})
	}
}

// networkEntity is a network as a request's entities.network.
func networkEntity(nr *netRec) map[string]any {
	if nr == nil {
		return nil
	}
	return map[string]any{"id": nr.net.ID, "name": nr.net.Name, "domain": nr.net.Domain}
}

// installRef names the app and network of an installation id.
type installRef struct{ appID, networkID string }

// installation is the installation of ar on networkID, as an
// APP_INSTALLED request's data and installApp's answer; s.mu is held.
// Each change of it has its own updatedAt, so that a receiver's dedupe
// tells an uninstall from the install before it.
func (s *Server) installation(ar *appRec, networkID, byID string, installed bool) map[string]any {
	id := "inst-" + ar.app.ID + "-" + networkID
	s.installIDs[id] = installRef{ar.app.ID, networkID}
	now := s.Now().Truncate(time.Millisecond)
	if !now.After(s.lastInstall) {
		now = s.lastInstall.Add(time.Millisecond)
	}
	s.lastInstall = now
	at := now.UTC().Format("2006-01-02T15:04:05.000Z")
	in := map[string]any{
		"id": id, "networkId": networkID, "appId": ar.app.ID, "status": "ENABLED", "context": "NETWORK", "entityId": networkID,
		"permissions": []any{}, "installedById": byID, "createdAt": at, "updatedAt": at, "installedAt": at,
	}
	if !installed {
		in["status"], in["uninstalledById"] = "DELETED", byID
	}
	return in
}

// deliverInstall sends APP_INSTALLED or APP_UNINSTALLED of in to the
// app's webhookUrl; s.mu is held.
func (s *Server) deliverInstall(ar *appRec, networkID string, in map[string]any) {
	if ar.app.WebhookURL == "" {
		return
	}
	typ := webhook.TypeAppInstalled
	if in["status"] == "DELETED" {
		typ = webhook.TypeAppUninstalled
	}
	body, err := delivery.Envelope{NetworkID: networkID, AppID: ar.app.ID, Type: typ, Data: in, Network: networkEntity(s.st.netByID[networkID])}.Body()
	if err != nil {
		return
	}
	id, _ := in["id"].(string)
	s.disp.Send(delivery.Job{Community: networkID, AppID: ar.app.ID, Type: typ, EventID: id, URL: ar.app.WebhookURL, Secret: ar.app.WebhookSignSecret, Body: body})
}

// appByID is the app of id, or nil; s.mu is held.
func (s *Server) appByID(id string) *appRec {
	for _, ar := range s.st.apps {
		if ar.app.ID == id {
			return ar
		}
	}
	return nil
}

// appMutation answers installApp, uninstallApp, globalTestAppWebhook and
// interactWithApps.
func (s *Server) appMutation(auth *authState, a community.Actor, fd string, args map[string]any) (any, error) {
	if a.Status == "BLOCKED" || a.Status == "Suspended" {
		return nil, &apiError{code: codeForbidden, message: "Forbidden: member " + strconvQuote(a.MemberID) + " is " + a.Status}
	}
	str := func(k string) string { return graphql.StringArg(args, k) }
	switch fd {
	case "installApp", "uninstallApp":
		if !a.Bot && a.Role != "admin" {
			return nil, &apiError{code: codeForbidden, message: "Forbidden: only an admin may install or uninstall an app"}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var ar *appRec
		network := a.NetworkID
		if fd == "installApp" {
			ar = s.appByID(str("appId"))
		} else if ref, ok := s.installIDs[str("appInstallationId")]; ok && ref.networkID == network {
			ar = s.appByID(ref.appID)
		}
		if ar == nil {
			return nil, errNotFound("app")
		}
		if fd == "installApp" {
			if err := s.st.install(ar, network); err != nil {
				return nil, &apiError{code: codeInvalidParam, message: strings.TrimPrefix(err.Error(), "tribetest: ")}
			}
			in := s.installation(ar, network, a.MemberID, true)
			s.deliverInstall(ar, network, in)
			return s.plain("AppInstallation", withoutKeys(in, "networkId", "appId", "context", "entityId", "installedById", "uninstalledById")), nil
		}
		s.st.uninstall(ar, network)
		in := s.installation(ar, network, a.MemberID, false)
		s.deliverInstall(ar, network, in)
		return s.plain("AppInstallation", withoutKeys(in, "networkId", "appId", "context", "entityId", "installedById", "uninstalledById")), nil
	case "globalTestAppWebhook":
		input, _ := args["input"].(map[string]any)
		u := graphql.StringArg(input, "webhookUrl")
		if err := checkHookURL("input.webhookUrl", u); err != nil {
			return nil, &apiError{code: codeInvalidParam, message: strings.TrimPrefix(err.Error(), "tribetest: ")}
		}
		s.mu.Lock()
		ar := s.appByID(str("appId"))
		var secret string
		if ar != nil {
			secret = ar.app.WebhookSignSecret
		}
		s.mu.Unlock()
		if ar == nil {
			return nil, errNotFound("app " + str("appId"))
		}
		if err := s.testWebhook(s.ctx, ar.app.ID, a.NetworkID, u, secret); err != nil {
			return nil, &apiError{code: codeInvalidParam, message: strings.TrimPrefix(err.Error(), "tribetest: ")}
		}
		return s.succeeded()
	case "interactWithApps":
		return s.interact(auth, a, args)
	}
	return mockIt{}, nil
}

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

// TestWebhook sends a TEST request with a fresh challenge to app appID's
// webhookUrl (appID is its id or client id) and checks the answer as
// Tribe does when an app's webhook URL is set: HTTP 2xx, SUCCEEDED, the
// challenge echoed. The error says what was wrong.
// Safe for concurrent use.
func (s *Server) TestWebhook(ctx context.Context, appID string) error {
	s.mu.Lock()
	ar := s.appByID(appID)
	if ar == nil {
		ar = s.st.appByClient[appID]
	}
	var app App
	if ar != nil {
		app = ar.app
	}
	network := ""
	if ar != nil && len(app.InstalledOn) > 0 {
		network = app.InstalledOn[0]
	}
	s.mu.Unlock()
	switch {
	case ar == nil:
		return fmt.Errorf("tribetest: TestWebhook(%q): no app has that id or client id; name one of the fixtures' apps", clip(appID))
	case app.WebhookURL == "":
		return fmt.Errorf("tribetest: TestWebhook(%q): the app has no webhookUrl; set it in the fixtures or with WithAppWebhook", clip(appID))
	}
	return s.testWebhook(ctx, app.ID, network, app.WebhookURL, app.WebhookSignSecret)
}

// testWebhook sends TEST to u and checks the answer.
func (s *Server) testWebhook(ctx context.Context, appID, networkID, u, secret string) error {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	challenge := hex.EncodeToString(b)
	body, err := delivery.Envelope{NetworkID: networkID, AppID: appID, Type: webhook.TypeTest, Data: map[string]any{"challenge": challenge}}.Body()
	if err != nil {
		return err
	}
	res, err := s.disp.Call(ctx, delivery.Job{Community: networkID, AppID: appID, Type: webhook.TypeTest, URL: u, Secret: secret, Body: body}, 0)
	if err != nil {
		return errors.New("tribetest: the TEST request to the app's webhook URL got no answer: " + strings.TrimPrefix(err.Error(), "delivery: "))
	}
	if err := delivery.CheckTest(res, challenge); err != nil {
		return errors.New("tribetest: " + strings.TrimPrefix(err.Error(), "delivery: "))
	}
	return nil
}

// interact relays interactWithApps to each app's interactionUrl, signed,
// and answers the apps' interactions (https://developers.bettermode.com/docs/guide/apps/interactivity/interactions).
func (s *Server) interact(auth *authState, a community.Actor, args map[string]any) (any, error) {
	inputs, _ := args["input"].([]any)
	permCtx, entityID := graphql.StringArg(args, "context"), graphql.StringArg(args, "entityId")
	var out []any
	for i, x := range inputs {
		in, _ := x.(map[string]any)
		appID := graphql.StringArg(in, "appId")
		s.mu.Lock()
		ar := s.appByID(appID)
		var app App
		installed := false
		if ar != nil {
			app, installed = ar.app, ar.installed[a.NetworkID]
		}
		nr := s.st.netByID[a.NetworkID]
		network := networkEntity(nr)
		s.mu.Unlock()
		switch {
		case ar == nil:
			return nil, errNotFound(fmt.Sprintf("input[%d].appId: app %s", i, strconvQuote(appID)))
		case !installed:
			return nil, &apiError{code: codeForbidden, message: "Forbidden: app " + strconvQuote(appID) + " is not installed on the network"}
		case app.InteractionURL == "":
			return nil, &apiError{code: codeInvalidParam, message: "app " + strconvQuote(appID) + " has no interactionUrl; set it in the fixtures or with WithAppWebhook"}
		}
		var inputsJSON any
		if raw := graphql.StringArg(in, "inputs"); raw != "" {
			if !json.Valid([]byte(raw)) {
				return nil, &apiError{code: codeInvalidParam, message: fmt.Sprintf("input[%d].inputs is not JSON; send the form's inputs JSON-encoded", i)}
			}
			inputsJSON = json.RawMessage(raw)
		}
		opt := func(k string) any {
			if v := graphql.StringArg(in, k); v != "" {
				return v
			}
			return nil
		}
		data := map[string]any{
			"actorId": a.MemberID, "appId": appID, "interactionId": graphql.StringArg(in, "interactionId"),
			"dynamicBlockKey": opt("dynamicBlockId"), "callbackId": opt("callbackId"), "inputs": inputsJSON, "preview": false,
		}
		body, err := delivery.Envelope{NetworkID: a.NetworkID, Context: permCtx, EntityID: entityID, AppID: appID,
			Settings: s.comm.Settings(a.NetworkID, appID), Type: webhook.TypeInteraction, Data: data,
			Network: network, Actor: map[string]any{"id": a.MemberID}}.Body()
		if err != nil {
			return nil, err
		}
		res, err := s.disp.Call(s.ctx, delivery.Job{Community: a.NetworkID, AppID: appID, Type: webhook.TypeInteraction,
			EventID: graphql.StringArg(in, "interactionId"), URL: app.InteractionURL, Secret: app.WebhookSignSecret, Body: body}, 0)
		if err != nil {
			return nil, &apiError{code: codeServer, message: "app " + strconvQuote(appID) + " did not answer the interaction: " + strings.TrimPrefix(err.Error(), "delivery: ")}
		}
		list, err := delivery.Interactions(appID, res)
		if err != nil {
			return nil, &apiError{code: codeServer, message: "app " + strconvQuote(appID) + ": " + strings.TrimPrefix(err.Error(), "delivery: ")}
		}
		for _, m := range list {
			out = append(out, s.plain("AppInteraction", m.(map[string]any)))
		}
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// Delivery is one request the server made to an app, and what became of
// it: see [Server.Deliveries].
type Delivery struct {
	ID        string
	NetworkID string
	AppID     string
	// Type is the request's type (SUBSCRIPTION, APP_INSTALLED, TEST,
	// INTERACTION…), Event a SUBSCRIPTION's event name and EventID its
	// event's id (an installation's, an interaction's).
	Type    string
	Event   string
	EventID string
	// URL is the app's URL, without user info and query.
	URL string
	// State is pending, delivered, failed (every attempt failed), dropped
	// (never attempted: a bad URL, a full queue) or canceled (by Close).
	State    string
	Error    string
	Created  time.Time
	Settled  time.Time // zero while pending
	Attempts []DeliveryAttempt
}

// DeliveryAttempt is one try of a [Delivery].
type DeliveryAttempt struct {
	Started  time.Time
	Duration time.Duration
	// Status is the app's HTTP status, 0 when it did not answer; Error
	// then says why (a timeout, a refused connection).
	Status int
	Error  string
	// Answer is the start of the app's answer (at most 2 KiB).
	Answer string
	// Duplicate marks a resend that [Server.DuplicateDeliveries] forced.
	Duplicate bool
}

// Deliveries returns the record of the requests the server made to apps,
// oldest first: the latest 1000, with their attempts.
// Safe for concurrent use.
func (s *Server) Deliveries() []Delivery {
	in := s.disp.Deliveries()
	out := make([]Delivery, len(in))
	for i, d := range in {
		out[i] = Delivery{ID: d.ID, NetworkID: d.Community, AppID: d.AppID, Type: d.Type, Event: d.Event, EventID: d.EventID,
			URL: d.URL, State: string(d.State), Error: d.Error, Created: d.Created, Settled: d.Settled}
		for _, a := range d.Attempts {
			out[i].Attempts = append(out[i].Attempts, DeliveryAttempt(a))
		}
	}
	return out
}

// WaitDeliveries waits until every delivery triggered so far has settled
// (delivered, failed after its retries, dropped or canceled), or ctx is
// done. Deliveries are asynchronous: a GraphQL answer never waits for
// them.
// Safe for concurrent use.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	if err := s.disp.Wait(ctx); err != nil {
		return errors.New("tribetest: " + strings.TrimPrefix(err.Error(), "delivery: "))
	}
	return nil
}

// DuplicateDeliveries makes each of the next n events delivered go out
// twice: once the app has it, the same request (same event id, signed
// anew) is sent again, as Tribe does when it takes a slow answer for a
// timeout. An app's dedupe (package webhook's Dedupe) drops the second.
// Safe for concurrent use.
func (s *Server) DuplicateDeliveries(n int) { s.disp.Duplicate(n) }
