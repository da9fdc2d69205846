package tribetest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// graphQL posts a GraphQL request with the given Authorization header and
// decodes the answer into out.
func graphQL(client *http.Client, endpoint, auth, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// limitedTokenAnswer is the answer to a limitedToken query: the member's
// access token and the gateway to call with it.
type limitedTokenAnswer struct {
	Data struct {
		LimitedToken struct {
			AccessToken string `json:"accessToken"`
			GatewayURL  string `json:"gatewayUrl"`
		} `json:"limitedToken"`
	} `json:"data"`
}

// An app's integration test: seed a community, mint a member token with
// limitedToken over HTTP Basic auth, call authMember as that member, then
// check what the app sent.
func Example() {
	fx := &tribetest.Fixtures{
		Apps: []tribetest.App{{
			ClientID: "my-app", ClientSecret: "my-app-secret", InstalledOn: []string{"community-1"},
		}},
		Networks: []tribetest.Network{{
			ID: "community-1", Name: "Gardeners",
			Members: []tribetest.Member{
				{ID: "m-ann", Username: "ann", Name: "Ann", Email: "ann@example.com", RoleID: "admin"},
				{ID: "m-bo", Username: "bo", Name: "Bo", Email: "bo@example.com"},
			},
		}},
	}
	srv := tribetest.NewServer(tribetest.WithFixtures(fx))
	defer srv.Close()

	// 1. The app mints a token for member m-bo (Basic auth: client id and
	// secret).
	var minted limitedTokenAnswer
	req := `query limitedToken($id: String!, $member: String) {
  limitedToken(context: NETWORK, entityId: $id, networkId: $id, impersonateMemberId: $member) { accessToken gatewayUrl }
}`
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("my-app:my-app-secret"))
	if err := graphQL(srv.Client(), srv.GraphQLURL(), basic, req, map[string]any{"id": "community-1", "member": "m-bo"}, &minted); err != nil {
		log.Fatal(err)
	}
	tok := minted.Data.LimitedToken

	// 2. The app calls authMember with it, on the gateway it was given.
	var me struct {
		Data struct {
			AuthMember struct {
				ID   string
				Name string
				Role struct{ Type string }
			} `json:"authMember"`
		} `json:"data"`
	}
	if err := graphQL(srv.Client(), tok.GatewayURL, "Bearer "+tok.AccessToken, `query authMember { authMember { id name role { type } } }`, nil, &me); err != nil {
		log.Fatal(err)
	}
	fmt.Println("acting as:", me.Data.AuthMember.ID, me.Data.AuthMember.Name, me.Data.AuthMember.Role.Type)

	// 3. The test checks what the app did.
	fmt.Println("limitedToken calls:", srv.Count("limitedToken"))
	for _, r := range srv.Requests() {
		fmt.Println(r.Path, r.OperationName, r.Auth, r.ClientID, r.MemberID, r.Status)
	}

	// Tokens expire by the server's clock.
	srv.Advance(2 * time.Hour)
	var expired struct {
		Errors []struct{ Code string } `json:"errors"`
	}
	if err := graphQL(srv.Client(), srv.URL, "Bearer "+tok.AccessToken, `{ authMember { id } }`, nil, &expired); err != nil {
		log.Fatal(err)
	}
	fmt.Println("after two hours:", expired.Errors[0].Code)

	// Output:
	// acting as: m-bo Bo member
	// limitedToken calls: 1
	// /graphql limitedToken basic my-app m-bo 200
	// /gateway/community-1 authMember bearer my-app m-bo 200
	// after two hours: 108
}

// A server over HTTPS, as httptest.NewTLSServer: its Client trusts the
// test certificate, and limitedToken's gatewayUrl is https too.
func ExampleNewTLSServer() {
	srv := tribetest.NewTLSServer()
	defer srv.Close()

	var minted limitedTokenAnswer
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(tribetest.DefaultClientID+":"+tribetest.DefaultClientSecret))
	q := `{ limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken gatewayUrl } }`
	if err := graphQL(srv.Client(), srv.GraphQLURL(), basic, q, nil, &minted); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(srv.URL, "https://"))
	fmt.Println(minted.Data.LimitedToken.GatewayURL == srv.URL+"/gateway/net-acme")
	fmt.Println(minted.Data.LimitedToken.AccessToken != "")

	// Output:
	// true
	// true
	// true
}
