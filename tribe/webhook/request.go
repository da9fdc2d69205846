package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// The request types Tribe sends. A type not listed here is still decoded,
// and reaches [Handler].Default.
const (
	TypeTest            = "TEST"
	TypeSubscription    = "SUBSCRIPTION"
	TypeAppInstalled    = "APP_INSTALLED"
	TypeAppUninstalled  = "APP_UNINSTALLED"
	TypeInteraction     = "INTERACTION"
	TypeShortcutsStates = "SHORTCUTS_STATES"
	TypeFederatedSearch = "FEDERATED_SEARCH"
	// TypeGetSettings and TypeUpdateSettings are the legacy settings
	// requests, which apps still receive.
	TypeGetSettings    = "GET_SETTINGS"
	TypeUpdateSettings = "UPDATE_SETTINGS"
)

// Types lists every request type this package knows, in the order above.
func Types() []string {
	return []string{TypeTest, TypeSubscription, TypeAppInstalled, TypeAppUninstalled, TypeInteraction,
		TypeShortcutsStates, TypeFederatedSearch, TypeGetSettings, TypeUpdateSettings}
}

// maxTypeLen bounds a request's type, which answers and logs repeat.
const maxTypeLen = 64

// ErrMalformedRequest matches the errors of a body that is not a request:
// not a JSON object, without a type, or with data that does not fit its
// type. [Handler] answers them 400.
var ErrMalformedRequest = errors.New("webhook: malformed request")

// malformed returns an error matching [ErrMalformedRequest].
func malformed(format string, args ...any) error {
	return &malformedError{msg: fmt.Sprintf(format, args...)}
}

type malformedError struct{ msg string }

func (e *malformedError) Error() string        { return "webhook: " + e.msg }
func (e *malformedError) Is(target error) bool { return target == ErrMalformedRequest }

// Request is the envelope every request from Tribe shares
// (https://developers.bettermode.com/docs/guide/webhooks/getting-started,
// https://developers.bettermode.com/docs/guide/apps/interactivity/interactions).
// Data stays raw JSON; its typed form comes from the method of its type
// ([Request.Event], [Request.Installation], ...), and a [Handler] hands it
// to the app decoded.
type Request struct {
	// NetworkID is the community's id.
	NetworkID string `json:"networkId"`
	// Context is the permission context of the request (NETWORK, SPACE,
	// POST, MEMBER), and EntityID the id of that context's entity.
	Context  string `json:"context"`
	EntityID string `json:"entityId,omitempty"`
	// CurrentSettings are the app's settings Tribe stored (see [Store]).
	CurrentSettings []Settings `json:"currentSettings"`
	// Type is what the request is: TEST, SUBSCRIPTION, ... (the Type
	// constants).
	Type string `json:"type"`
	// Data is the request's data, raw.
	Data json.RawMessage `json:"data,omitempty"`
	// Entities are the objects around the request, when Tribe sends them.
	Entities *Entities `json:"entities,omitempty"`

	// Raw is the whole body the request was decoded from.
	Raw json.RawMessage `json:"-"`
	// Sent is when Tribe signed the request (its timestamp header), set
	// by [Handler].
	Sent time.Time `json:"-"`
}

// Settings are settings of the app Tribe stored for a context and entity.
type Settings struct {
	ID        string          `json:"id,omitempty"`
	AppID     string          `json:"appId,omitempty"`
	NetworkID string          `json:"networkId,omitempty"`
	Context   string          `json:"context,omitempty"`
	EntityID  string          `json:"entityId,omitempty"`
	Settings  json.RawMessage `json:"settings,omitempty"`
}

// Entities are the objects a request is about, as Tribe sends them.
type Entities struct {
	Network      *Entity `json:"network,omitempty"`
	Actor        *Entity `json:"actor,omitempty"`
	Owner        *Entity `json:"owner,omitempty"`
	TargetMember *Entity `json:"targetMember,omitempty"`
}

// Entity is an object of Tribe's (a network, member, role, post, space):
// its id and name typed, and the whole object raw.
type Entity struct {
	ID   string          `json:"id"`
	Name string          `json:"name,omitempty"`
	Raw  json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes an entity, keeping its raw JSON.
func (e *Entity) UnmarshalJSON(b []byte) error {
	type plain Entity
	if err := json.Unmarshal(b, (*plain)(e)); err != nil {
		return err
	}
	if !isNull(b) {
		e.Raw = append(json.RawMessage(nil), b...)
	}
	return nil
}

// DecodeRequest decodes a request's body: a JSON object with a type.
// Fields it does not know are ignored (the body stays in Request.Raw), and
// so is a type it does not know. Errors match [ErrMalformedRequest] and
// never quote the body.
func DecodeRequest(body []byte) (*Request, error) {
	if !isObject(body) {
		return nil, malformed("the body is not a JSON object")
	}
	var r Request
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, decodeError("the body", err)
	}
	if err := checkType(r.Type); err != nil {
		return nil, err
	}
	r.Raw = body
	return &r, nil
}

// checkType refuses a missing type, or one no request has.
func checkType(t string) error {
	if t == "" {
		return malformed("the body has no type; a request from Tribe always has one (TEST, SUBSCRIPTION, ...)")
	}
	if len(t) > maxTypeLen {
		return malformed("the type is %d bytes long, more than the %d of any request type", len(t), maxTypeLen)
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return malformed("the type has a character (byte %d) no request type has; types are letters, digits and underscores", i+1)
		}
	}
	return nil
}

// isObject reports whether b, spaces aside, starts as a JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// isNull reports whether b, spaces aside, is JSON null.
func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// decodeError describes a JSON decoding error without quoting the JSON
// (encoding/json's messages may hold a value of it).
func decodeError(what string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return malformed("%s is not valid JSON (at byte %d)", what, syn.Offset)
	case errors.As(err, &typ):
		got, _, _ := strings.Cut(typ.Value, " ")
		// The shadow structs of custom decoders name themselves "plain".
		field := strings.ReplaceAll(typ.Field, "plain.", "")
		if field == "" {
			field = "the value"
		}
		return malformed("%s: %s is a JSON %s, not %s", what, field, got, jsonKind(typ.Type))
	}
	return malformed("%s does not decode", what)
}

// jsonKind names what JSON a Go type takes.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "what was expected"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// decodeData decodes a request's data into v: an object, or null or
// absent for an empty v.
func decodeData(data json.RawMessage, v any) error {
	if len(data) == 0 || isNull(data) {
		return nil
	}
	if !isObject(data) {
		return malformed("data is not a JSON object")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return decodeError("data", err)
	}
	return nil
}
