package webhook

import "encoding/json"

// Statuses of an [Answer].
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
)

// ErrorCode is a FAILED answer's code: Tribe's error codes, as the official
// app templates list them.
type ErrorCode int

// Error codes of a FAILED [Answer].
const (
	ErrorUnknown                   ErrorCode = 1
	ErrorServer                    ErrorCode = 10
	ErrorServiceTimeout            ErrorCode = 30
	ErrorServiceUnavailable        ErrorCode = 50
	ErrorParameterValidationFailed ErrorCode = 100
	ErrorPermission                ErrorCode = 102
	ErrorInvalidParameter          ErrorCode = 106
	ErrorResourceNotFound          ErrorCode = 110
	ErrorMissingParameter          ErrorCode = 112
	ErrorInvalidRequest            ErrorCode = 118
)

// Answer is what the app answers Tribe, with HTTP 200: {type, status:
// "SUCCEEDED", data} or {type, status: "FAILED", errorCode, errorMessage}
// (https://developers.bettermode.com/docs/guide/webhooks/getting-started).
// Make one with [Succeeded], [Store], [Failed], [Interactions],
// [ShortcutStates] or [SearchResults]; [Handler] fills in Type from the
// request. A nil *Answer from the app's function is [Succeeded](nil).
type Answer struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	// Data is marshalled with encoding/json: {} when nil for SUCCEEDED.
	Data         any       `json:"data,omitempty"`
	ErrorCode    ErrorCode `json:"errorCode,omitempty"`
	ErrorMessage string    `json:"errorMessage,omitempty"`
}

// Succeeded answers SUCCEEDED with data (nil: an empty object).
func Succeeded(data any) *Answer {
	if data == nil {
		data = struct{}{}
	}
	return &Answer{Status: StatusSucceeded, Data: data}
}

// Store answers SUCCEEDED and has Tribe save settings as the app's settings
// for the request's context and entity (data.toStore); Tribe sends them
// back in later requests' currentSettings.
func Store(settings any) *Answer {
	return &Answer{Status: StatusSucceeded, Data: storeData{ToStore: settings}}
}

type storeData struct {
	ToStore any `json:"toStore"`
}

// Failed answers FAILED with a code and a message for the member or the
// admin. It must hold no secret: Tribe may show it.
func Failed(code ErrorCode, message string) *Answer {
	return &Answer{Status: StatusFailed, ErrorCode: code, ErrorMessage: message}
}

// Interaction types of an [Interaction]
// (https://developers.bettermode.com/docs/guide/apps/interactivity/interactions).
const (
	InteractionShow      = "SHOW"
	InteractionOpenModal = "OPEN_MODAL"
	InteractionOpenToast = "OPEN_TOAST"
	InteractionClose     = "CLOSE"
	InteractionReload    = "RELOAD"
	InteractionRedirect  = "REDIRECT"
	InteractionData      = "DATA"
)

// Interaction is one thing an INTERACTION answer has Tribe do: show a block,
// open a modal or a toast, close, reload, redirect, or hand data to a
// block. Slate, the block's content, stays raw JSON (Bettermode's Slate
// model, https://developers.bettermode.com/docs/guide/apps/interactivity/dynamic-blocks).
type Interaction struct {
	ID    string          `json:"id"`
	Type  string          `json:"type"`
	Props any             `json:"props,omitempty"`
	Slate json.RawMessage `json:"slate,omitempty"`
}

// ModalProps are an OPEN_MODAL interaction's props; Size is xs, sm, md,
// lg, xl or full.
type ModalProps struct {
	Size        string `json:"size,omitempty"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// ToastProps are an OPEN_TOAST interaction's props; Status is success,
// error, warning or info.
type ToastProps struct {
	Status      string `json:"status"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// ReloadProps are a RELOAD interaction's props: what to reload.
type ReloadProps struct {
	Context  string `json:"context"`
	EntityID string `json:"entityId,omitempty"`
}

// RedirectProps are a REDIRECT interaction's props.
type RedirectProps struct {
	URL      string `json:"url"`
	External bool   `json:"external,omitempty"`
}

// Show shows a block with content slate.
func Show(id string, slate json.RawMessage) Interaction {
	return Interaction{ID: id, Type: InteractionShow, Slate: slate}
}

// OpenModal opens a modal with content slate.
func OpenModal(id string, props ModalProps, slate json.RawMessage) Interaction {
	return Interaction{ID: id, Type: InteractionOpenModal, Props: props, Slate: slate}
}

// OpenToast shows a toast.
func OpenToast(id string, props ToastProps) Interaction {
	return Interaction{ID: id, Type: InteractionOpenToast, Props: props}
}

// Close closes the modal the interaction came from.
func Close(id string) Interaction { return Interaction{ID: id, Type: InteractionClose} }

// Reload reloads a context's entity.
func Reload(id string, props ReloadProps) Interaction {
	return Interaction{ID: id, Type: InteractionReload, Props: props}
}

// Redirect sends the member to a URL.
func Redirect(id string, props RedirectProps) Interaction {
	return Interaction{ID: id, Type: InteractionRedirect, Props: props}
}

// Data hands data to a block, as its props.
func Data(id string, props any) Interaction {
	return Interaction{ID: id, Type: InteractionData, Props: props}
}

// Interactions answers an INTERACTION request SUCCEEDED with interactions
// (data.interactions), done in order.
func Interactions(interactions ...Interaction) *Answer {
	if interactions == nil {
		interactions = []Interaction{}
	}
	return &Answer{Status: StatusSucceeded, Data: interactionsData{Interactions: interactions}}
}

type interactionsData struct {
	Interactions []Interaction `json:"interactions"`
}

// ShortcutState is the state of one shortcut.
type ShortcutState struct {
	Shortcut string `json:"shortcut"`
	State    string `json:"state"`
}

// EntityShortcutStates are the states of an entity's shortcuts.
type EntityShortcutStates struct {
	Context        string          `json:"context"`
	EntityID       string          `json:"entityId"`
	ShortcutStates []ShortcutState `json:"shortcutStates"`
}

// ShortcutStates answers a SHORTCUTS_STATES request SUCCEEDED with the
// states of each entity's shortcuts (data is their list).
func ShortcutStates(states ...EntityShortcutStates) *Answer {
	if states == nil {
		states = []EntityShortcutStates{}
	}
	return &Answer{Status: StatusSucceeded, Data: states}
}

// SearchResult is one result of a federated search.
type SearchResult struct {
	ID          string `json:"id"`
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description"`
	IconURL     string `json:"iconUrl,omitempty"`
}

// SearchResults answers a FEDERATED_SEARCH request SUCCEEDED with results
// (data is their list).
func SearchResults(results ...SearchResult) *Answer {
	if results == nil {
		results = []SearchResult{}
	}
	return &Answer{Status: StatusSucceeded, Data: results}
}
