//lint:file-ignore SA4006 the README's block leaves error checks out for brevity; the test checks the last one

package crm_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestReadmeCRM runs the README's Tribe CRM block, which names the CRM's
// real URLs, against the mock: requests to *.tribecrm.nl go to it.
func TestReadmeCRM(t *testing.T) {
	srv := crmtest.NewServer()
	defer srv.Close()
	mock, err := url.Parse(srv.URL)
	require.NoError(t, err)
	direct := http.DefaultTransport
	http.DefaultTransport = roundTrip(func(r *http.Request) (*http.Response, error) {
		if !strings.HasSuffix(r.URL.Hostname(), ".tribecrm.nl") {
			return nil, fmt.Errorf("the README's block reached %s", r.URL.Host)
		}
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host = mock.Scheme, mock.Host
		return direct.RoundTrip(r)
	})
	t.Cleanup(func() { http.DefaultTransport = direct })
	ctx := context.Background()
	id, secret := crmtest.DefaultClientID, crmtest.DefaultClientSecret

	conf := &crm.Config{ClientID: id, ClientSecret: secret, Scopes: []string{crm.ScopeRead}}
	ts, err := conf.ClientCredentialsTokenSource(ctx)
	emp, err := (&crm.Client{TokenSource: ts}).GetCurrentEmployee(ctx)
	fmt.Println(emp.Person.FirstName, emp.Person.EmailAddress)

	require.NoError(t, err)
	require.NotEmpty(t, emp.Person.FirstName)
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
