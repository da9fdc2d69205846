package tribetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// fuzzServer is deterministic, so the committed corpus can hold tokens
// that verify: a fixed signing key and clock; and network net-acme takes
// HS256 passthrough tokens signed with fuzzPassthroughSecret.
func fuzzServer(tb testing.TB) *Server {
	tb.Helper()
	fx := DefaultFixtures()
	fx.Networks[0].JWT = &JWTConfig{HS256Secret: fuzzPassthroughSecret}
	s := NewServer(
		WithFixtures(fx),
		WithSigningKey([]byte("tribetest-fuzz-signing-key-0123456789")),
		WithClock(func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }),
		WithRecordLimit(64),
	)
	tb.Cleanup(s.Close)
	return s
}

const fuzzPassthroughSecret = "fuzz-passthrough-secret-0123456789"

// FuzzHandler sends arbitrary methods, targets, headers and bodies to the
// handler: it must never panic (a recovered panic answers 500, which fails
// here) and must always answer JSON.
func FuzzHandler(f *testing.F) {
	s := fuzzServer(f)
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	if err != nil {
		f.Fatal(err)
	}
	basicAuth := basic(DefaultClientID, DefaultClientSecret)
	seeds := []struct{ method, target, ctype, auth, body string }{
		{"POST", "/graphql", "application/json", basicAuth, `{"query":"query limitedToken($n: String!) { limitedToken(context: NETWORK, entityId: $n, networkId: $n) { accessToken gatewayUrl } }","variables":{"n":"net-acme"}}`},
		{"POST", "/", "application/json", "Bearer " + tok, `{"query":"{ authMember { ...m role { id scopes } } network { roles { id } } } fragment m on Member { id name createdAt }"}`},
		{"POST", "/gateway/net-acme", "application/json", "Bearer " + tok, `{"query":"query($l: Int!, $s: [MemberStatusInput!]) { members(limit: $l, status: $s, reverse: true) { totalCount edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }","variables":{"l":2,"s":["VERIFIED"]}}`},
		{"GET", "/graphql?query=%7B__schema%7Btypes%7Bname%20fields%7Bname%7D%7D%7D%7D", "", "", ``},
		{"POST", "/api/v1/oauth/token", "application/x-www-form-urlencoded", "", "grant_type=password&username=alice&password=" + DefaultPassword + "&client_id=" + DefaultClientID + "&client_secret=" + DefaultClientSecret},
		{"POST", "/api/v1/oauth/token", "application/x-www-form-urlencoded", basicAuth, "grant_type=tribe%3Aclient_secret_credentials&external_id=ext-bob"},
		{"POST", "/graphql", "application/json", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.x", `{"query":"{ authMember { id } }"}`},
		{"PATCH", "/nope", "text/plain", "Basic Og==", "\x00\xff"},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.target, sd.ctype, sd.auth, []byte(sd.body))
	}
	f.Fuzz(func(t *testing.T, method, target, ctype, auth string, body []byte) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			u = &url.URL{Path: "/"}
		}
		req := &http.Request{
			Method:        method,
			URL:           u,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Host:          "127.0.0.1:8080",
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			RequestURI:    target,
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 499 {
			t.Errorf("status %d for %s %q: %s", rec.Code, method, target, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("not JSON for %s %q: %q", method, target, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
	})
}

// FuzzGraphQLQuery sends arbitrary query texts and variables, well wrapped
// in JSON and with valid credentials, so the fuzzer explores the parser,
// the validator, variable coercion and the executor rather than the JSON
// envelope. The same guarantees as FuzzHandler hold.
func FuzzGraphQLQuery(f *testing.F) {
	s := fuzzServer(f)
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range []struct{ query, vars string }{
		{limitedTokenQuery, `{"context":"NETWORK","entityId":"net-acme","networkId":"net-acme","impersonateMemberId":"mem-bob"}`},
		{`query($l: Int!, $a: String, $s: [MemberStatusInput!], $r: [ID!]) { members(limit: $l, after: $a, status: $s, roleIds: $r) { totalCount nodes { id role { id } } pageInfo { endCursor } } }`, `{"l":3,"s":"VERIFIED","r":["role-member"]}`},
		{`{ a: authMember { ...f } b: member(username: "alice") { ... on Member { id @include(if: true) } } network { roles { scopes } } } fragment f on Member { id __typename }`, `{}`},
		{`{ __type(name: "Member") { fields(includeDeprecated: true) { name type { ofType { name } } } } }`, `null`},
	} {
		f.Add(q.query, q.vars, true)
		f.Add(q.query, q.vars, false)
	}
	f.Fuzz(func(t *testing.T, query, vars string, asApp bool) {
		body := []byte(`{"query":` + string(graphql.AppendString(nil, query)) + `,"variables":` + vars + `}`)
		if !json.Valid(body) {
			body = []byte(`{"query":` + string(graphql.AppendString(nil, query)) + `}`)
		}
		auth := "Bearer " + tok
		if asApp {
			auth = basic(DefaultClientID, DefaultClientSecret)
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d for %q: %s", rec.Code, query, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("not JSON for %q: %q", query, rec.Body)
		}
	})
}

// FuzzLoadFixtures reads arbitrary fixtures files: LoadFixtures must not
// panic, must fail with a tribetest error or return fixtures that
// validate, agree with ParseFixtures, and allocate no more than a bounded
// multiple of the input.
func FuzzLoadFixtures(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	if err != nil {
		f.Fatal(err)
	}
	def, err := json.Marshal(DefaultFixtures())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		string(def),
		`{}`,
		`{"apps":[],"networks":[{"id":"n"}]}`,
		`{"apps":[{"clientId":"c","clientSecret":"s","installedOn":["n","n"]}],"networks":[{"id":"n","members":[{"id":"bot-c-n"},{"id":"m","roleId":"admin","status":"BLOCKED"}]}]}`,
		`{"networks":[{"id":"n","jwt":{"jwksUrl":"http://127.0.0.1:1/jwks","defaultRoleId":"guest"}}]}`,
		`{"networks":[{"id":"n","roles":[{"id":"r"}],"members":[{"id":"m"}]}]}`,
		`{"apps":[{"clientId":"a:b","clientSecret":"s"}]} trailing`,
		`{"unknown":1}`,
	} {
		f.Add([]byte(seed))
	}
	path := filepath.Join(f.TempDir(), "fixtures.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fx, err := LoadFixtures(path)
		runtime.ReadMemStats(&after)
		if allocated := after.TotalAlloc - before.TotalAlloc; allocated > fixturesAllocBound(len(data)) {
			t.Errorf("allocated %d bytes for %d bytes of fixtures", allocated, len(data))
		}
		fx2, err2 := ParseFixtures(data)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("LoadFixtures: %v; ParseFixtures: %v", err, err2)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tribetest: ") {
				t.Errorf("error without the package name: %v", err)
			}
			if !invalidShape.MatchString(err2.Error()) {
				t.Errorf("error not of the shape 'tribetest: <what is wrong>; <how to fix it>': %v", err2)
			}
			return
		}
		if fx == nil || fx2 == nil {
			t.Fatal("nil fixtures without an error")
		}
		if err := fx.Validate(); err != nil {
			t.Errorf("loaded fixtures do not validate: %v", err)
		}
		if err := fx.Clone().Validate(); err != nil {
			t.Errorf("a clone does not validate: %v", err)
		}
		again, err := json.Marshal(fx)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := ParseFixtures(again); err != nil {
			t.Errorf("fixtures written back do not load: %v\n%s", err, again)
		}
	})
}

// fixturesAllocBound is the most LoadFixtures may allocate for n bytes:
// a constant for the file and the decoder, and a constant factor for what
// the JSON holds and the indexes built over it (a network of ten bytes,
// {"id":"n"}, brings four default roles and five maps).
func fixturesAllocBound(n int) uint64 { return 1<<20 + 512*uint64(n) }

// FuzzParseJWKS: a JWKS document, which a hostile server may serve, never
// makes parseJWKS panic; what it keeps are RSA or EC keys, at most
// maxJWKSKeys; its errors name the package.
func FuzzParseJWKS(f *testing.F) {
	for _, seed := range []string{
		`{"keys":[{"kty":"RSA","kid":"r","use":"sig","alg":"RS256","n":"` + b64(make([]byte, 256)) + `","e":"AQAB"}]}`,
		`{"keys":[{"kty":"EC","kid":"e","crv":"P-256","x":"` + b64(make([]byte, 32)) + `","y":"` + b64(make([]byte, 32)) + `"}]}`,
		`{"keys":[{"kty":"oct","k":"AAAA"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","n":"AQAB","e":"Ag"}]}`,
		`{"keys":[{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}]}`,
		`{"keys":null}`,
		`[]`,
		`nope`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseJWKS(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tribetest: jwks: ") {
				t.Errorf("error without the prefix: %v", err)
			}
			if keys != nil {
				t.Errorf("keys with an error: %v", err)
			}
			return
		}
		if len(keys) == 0 || len(keys) > maxJWKSKeys {
			t.Errorf("%d keys", len(keys))
		}
		for _, k := range keys {
			switch k.key.(type) {
			case *rsa.PublicKey, *ecdsa.PublicKey:
			default:
				t.Errorf("key %q is a %T", k.kid, k.key)
			}
		}
	})
}
