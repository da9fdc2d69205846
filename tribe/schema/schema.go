package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/urlcheck"
	"github.com/tribekit/tribekit/tribe"
)

// MaxSize bounds a schema document [Load] reads and an introspection
// answer [Pull] reads: the published Tribe schema is about 100 KB as SDL
// and under 2 MB as introspection JSON.
const MaxSize = 32 << 20

// Load reads a schema from data, SDL or an introspection result (JSON,
// told apart by its first character), named name in error messages. The
// schema is validated as gqlparser validates any schema.
func Load(name string, data []byte) (*ast.Schema, error) {
	if len(data) > MaxSize {
		return nil, invalidf("%s is %d bytes, more than %d; give a GraphQL schema", name, len(data), MaxSize)
	}
	sdl := string(data)
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		in, err := parseIntrospection(data)
		if err != nil {
			return nil, invalidf("%s: %v", name, err)
		}
		if sdl, err = in.toSDL(); err != nil {
			return nil, invalidf("%s: the introspection result cannot be read as a schema: %v", name, err)
		}
		s, err := load(name, sdl)
		if err != nil {
			return nil, err
		}
		// Every type the result names, and no other, is in the schema.
		for _, t := range in.Types {
			if strings.HasPrefix(t.Name, "__") {
				continue
			}
			if _, ok := s.Types[t.Name]; !ok {
				return nil, invalidf("%s: type %s of the introspection result is missing from the schema built from it", name, t.Name)
			}
		}
		return s, nil
	}
	return load(name, sdl)
}

func load(name, sdl string) (*ast.Schema, error) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		return nil, invalidf("%s is not a valid GraphQL schema: %v; give SDL or the JSON answer to the introspection query", name, err)
	}
	return s, nil
}

// Format prints s as SDL with gqlparser's formatter: definitions sorted by
// name, two-space indents, built-in types and directives left out. The
// same schema always prints the same text.
func Format(s *ast.Schema) string {
	var b bytes.Buffer
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(s)
	return b.String()
}

// Config says where [Pull] introspects and how it authenticates.
type Config struct {
	// Endpoint is the GraphQL endpoint; empty means [tribe.DefaultEndpoint].
	Endpoint string
	// TokenSource authenticates the request as "Authorization: Bearer";
	// nil sends none (for a server that allows anonymous introspection).
	TokenSource oauth2.TokenSource
	// HTTPClient sends the request; nil means http.DefaultTransport with
	// an overall timeout of [tribe.DefaultHTTPTimeout]. It never follows a
	// redirect with the token.
	HTTPClient *http.Client
	// AllowInsecureHTTP permits a plain http:// endpoint on a host that is
	// not loopback.
	AllowInsecureHTTP bool
	// UserAgent is sent as the User-Agent; empty means tribekit/<version>.
	UserAgent string
}

// Pull sends [IntrospectionQuery] to the endpoint and returns the schema
// it describes. GraphQL errors come back as a [*tribe.ResponseError]
// (errors.Is finds tribe.ErrInvalidToken and the other codes), and other
// failures as a [*tribe.HTTPError]; none holds the token.
func Pull(ctx context.Context, c Config) (*ast.Schema, error) {
	s, _, err := pull(ctx, c)
	return s, err
}

// PullIntrospection is [Pull] that returns the introspection answer
// itself, {"data": {"__schema": …}} indented with two spaces, once [Load]
// has read a valid schema from it: the JSON form of a schema, which Load
// and tribe-token mock --schema read back.
func PullIntrospection(ctx context.Context, c Config) ([]byte, error) {
	_, data, err := pull(ctx, c)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"data":`)
	b.Write(data)
	b.WriteString("}")
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("schema: indenting the introspection answer: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// pull introspects the endpoint, and returns the schema and the answer's
// data it was read from.
func pull(ctx context.Context, c Config) (*ast.Schema, json.RawMessage, error) {
	raw := c.Endpoint
	if raw == "" {
		raw = tribe.DefaultEndpoint
	}
	ep, err := urlcheck.Parse(raw, "Config.Endpoint", "Config.AllowInsecureHTTP", tribe.EndpointUS, c.AllowInsecureHTTP)
	if err != nil {
		return nil, nil, invalidf("%v", err)
	}
	if ep.HasUser {
		return nil, nil, invalidf("Config.Endpoint carries credentials in its userinfo; remove them and authenticate with Config.TokenSource")
	}
	var secrets []string
	header := ""
	if c.TokenSource != nil {
		tok, err := c.TokenSource.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("schema: getting a token: %w", err)
		}
		if tok == nil || tok.AccessToken == "" {
			return nil, nil, fmt.Errorf("schema: the token source returned an empty token: %w", tribe.ErrInvalidToken)
		}
		header = "Bearer " + tok.AccessToken
		secrets = append(secrets, tok.AccessToken)
	}
	hc := httpx.NoRedirects(httpx.Client(c.HTTPClient, tribe.DefaultHTTPTimeout, func(base http.RoundTripper) http.RoundTripper {
		return httpx.UserAgent(c.UserAgent, base)
	}), func(next *http.Request) error {
		return fmt.Errorf("schema: the endpoint redirected to %s://%s; give the final endpoint (the token is not sent across a redirect)", next.URL.Scheme, next.URL.Host)
	})
	body, err := json.Marshal(map[string]any{"query": IntrospectionQuery, "operationName": "IntrospectionQuery"})
	if err != nil {
		return nil, nil, fmt.Errorf("schema: encoding the query: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("schema: introspecting %s: %w", ep.URL, redact.Error(err, secrets...))
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("schema: reading the answer of %s: %w", ep.URL, redact.Error(err, secrets...))
	}
	var answer struct {
		Data   json.RawMessage       `json:"data"`
		Errors []*tribe.GraphQLError `json:"errors"`
	}
	jsonErr := json.Unmarshal(data, &answer)
	if len(answer.Errors) > 0 {
		for _, e := range answer.Errors {
			if e != nil {
				e.Message = redact.String(e.Message, secrets...)
			}
		}
		if res.StatusCode != http.StatusOK {
			return nil, nil, &tribe.HTTPError{Operation: "IntrospectionQuery", StatusCode: res.StatusCode, Body: redact.Bounded(data, 512, secrets...), Errors: answer.Errors}
		}
		return nil, nil, &tribe.ResponseError{Operation: "IntrospectionQuery", Errors: answer.Errors}
	}
	if res.StatusCode != http.StatusOK || jsonErr != nil || len(data) > MaxSize || len(answer.Data) == 0 || string(answer.Data) == "null" {
		reason := "the answer is not an introspection result"
		if len(data) > MaxSize {
			reason = fmt.Sprintf("the answer is larger than %d bytes", MaxSize)
		}
		return nil, nil, &tribe.HTTPError{Operation: "IntrospectionQuery", StatusCode: res.StatusCode, Reason: reason, Body: redact.Bounded(data, 512, secrets...)}
	}
	sch, err := Load(ep.URL, answer.Data)
	if err != nil {
		return nil, nil, err
	}
	return sch, answer.Data, nil
}

// invalidf returns an invalid-input error, "schema: <what is wrong>; <how
// to fix it>", matching [tribe.ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("schema", tribe.ErrInvalidInput, format, args...)
}
