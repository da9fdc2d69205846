package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// maxResponse bounds how much of an API response is read.
const maxResponse = 4 << 20

// Client calls the Tribe CRM OData API (https://api.tribecrm.nl/v1/odata) with
// tokens from TokenSource, sent as "Authorization: Bearer" by an
// [oauth2.Transport] that clones each request. A Client is safe for
// concurrent use if its fields are not changed.
type Client struct {
	// BaseURL is the API's base URL without /v1; empty means
	// [DefaultAPIBaseURL].
	BaseURL string

	// TokenSource yields the access tokens. Required; any token source of
	// this package fits.
	TokenSource oauth2.TokenSource

	// HTTPClient, if not nil, sends the requests; its Transport (or
	// http.DefaultTransport) is wrapped to add the token. Its Timeout and
	// other fields are kept.
	HTTPClient *http.Client

	// AllowInsecureHTTP lets BaseURL use plain http to a host that is not
	// loopback. Leave it false outside tests: without it such a BaseURL is
	// refused before anything is sent, since the bearer token would cross
	// the network in clear text. http to 127.0.0.0/8, ::1 or "localhost" is
	// always allowed.
	AllowInsecureHTTP bool
}

// Employee is an Employee relationship (Relationship_Person_Contact_Employee):
// a Person's role as a member of the organisation, here the user or, for
// client credentials, the application's virtual user. See
// https://developer.tribecrm.nl/docs/api/relationships/employee. It is a plain
// value owned by the caller, safe for concurrent use if not modified.
type Employee struct {
	// ID is the employee's GUID, the value for fields such as
	// SalesRepresentative.
	ID string `json:"ID"`
	// Type is the entity type, "Relationship.Person.Contact.Employee".
	Type string `json:"_Type"`
	// Name is the computed display name.
	Name string `json:"_Name"`
	// Person is the linked person, present when expanded (as
	// [Client.GetCurrentEmployee] does).
	Person *Person `json:"Person,omitempty"`
	// Organization is the employee's own organisation (the relationship's
	// parent Relation), present only when the server expands Relation.
	Organization *Organization `json:"Relation,omitempty"`
}

// Person is a Relation_Person, the individual behind an [Employee]. See
// https://developer.tribecrm.nl/docs/api/relations/contacts ("Fields"). It is
// a plain value, safe for concurrent use if not modified.
type Person struct {
	// ID is the person's GUID.
	ID string `json:"ID"`
	// Type is the entity type, "Relation.Person".
	Type string `json:"_Type"`
	// Name is the computed display name.
	Name string `json:"_Name"`
	// FirstName is the first name.
	FirstName string `json:"FirstName"`
	// MiddleName is the middle name or prefix ("van", "de").
	MiddleName string `json:"MiddleName"`
	// LastName is the last name.
	LastName string `json:"LastName"`
	// Initials are the initials.
	Initials string `json:"Initials"`
	// Title is the title, e.g. "Dr.".
	Title string `json:"Title"`
	// Suffix is the name suffix, e.g. "Jr.".
	Suffix string `json:"Suffix"`
	// EmailAddress is the email address.
	EmailAddress string `json:"EmailAddress"`
	// PhoneNumber is the primary phone number.
	PhoneNumber string `json:"PhoneNumber"`
	// MobilePhoneNumber is the mobile phone number.
	MobilePhoneNumber string `json:"MobilePhoneNumber"`
	// BirthDate is the date of birth as the API sends it (ISO 8601), or "".
	BirthDate string `json:"BirthDate"`
}

// Organization is a Relation_Organization, e.g. the organisation an
// [Employee] belongs to. See https://developer.tribecrm.nl/docs/api/relations.
// It is a plain value, safe for concurrent use if not modified.
type Organization struct {
	// ID is the organisation's GUID.
	ID string `json:"ID"`
	// Type is the entity type, "Relation.Organization".
	Type string `json:"_Type"`
	// Name is the organisation's display name.
	Name string `json:"_Name"`
}

// GetCurrentEmployee returns the employee the token acts as, with its Person:
// GET {BaseURL}/v1/odata/GetCurrentEmployee()?$expand=Person. See
// https://developer.tribecrm.nl/docs/api/concepts/identity-and-environment.
// It is safe for concurrent use.
//
// An error answer is an [*APIError] with the HTTP status and the OData error's
// code and message; 401 matches [ErrUnauthorized], 403 [ErrForbidden]. An
// error getting the token is returned wrapped, so [ErrInvalidGrant] and
// [*TokenError] stay reachable.
func (c *Client) GetCurrentEmployee(ctx context.Context) (*Employee, error) {
	const op = "GetCurrentEmployee"
	var e Employee
	if err := c.get(ctx, op, "/v1/odata/GetCurrentEmployee()?$expand=Person", &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// get sends GET base+pathQuery and decodes a JSON entity into v.
func (c *Client) get(ctx context.Context, op, pathQuery string, v any) error {
	if c == nil || c.TokenSource == nil {
		return invalid("Client.TokenSource is nil")
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultAPIBaseURL
	}
	if err := checkHTTPURL("Client.BaseURL", base); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+pathQuery, nil)
	if err != nil {
		return fmt.Errorf("crm: %s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("crm: %s: %w", op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("crm: %s: reading response: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(op, resp.StatusCode, body)
	}
	if err := decodeEntity(body, v); err != nil {
		return fmt.Errorf("crm: %s: decoding response: %w", op, err)
	}
	return nil
}

func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	}
	hc.Transport = &oauth2.Transport{Source: c.TokenSource, Base: hc.Transport}
	return &hc
}

// decodeEntity decodes an OData entity: the object itself (as a function
// returning one entity answers), or a collection {"value":[entity]}.
func decodeEntity(body []byte, v any) error {
	var wrapped struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &wrapped); err != nil {
		return err
	}
	if len(wrapped.Value) > 0 {
		switch wrapped.Value[0] {
		case '{':
			body = wrapped.Value
		case '[':
			var list []json.RawMessage
			if err := json.Unmarshal(wrapped.Value, &list); err != nil {
				return err
			}
			if len(list) != 1 {
				return fmt.Errorf("expected one entity, got %d", len(list))
			}
			body = list[0]
		}
	}
	return json.Unmarshal(body, v)
}

// apiError builds the error for a non-2xx answer, reading an OData error
// body if there is one (v4: "message" is a string; v3: {"value": …}).
func apiError(op string, status int, body []byte) error {
	e := &APIError{Op: op, StatusCode: status}
	var odata struct {
		Error struct {
			Code    string          `json:"code"`
			Message json.RawMessage `json:"message"`
			Target  string          `json:"target"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &odata) == nil {
		e.Code = odata.Error.Code
		e.Target = odata.Error.Target
		var msg string
		var v3 struct {
			Value string `json:"value"`
		}
		switch {
		case json.Unmarshal(odata.Error.Message, &msg) == nil:
			e.Message = msg
		case json.Unmarshal(odata.Error.Message, &v3) == nil:
			e.Message = v3.Value
		}
	}
	return e
}
