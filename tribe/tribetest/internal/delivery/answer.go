package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tribekit/tribekit/tribe/webhook"
)

// ErrAnswer matches the errors of an app's answer Tribe would not take.
var ErrAnswer = errors.New("delivery: the app's answer is refused")

// answerError is an [ErrAnswer] with why.
type answerError struct{ msg string }

func (e *answerError) Error() string        { return "delivery: " + e.msg }
func (e *answerError) Is(target error) bool { return target == ErrAnswer }

func refused(format string, args ...any) error {
	return &answerError{msg: fmt.Sprintf(format, args...)}
}

// answer is what an app answers (https://developers.bettermode.com/docs/guide/webhooks/getting-started).
type answer struct {
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	Data         json.RawMessage `json:"data"`
	ErrorCode    json.RawMessage `json:"errorCode"`
	ErrorMessage string          `json:"errorMessage"`
}

// decode reads r as an app's answer to a request of type typ: HTTP 2xx,
// a JSON object with status SUCCEEDED. A FAILED answer is an error with
// the app's code and message (clipped).
func decode(r Result, typ string) (*answer, error) {
	if r.Status < 200 || r.Status > 299 {
		return nil, refused("the app answered the %s request HTTP %d; Tribe takes 2xx only", typ, r.Status)
	}
	var a answer
	if !bytes.HasPrefix(bytes.TrimLeft(r.Body, " \t\r\n"), []byte("{")) || json.Unmarshal(r.Body, &a) != nil {
		return nil, refused("the app's answer to the %s request is not a JSON object; answer {\"type\":%q,\"status\":\"SUCCEEDED\",\"data\":{…}}", typ, typ)
	}
	switch a.Status {
	case webhook.StatusSucceeded:
		return &a, nil
	case webhook.StatusFailed:
		return nil, refused("the app answered the %s request FAILED (errorCode %s): %s", typ, clip(string(a.ErrorCode)), clip(a.ErrorMessage))
	}
	return nil, refused("the app's answer to the %s request has status %q, not SUCCEEDED or FAILED", typ, clip(a.Status))
}

// CheckTest checks an app's answer to a TEST request as Tribe does when
// the app's webhook URL is set: HTTP 2xx, status SUCCEEDED, and
// data.challenge the request's challenge.
func CheckTest(r Result, challenge string) error {
	a, err := decode(r, webhook.TypeTest)
	if err != nil {
		return err
	}
	var data struct {
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(a.Data, &data) != nil || data.Challenge != challenge {
		return refused("the app's answer to the TEST request does not echo its challenge in data.challenge")
	}
	return nil
}

// interactionTypes map the app's interaction types to the schema's
// AppInteractionType; DATA has none.
func interactionTypes() map[string]string {
	return map[string]string{
		webhook.InteractionShow: "Show", webhook.InteractionOpenModal: "OpenModal", webhook.InteractionOpenToast: "OpenToast",
		webhook.InteractionClose: "Close", webhook.InteractionReload: "Reload", webhook.InteractionRedirect: "Redirect",
	}
}

// Interactions reads an app's answer to an INTERACTION request
// (https://developers.bettermode.com/docs/guide/apps/interactivity/interactions)
// as the values of interactWithApps, JSON-like AppInteraction maps:
// appId, interactionId (the interaction's id), type (SHOW is Show,
// OPEN_MODAL OpenModal…), props as a JSON string, and slate as a Slate
// (rootBlock, blocks with their props, children and output as JSON
// strings). DATA interactions, which have no schema type, are left out.
// An answer Tribe would refuse (not 2xx, FAILED, not JSON, an unknown
// type) is an error matching [ErrAnswer].
func Interactions(appID string, r Result) ([]any, error) {
	a, err := decode(r, webhook.TypeInteraction)
	if err != nil {
		return nil, err
	}
	var data struct {
		Interactions []struct {
			ID    string          `json:"id"`
			Type  string          `json:"type"`
			Props json.RawMessage `json:"props"`
			Slate json.RawMessage `json:"slate"`
		} `json:"interactions"`
	}
	if len(a.Data) > 0 && json.Unmarshal(a.Data, &data) != nil {
		return nil, refused("the app's answer to the INTERACTION request: data.interactions is not a list of {id, type, props, slate}")
	}
	types := interactionTypes()
	out := make([]any, 0, len(data.Interactions))
	for i, in := range data.Interactions {
		if in.Type == webhook.InteractionData {
			continue
		}
		t, ok := types[in.Type]
		if !ok {
			return nil, refused("the app's answer to the INTERACTION request: interactions[%d] has type %q, not one of SHOW, OPEN_MODAL, OPEN_TOAST, CLOSE, RELOAD, REDIRECT, DATA", i, clip(in.Type))
		}
		m := map[string]any{"appId": appID, "interactionId": in.ID, "type": t, "props": nil, "slate": nil}
		if len(in.Props) > 0 && !isNull(in.Props) {
			m["props"] = string(in.Props)
		}
		if len(in.Slate) > 0 && !isNull(in.Slate) {
			slate, err := slateOf(in.Slate)
			if err != nil {
				return nil, refused("the app's answer to the INTERACTION request: interactions[%d].slate %s", i, err)
			}
			m["slate"] = slate
		}
		out = append(out, m)
	}
	return out, nil
}

// slateOf reads an app's slate JSON into the schema's Slate, field by
// field: rootBlock, blocks (id, name, and props, children and output as
// JSON strings), id and restrictions.
func slateOf(raw json.RawMessage) (map[string]any, error) {
	var s struct {
		ID           *string                      `json:"id"`
		RootBlock    string                       `json:"rootBlock"`
		Blocks       []map[string]json.RawMessage `json:"blocks"`
		Restrictions map[string]json.RawMessage   `json:"restrictions"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("is not a JSON object of rootBlock and blocks")
	}
	if s.RootBlock == "" {
		return nil, errors.New("has no rootBlock; name the id of its root block")
	}
	blocks := make([]any, 0, len(s.Blocks))
	for i, b := range s.Blocks {
		block := map[string]any{}
		for _, k := range []string{"id", "name"} {
			var v string
			if json.Unmarshal(b[k], &v) != nil || v == "" {
				return nil, fmt.Errorf("block %d has no %s; give each block an id and a name", i, k)
			}
			block[k] = v
		}
		for _, k := range []string{"props", "children", "output"} {
			block[k] = jsonString(b[k])
		}
		blocks = append(blocks, block)
	}
	out := map[string]any{"rootBlock": s.RootBlock, "blocks": blocks}
	if s.ID != nil {
		out["id"] = *s.ID
	}
	if s.Restrictions != nil {
		r := map[string]any{}
		for _, k := range []string{"lockedChildrenBlocks", "nonEditableBlocks", "nonRemovableBlocks"} {
			var ids []string
			if json.Unmarshal(s.Restrictions[k], &ids) == nil && ids != nil {
				list := make([]any, len(ids))
				for i, id := range ids {
					list[i] = id
				}
				r[k] = list
			}
		}
		out["restrictions"] = r
	}
	return out, nil
}

// jsonString is v as the schema's JSON-in-a-String fields hold it: a
// string stays itself, any other value is its JSON, null is nil.
func jsonString(v json.RawMessage) any {
	if len(v) == 0 || isNull(v) {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return nil
	}
	return buf.String()
}

func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// clip bounds an app's text echoed in an error.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
