package crm_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// apiClient returns a Client for the mock with client-credentials tokens.
func apiClient(t *testing.T, srv *crmtest.Server, conf *crm.Config) *crm.Client {
	t.Helper()
	ts, err := conf.ClientCredentialsTokenSource(context.Background())
	require.NoError(t, err)
	return &crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: srv.Client()}
}

func TestGetCurrentEmployee(t *testing.T) {
	srv, conf := setup(t)
	want := crmtest.DefaultEmployee()

	emp, err := apiClient(t, srv, conf).GetCurrentEmployee(context.Background())
	require.NoError(t, err)

	assert.Equal(t, want.ID, emp.ID)
	assert.Equal(t, "Relationship.Person.Contact.Employee", emp.Type)
	assert.Equal(t, want.Name, emp.Name)
	assert.Nil(t, emp.Organization, "Relation is not expanded")
	require.NotNil(t, emp.Person, "$expand=Person must bring the person")
	assert.Equal(t, crm.Person{
		ID:                want.Person.ID,
		Type:              "Relation.Person",
		Name:              "Jan de Vries",
		FirstName:         "Jan",
		MiddleName:        "de",
		LastName:          "Vries",
		Initials:          "J.",
		EmailAddress:      "jan.devries@example.nl",
		PhoneNumber:       "+31 20 123 4567",
		MobilePhoneNumber: "+31 6 1234 5678",
		BirthDate:         "1984-03-07",
	}, *emp.Person)
	assert.Equal(t, 1, srv.Counts().GetCurrentEmployee)
}

func TestGetCurrentEmployeeFixture(t *testing.T) {
	e := crmtest.Employee{
		ID:     "11111111-2222-3333-4444-555555555555",
		Name:   "Sync job",
		Person: crmtest.Person{ID: "66666666-7777-8888-9999-000000000000", LastName: "Sync", EmailAddress: "sync@example.com"},
	}
	srv, conf := setup(t, crmtest.WithEmployee(e))

	emp, err := apiClient(t, srv, conf).GetCurrentEmployee(context.Background())
	require.NoError(t, err)
	assert.Equal(t, e.ID, emp.ID)
	assert.Equal(t, "Sync job", emp.Name)
	require.NotNil(t, emp.Person)
	assert.Equal(t, "sync@example.com", emp.Person.EmailAddress)
	assert.Equal(t, "", emp.Person.BirthDate, "a null birth date decodes as empty")
}

func TestGetCurrentEmployeeUnauthorized(t *testing.T) {
	srv, conf := setup(t)
	tok, err := mustCC(t, conf).Token()
	require.NoError(t, err)

	tests := []struct {
		name  string
		token *oauth2.Token
		prep  func()
	}{
		{"unknown token", &oauth2.Token{AccessToken: "made-up"}, func() {}},
		{"expired on the server", tok, func() { srv.Advance(25 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.prep()
			c := &crm.Client{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(tt.token), HTTPClient: srv.Client()}
			_, err := c.GetCurrentEmployee(context.Background())
			require.ErrorIs(t, err, crm.ErrUnauthorized)
			assert.NotErrorIs(t, err, crm.ErrForbidden)
			var ae *crm.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
			assert.Equal(t, "Unauthorized", ae.Code)
			assert.Equal(t, "Authorization has been denied for this request.", ae.Message)
			assert.Equal(t, "GetCurrentEmployee", ae.Op)
			assert.Equal(t, "crm: GetCurrentEmployee: 401 Unauthorized: Unauthorized: Authorization has been denied for this request.", err.Error())
		})
	}
}

func TestGetCurrentEmployeeForbidden(t *testing.T) {
	srv, conf := setup(t)
	conf.Scopes = []string{crm.ScopeWrite}
	_, err := apiClient(t, srv, conf).GetCurrentEmployee(context.Background())
	require.ErrorIs(t, err, crm.ErrForbidden)
	assert.NotErrorIs(t, err, crm.ErrUnauthorized)
}

func TestGetCurrentEmployeeTokenError(t *testing.T) {
	srv, conf := setup(t)
	conf.ClientSecret = "wrong"
	_, err := apiClient(t, srv, conf).GetCurrentEmployee(context.Background())
	var te *crm.TokenError
	require.ErrorAs(t, err, &te, "the token source's error stays reachable")
	assert.Equal(t, "invalid_client", te.ErrorCode)
	assert.Zero(t, srv.Counts().GetCurrentEmployee, "no API call without a token")
}

// TestGetCurrentEmployeeResponses feeds the client answers the mock does not
// give, from a plain httptest server.
func TestGetCurrentEmployeeResponses(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantID   string
		wantErr  error
		wantCode string
		wantMsg  string
	}{
		{name: "entity", status: 200, body: `{"@odata.context":"x","ID":"e1","Person":{"ID":"p1","LastName":"Smit"}}`, wantID: "e1"},
		{name: "collection of one", status: 200, body: `{"value":[{"ID":"e2"}]}`, wantID: "e2"},
		{name: "camel case fields", status: 200, body: `{"ID":"e3","person":{"firstName":"Ada","emailAddress":"ada@example.com"}}`, wantID: "e3"},
		{name: "empty collection", status: 200, body: `{"value":[]}`, wantErr: errors.New("decoding response")},
		{name: "not json", status: 200, body: `<html>`, wantErr: errors.New("decoding response")},
		{name: "odata v4 error", status: 404, body: `{"error":{"code":"NotFound","message":"no such thing","target":"GetCurrentEmployee"}}`, wantCode: "NotFound", wantMsg: "no such thing"},
		{name: "odata v3 error", status: 400, body: `{"error":{"code":"BadRequest","message":{"lang":"en-US","value":"bad query"}}}`, wantCode: "BadRequest", wantMsg: "bad query"},
		{name: "html gateway error", status: 502, body: `<html>bad gateway</html>`},
		{name: "403", status: 403, body: `{"error":{"code":"Forbidden","message":"no"}}`, wantErr: crm.ErrForbidden, wantCode: "Forbidden", wantMsg: "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/odata/GetCurrentEmployee()" || r.URL.Query().Get("$expand") != "Person" {
					t.Errorf("request %s %s", r.Method, r.URL)
				}
				if got := r.Header.Get("Authorization"); got != "Bearer tok" {
					t.Errorf("Authorization = %q", got)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer ts.Close()
			c := &crm.Client{BaseURL: ts.URL + "/", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}), HTTPClient: ts.Client()}

			emp, err := c.GetCurrentEmployee(context.Background())
			if tt.wantID != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, emp.ID)
				if tt.name == "camel case fields" {
					require.NotNil(t, emp.Person)
					assert.Equal(t, "Ada", emp.Person.FirstName)
					assert.Equal(t, "ada@example.com", emp.Person.EmailAddress)
				}
				return
			}
			require.Error(t, err)
			assert.Nil(t, emp)
			if tt.status == 200 {
				assert.ErrorContains(t, err, tt.wantErr.Error())
				return
			}
			var ae *crm.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, tt.wantCode, ae.Code)
			assert.Equal(t, tt.wantMsg, ae.Message)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestClientRefusesBadInput(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})
	tests := []struct {
		name string
		c    *crm.Client
	}{
		{"nil client", nil},
		{"no token source", &crm.Client{BaseURL: "https://api.example.com"}},
		{"ftp base", &crm.Client{BaseURL: "ftp://api.example.com", TokenSource: ts}},
		{"relative base", &crm.Client{BaseURL: "/v1", TokenSource: ts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.GetCurrentEmployee(context.Background())
			require.ErrorIs(t, err, crm.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: "), err.Error())
			assert.NotContains(t, err.Error(), "invalid input")
		})
	}
}

func mustCC(t *testing.T, conf *crm.Config) oauth2.TokenSource {
	t.Helper()
	ts, err := conf.ClientCredentialsTokenSource(context.Background())
	require.NoError(t, err)
	return ts
}
