package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/internal/redact"
)

// maxResponse bounds how much of an API response is read.
const maxResponse = 4 << 20

// maxMessage bounds each server-supplied text an error keeps (an OData
// message, an error_description), in bytes; longer text is cut with "…".
const maxMessage = 1024

// Client calls the Tribe CRM OData API (https://api.tribecrm.nl/v1/odata) with
// tokens from TokenSource, sent as "Authorization: Bearer" on a clone of each
// request. The token is pinned to BaseURL's scheme and host: if the API
// redirects elsewhere, or from https down to http, the redirected request
// carries no token. Errors never show the token. A Client is safe for
// concurrent use if its fields are not changed.
type Client struct {
	// BaseURL is the API's base URL without /v1; empty means
	// [DefaultAPIBaseURL].
	BaseURL string

	// TokenSource yields the access tokens. Required; any token source of
	// this package fits.
	TokenSource oauth2.TokenSource

	// HTTPClient, if not nil, sends the requests; a copy of it is used
	// whose Transport (or http.DefaultTransport) is wrapped to add the
	// token. Its Timeout and other fields are kept. If nil, a fresh client
	// with an overall timeout of [DefaultTimeout] (30 s) is used, so a slow
	// or silent server cannot hang a call.
	HTTPClient *http.Client

	// UserAgent is the User-Agent header of each API request that does not
	// set one; empty means "tribekit/" and the module's version.
	UserAgent string

	// AllowInsecureHTTP lets BaseURL use plain http to a host that is not
	// loopback. Leave it false outside tests: without it such a BaseURL is
	// refused before anything is sent, since the bearer token would cross
	// the network in clear text. http to 127.0.0.0/8, ::1 or "localhost" is
	// always allowed.
	AllowInsecureHTTP bool

	// defaultTimeout, if not zero, replaces DefaultTimeout for the client
	// made when HTTPClient is nil (tests shorten it).
	defaultTimeout time.Duration
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
	if c == nil {
		return invalidf("the *Client is nil; call the API with a *crm.Client whose TokenSource is set")
	}
	if c.TokenSource == nil {
		return invalidf("Client.TokenSource is nil; set it to a token source of this package, such as the one Config.TokenSource or Config.ClientCredentialsTokenSource returns")
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultAPIBaseURL
	}
	if err := checkSecureURL("Client.BaseURL", base, DefaultAPIBaseURL, c.AllowInsecureHTTP, "Client.AllowInsecureHTTP"); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+pathQuery, nil)
	if err != nil {
		return fmt.Errorf("crm: %s: %w", op, redact.Error(err))
	}
	tok, err := c.TokenSource.Token()
	if err != nil {
		// This package's token sources redact their errors already and
		// stay reachable; another source's error is redacted here.
		return fmt.Errorf("crm: %s: getting a token: %w", op, redact.Error(err))
	}
	if tok == nil || tok.AccessToken == "" {
		return fmt.Errorf("crm: %s: the token source returned no access token", op)
	}
	secrets := []string{tok.AccessToken, tok.RefreshToken}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient(req.URL, tok.AccessToken).Do(req)
	if err != nil {
		return fmt.Errorf("crm: %s: %w", op, redact.Error(err, secrets...))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("crm: %s: reading response: %w", op, redact.Error(err, secrets...))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return apiError(op, resp.StatusCode, body, secrets...)
	}
	if err := decodeEntity(body, v); err != nil {
		return fmt.Errorf("crm: %s: decoding response: %w", op, redact.Error(err, secrets...))
	}
	return nil
}

// httpClient returns a copy of c.HTTPClient (or a fresh client with
// [DefaultTimeout]) that sends token to target's scheme and host only, and
// the User-Agent c.UserAgent (empty: tribekit/<version>) on requests without
// one.
func (c *Client) httpClient(target *url.URL, token string) *http.Client {
	return httpx.Client(c.HTTPClient, timeoutOr(c.defaultTimeout), func(base http.RoundTripper) http.RoundTripper {
		return &bearerTransport{token: token, scheme: target.Scheme, host: target.Host, base: httpx.UserAgent(c.UserAgent, base)}
	})
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
// body if there is one (v4: "message" is a string; v3: {"value": …}), with
// secrets and anything credential-shaped removed from its fields.
func apiError(op string, status int, body []byte, secrets ...string) error {
	e := &APIError{Op: op, StatusCode: status}
	var odata struct {
		Error struct {
			Code    string          `json:"code"`
			Message json.RawMessage `json:"message"`
			Target  string          `json:"target"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &odata) == nil {
		e.Code = redact.Bounded([]byte(odata.Error.Code), maxMessage, secrets...)
		e.Target = redact.Bounded([]byte(odata.Error.Target), maxMessage, secrets...)
		var msg string
		var v3 struct {
			Value string `json:"value"`
		}
		switch {
		case json.Unmarshal(odata.Error.Message, &msg) == nil:
			e.Message = redact.Bounded([]byte(msg), maxMessage, secrets...)
		case json.Unmarshal(odata.Error.Message, &v3) == nil:
			e.Message = redact.Bounded([]byte(v3.Value), maxMessage, secrets...)
		}
	}
	return e
}
