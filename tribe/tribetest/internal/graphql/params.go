package graphql

import (
	"io"
	"mime"
	"net/http"
	"strings"
)

// MaxBodyBytes bounds a request body.
const MaxBodyBytes = 1 << 20

// Params are the parameters of a GraphQL-over-HTTP request
// (https://graphql.github.io/graphql-over-http/draft/#sec-Request-Parameters).
type Params struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// Refusal is why a request's parameters cannot be read: the HTTP status
// to answer, and a message for a GraphQL error.
type Refusal struct {
	Status  int
	Message string
}

// ReadParams reads a GET (query string) or POST (JSON, or
// application/graphql) request's parameters; a non-nil Refusal says why
// it cannot. A body may not pass [MaxBodyBytes].
func ReadParams(r *http.Request) (Params, *Refusal) { return readParams(r, nil) }

// ReadParams is [ReadParams], but the variables of a POST body whose
// variables object (of scalars only) has the text of a recent request's
// are that request's map: read them, never write them. The cache keeps
// as many such texts as query texts.
func (c *Cache) ReadParams(r *http.Request) (Params, *Refusal) { return readParams(r, &c.vars) }

func readParams(r *http.Request, shared *sharedVars) (Params, *Refusal) {
	var p Params
	refuse := func(status int, msg string) (Params, *Refusal) {
		return p, &Refusal{Status: status, Message: msg}
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if !unmarshalVariables([]byte(v), &p) {
				return refuse(http.StatusBadRequest, "variables must be a JSON object")
			}
		}
	case http.MethodPost:
		body, err := readBody(r)
		if err != nil {
			return refuse(http.StatusBadRequest, "cannot read the request body")
		}
		if len(body) > MaxBodyBytes {
			return refuse(http.StatusRequestEntityTooLarge, "request body larger than 1 MiB")
		}
		mt := r.Header.Get("Content-Type")
		if mt != "application/json" {
			mt, _, _ = mime.ParseMediaType(mt)
		}
		switch mt {
		case "application/graphql":
			p.Query = string(body)
		case "", "application/json", "application/graphql-response+json":
			if err := decodeParams(body, &p, shared); err != nil {
				return refuse(http.StatusBadRequest, "the body must be a JSON object with query, operationName and variables")
			}
		default:
			return refuse(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		}
	default:
		return refuse(http.StatusMethodNotAllowed, "GraphQL requests are GET or POST")
	}
	if strings.TrimSpace(p.Query) == "" {
		return refuse(http.StatusBadRequest, "no query in the request")
	}
	return p, nil
}

// readBody reads r's body, up to one byte past MaxBodyBytes, in one
// allocation when the request says its length.
func readBody(r *http.Request) ([]byte, error) {
	n := int64(512)
	if r.ContentLength >= 0 && r.ContentLength < MaxBodyBytes {
		n = r.ContentLength + 1 // room to see the end
	}
	b := make([]byte, 0, n)
	lr := io.LimitedReader{R: r.Body, N: MaxBodyBytes + 1}
	for {
		m, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
