package schema_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/oauth2"

	tribekit "github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func repoSchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := schema.Load("schema.graphql", []byte(tribekit.Schema()))
	require.NoError(t, err)
	return s
}

func TestFormatIsStable(t *testing.T) {
	s := repoSchema(t)
	out := schema.Format(s)
	again, err := schema.Load("again", []byte(out))
	require.NoError(t, err)
	assert.Equal(t, out, schema.Format(again), "formatting what Format printed changes nothing")
	assert.Contains(t, out, "type AppToken {")
	assert.NotContains(t, out, "__Schema", "built-in types are left out")
	assert.NotContains(t, out, "#", "comments are left out")
	// Definitions are sorted by name.
	i, j := strings.Index(out, "type AppToken"), strings.Index(out, "type Member ")
	assert.True(t, i >= 0 && j > i)
}

// TestPullFromTheMock: pulling the mock's schema, as the bot, gives the
// schema the mock serves.
func TestPullFromTheMock(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	ts, err := app.TokenSource(context.Background(), tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	pulled, err := schema.Pull(context.Background(), schema.Config{Endpoint: srv.GraphQLURL(), TokenSource: ts})
	require.NoError(t, err)
	assert.Equal(t, schema.Format(repoSchema(t)), schema.Format(pulled))

	// The mock answers introspection without a token too.
	anonymous, err := schema.Pull(context.Background(), schema.Config{Endpoint: srv.GraphQLURL()})
	require.NoError(t, err)
	assert.Equal(t, schema.Format(pulled), schema.Format(anonymous))
	assert.Equal(t, 1, srv.Count("limitedToken"), "one mint, for the bot's pull")
}

func TestPullErrorsHoldNoToken(t *testing.T) {
	const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnLXNlY3JldC10b2tlbg"
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			stolen.Add(1)
		}
	}))
	defer thief.Close()
	answers := map[string]func(w http.ResponseWriter, r *http.Request){
		"108 echoing the token": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"errors":[{"message":"token %s is invalid","code":"108"}]}`, token)
		},
		"401 echoing the header": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "bad %s", r.Header.Get("Authorization"))
		},
		"not JSON":  func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>") },
		"no schema": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":{"x":1}}`) },
		"null data": func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"data":null}`) },
		"redirected": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL, http.StatusTemporaryRedirect)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(answer))
			defer srv.Close()
			_, err := schema.Pull(context.Background(), schema.Config{Endpoint: srv.URL, TokenSource: staticToken(token)})
			require.Error(t, err)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), token)
			assert.NotContains(t, err.Error(), "c2lnLXNlY3JldC10b2tlbg")
			if name == "108 echoing the token" {
				assert.ErrorIs(t, err, tribe.ErrInvalidToken)
			}
		})
	}
	assert.Zero(t, stolen.Load(), "the token never follows a redirect")

	_, err := schema.Pull(context.Background(), schema.Config{Endpoint: "http://api.bettermode.example/graphql", TokenSource: staticToken(token)})
	assert.ErrorIs(t, err, tribe.ErrInvalidInput, "plain http to a host that is not loopback is refused")
	assert.True(t, strings.HasPrefix(err.Error(), "schema: "), err.Error())
}

type staticToken string

func (s staticToken) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s)}, nil
}

func TestLoadRefusesBadSchemas(t *testing.T) {
	intro := func(types string) string {
		return `{"data":{"__schema":{"queryType":{"name":"Query"},"types":[` + types + `],"directives":[]}}}`
	}
	query := `{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"SCALAR","name":"Int"}}]}`
	cases := map[string]string{
		"not GraphQL":             "type {",
		"JSON without schema":     `{"hello":1}`,
		"broken JSON":             `{"data":`,
		"no query type":           `{"__schema":{"types":[]}}`,
		"unknown kind":            intro(query + `,{"kind":"WIDGET","name":"W"}`),
		"bad name":                intro(`{"kind":"OBJECT","name":"Query","fields":[{"name":"a b","args":[],"type":{"kind":"SCALAR","name":"Int"}}]}`),
		"default injects a field": intro(`{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[{"name":"x","type":{"kind":"SCALAR","name":"Int"},"defaultValue":"1\n  y: Int"}],"type":{"kind":"SCALAR","name":"Int"}}]}`),
		"default injects a type":  intro(`{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[{"name":"x","type":{"kind":"SCALAR","name":"Int"},"defaultValue":"1) : Int } type Evil { e: Int"}],"type":{"kind":"SCALAR","name":"Int"}}]}`),
		"type nested too deep":    intro(`{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":` + strings.Repeat(`{"kind":"LIST","ofType":`, 40) + `{"kind":"SCALAR","name":"Int"}` + strings.Repeat(`}`, 40) + `}]}`),
		"missing type reference":  intro(`{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"NON_NULL"}}]}`),
		"too large":               strings.Repeat(" ", schema.MaxSize+1),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := schema.Load("doc", []byte(doc))
			require.Error(t, err)
			assert.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "schema: doc"), err.Error())
		})
	}
	_, err := schema.Load("ok", []byte(intro(query)))
	require.NoError(t, err)
}

// loadPublished loads Tribe's published schema (testenv.PublishedSchema).
func loadPublished(t *testing.T) *ast.Schema {
	t.Helper()
	path := testenv.PublishedSchema(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	s, err := schema.Load(path, data)
	require.NoError(t, err)
	return s
}

// TestRepositorySchemaMatchesThePublishedOne: every type, field, argument
// and enum value of the repository's schema.graphql is in Tribe's
// published schema with the same name, type and nullability, so that
// operations written for the real API validate against the mock.
func TestRepositorySchemaMatchesThePublishedOne(t *testing.T) {
	pub := loadPublished(t)
	assert.Greater(t, len(pub.Types), 500, "the published schema has some 509 types")
	repo := repoSchema(t)
	checked := 0
	for name, def := range repo.Types {
		if def.BuiltIn {
			continue
		}
		p, ok := pub.Types[name]
		if !assert.True(t, ok, "type %s is not in the published schema", name) {
			continue
		}
		assert.Equal(t, def.Kind, p.Kind, "kind of %s", name)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			pf := p.Fields.ForName(f.Name)
			if !assert.NotNil(t, pf, "%s.%s is not in the published schema", name, f.Name) {
				continue
			}
			assert.Equal(t, pf.Type.String(), f.Type.String(), "type of %s.%s", name, f.Name)
			for _, a := range f.Arguments {
				pa := pf.Arguments.ForName(a.Name)
				if assert.NotNil(t, pa, "argument %s.%s(%s) is not in the published schema", name, f.Name, a.Name) {
					assert.Equal(t, pa.Type.String(), a.Type.String(), "type of %s.%s(%s)", name, f.Name, a.Name)
				}
			}
			checked++
		}
		for _, v := range def.EnumValues {
			assert.NotNil(t, p.EnumValues.ForName(v.Name), "enum value %s.%s is not in the published schema", name, v.Name)
			checked++
		}
	}
	assert.Greater(t, checked, 50)

	// The published schema, formatted, loads again to the same text.
	out := schema.Format(pub)
	again, err := schema.Load("again", []byte(out))
	require.NoError(t, err)
	assert.Equal(t, out, schema.Format(again))
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(tribekit.Schema()))
	f.Add([]byte(`{"data":{"__schema":{"queryType":{"name":"Query"},"types":[{"kind":"OBJECT","name":"Query","fields":[{"name":"a","args":[],"type":{"kind":"SCALAR","name":"Int"}}]}]}}}`))
	f.Add([]byte(`{"__schema":{"types":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := schema.Load("fuzz", data)
		if err != nil {
			if !errors.Is(err, tribe.ErrInvalidInput) {
				t.Fatalf("an error that is not ErrInvalidInput: %v", err)
			}
			return
		}
		if _, err := schema.Load("again", []byte(schema.Format(s))); err != nil {
			t.Fatalf("Format printed a schema that does not load: %v", err)
		}
	})
}

// TestPullThePublishedSchemaFromTheMock: the mock serving Tribe's published
// schema gives it back, equivalent, through introspection.
func TestPullThePublishedSchemaFromTheMock(t *testing.T) {
	published := loadPublished(t)
	srv := tribetest.NewServer(tribetest.WithSchema(published))
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	ts, err := app.TokenSource(context.Background(), tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	pulled, err := schema.Pull(context.Background(), schema.Config{Endpoint: srv.GraphQLURL(), TokenSource: ts})
	require.NoError(t, err)
	assert.Equal(t, schema.Format(published), schema.Format(pulled))
	assert.Len(t, pulled.Types, len(published.Types))
}
