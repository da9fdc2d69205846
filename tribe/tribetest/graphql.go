package tribetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// maxBodyBytes bounds a request body.
const maxBodyBytes = 1 << 20

// graphQLParams is a GraphQL-over-HTTP request.
type graphQLParams struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// serveGraphQL answers a GraphQL request; gateway is the network of a
// /gateway/{id} path, or nil.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request, rec *Request, gateway *netRec) {
	presented := s.presentedAuth(r, rec)
	params, bad := readGraphQLParams(r)
	if bad != nil {
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
		writeResponse(w, *bad, nil)
		return
	}
	rec.OperationName = params.OperationName
	if params.Variables != nil {
		rec.Variables = redactJSON(params.Variables).(map[string]any)
	}
	pq := s.cache.get(params.Query)
	if pq.errs != nil {
		s.writeGraphQLErrors(w, rec, pq.errs...)
		return
	}
	op := pq.doc.Operations.ForName(params.OperationName)
	if op == nil {
		msg := "operation " + params.OperationName + " not found in the query"
		if params.OperationName == "" {
			msg = "operationName is required when the query has several operations"
		}
		s.writeGraphQLErrors(w, rec, newGQLError(codeInvalidRequest, msg))
		return
	}
	rec.OperationName = op.Name
	rootType := s.schema.Query
	switch op.Operation {
	case ast.Mutation:
		rootType = s.schema.Mutation
	case ast.Subscription:
		rootType = nil
	}
	if rootType == nil {
		s.writeGraphQLErrors(w, rec, newGQLError(codeInvalidRequest, "the server answers queries and mutations only").at(op.Position))
		return
	}
	vars, verr := pq.coerce(s.schema, op, params.Variables)
	if verr != nil {
		s.writeGraphQLErrors(w, rec, *verr)
		return
	}
	// Refuse what would take long to execute before executing any of it.
	if cost := s.queryCost(pq, op, vars); cost > s.cfg.maxCost {
		s.writeGraphQLErrors(w, rec, errTooComplex(cost, s.cfg.maxCost))
		return
	}
	pq.plan.init(pq.doc)
	e := &executor{schema: s.schema, doc: pq.doc, vars: vars, max: s.cfg.maxResponse, plan: &pq.plan}
	e.path = e.pathBuf[:0]
	rootFields := e.rootFields(op, rootType.Name)
	for _, c := range rootFields {
		if !slices.Contains(rec.Fields, c.fields[0].Name) {
			rec.Fields = append(rec.Fields, c.fields[0].Name)
		}
	}
	f := s.takeFault(append([]string{op.Name}, rec.Fields...)...)
	if f != nil && s.applyFault(w, r, f, rec, func(status int) []byte { return httpErrorBody(status, codeForStatus(status)) }) {
		return
	}
	cx := pq.complexity(s.schema, op, vars)
	s.executeAndWrite(w, r, rec, gateway, presented, e, rootType, rootFields, f, cx)
}

func (s *Server) executeAndWrite(w http.ResponseWriter, r *http.Request, rec *Request, gateway *netRec,
	presented presentedAuth, e *executor, rootType *ast.Definition, rootFields []collected, f *Fault, cx int) {
	auth, refused := s.authenticate(r, rec, presented, gateway, rec.Fields)
	if refused != "" {
		writeResponse(w, response{
			status: http.StatusUnauthorized,
			body:   errorsBody(newGQLError("", refused)),
			header: map[string]string{"WWW-Authenticate": `Basic realm="tribetest", charset="UTF-8"`},
		}, f)
		return
	}
	if l := s.rateLimits(); l != nil && auth.member != nil && auth.net != nil {
		if wait := s.rates.admit(auth.appID+"|"+auth.net.net.ID, *l, cx, s.Now()); wait > 0 {
			rec.ErrorCodes = append(rec.ErrorCodes, codeRateLimited)
			writeResponse(w, response{status: http.StatusOK, body: rateLimitedBody(cx, wait),
				header: map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds(wait))}}, f)
			return
		}
	}
	e.rc = &reqCtx{s: s, ctx: r.Context(), auth: auth}
	var root object = &rootObject{s: s, rec: rec, auth: auth}
	if rootType != s.schema.Query {
		root = &opRoot{def: rootType, auth: auth}
	}
	e.buf = make([]byte, 0, min(max(512, int(s.bufHint.Load())), 1<<20))
	mark := len(e.buf)
	if !e.executeFields(root, rootFields) {
		e.buf = append(e.buf[:mark], "null"...)
	}
	s.bufHint.Store(int32(min(len(e.buf), 1<<20)))
	var body []byte
	switch {
	case e.tooBig:
		body = errorsBody(errTooLarge(s.cfg.maxResponse))
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
	case len(e.errs) > 0:
		errs, err := json.Marshal(e.errs)
		if err != nil {
			errs = []byte(`[{"message":"internal error","code":"10","extensions":{"code":"10"}}]`)
		}
		body = make([]byte, 0, len(errs)+len(e.buf)+64)
		body = append(body, `{"errors":`...)
		body = append(body, errs...)
		body = append(body, `,"data":`...)
		body = append(body, e.buf...)
		body = appendComplexity(body, cx)
		for _, ge := range e.errs {
			rec.ErrorCodes = append(rec.ErrorCodes, ge.Code)
		}
	default:
		body = make([]byte, 0, len(e.buf)+48)
		body = append(body, `{"data":`...)
		body = append(body, e.buf...)
		body = appendComplexity(body, cx)
	}
	if len(body) > s.cfg.maxResponse { // the errors made it too large
		body = errorsBody(errTooLarge(s.cfg.maxResponse))
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
	}
	writeResponse(w, response{status: http.StatusOK, body: body}, f)
}

func (s *Server) writeGraphQLErrors(w http.ResponseWriter, rec *Request, errs ...gqlError) {
	body := errorsBody(errs...)
	if len(body) > s.cfg.maxResponse {
		errs = []gqlError{errTooLarge(s.cfg.maxResponse)}
		body = errorsBody(errs...)
	}
	for _, e := range errs {
		rec.ErrorCodes = append(rec.ErrorCodes, e.Code)
	}
	writeResponse(w, response{status: http.StatusOK, body: body}, nil)
}

// readGraphQLParams reads a GET (query string) or POST (JSON, or
// application/graphql) request; a non-nil response is the refusal.
func readGraphQLParams(r *http.Request) (graphQLParams, *response) {
	var p graphQLParams
	refuse := func(status int, msg string) (graphQLParams, *response) {
		resp := &response{status: status, body: errorsBody(newGQLError(codeInvalidRequest, msg))}
		if status == http.StatusMethodNotAllowed {
			resp.header = map[string]string{"Allow": "GET, POST"}
		}
		return p, resp
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		p.Query, p.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &p.Variables); err != nil {
				return refuse(http.StatusBadRequest, "variables must be a JSON object")
			}
		}
	case http.MethodPost:
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return refuse(http.StatusBadRequest, "cannot read the request body")
		}
		if len(body) > maxBodyBytes {
			return refuse(http.StatusRequestEntityTooLarge, "request body larger than 1 MiB")
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch mt {
		case "application/graphql":
			p.Query = string(body)
		case "", "application/json", "application/graphql-response+json":
			if err := decodeParams(body, &p); err != nil {
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

// coercedVars is an operation's variables as coerceVariables last
// answered them, for the raw values (scalars) they came from.
type coercedVars struct {
	raw varSnapshot
	n   int // how many variables raw holds
	out map[string]any
}

// maxCoercedVars bounds the variables whose coercion is kept.
const maxCoercedVars = 16

// coerce is coerceVariables(schema, op, raw), kept with pq while
// requests send the same scalar values for op's variables. The map it
// returns is shared: the executor and the cost walks only read it.
func (pq *parsedQuery) coerce(schema *ast.Schema, op *ast.OperationDefinition, raw map[string]any) (map[string]any, *gqlError) {
	if v, ok := pq.coerced.Load(op); ok {
		if cv := v.(coercedVars); len(raw) == cv.n && cv.raw.matches(raw) {
			return cv.out, nil
		}
	}
	out, ge := coerceVariables(schema, op, raw)
	if ge != nil || len(raw) > maxCoercedVars {
		return out, ge
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	if snap := snapshotVars(names, raw); len(names) == 0 || snap.vals != nil {
		pq.coerced.Store(op, coercedVars{raw: snap, n: len(raw), out: out})
	}
	return out, nil
}

// coerceVariables is validator.VariableValues, recovering from its panics
// and mapping its errors to Tribe codes (112 missing, 106 invalid), after
// checkIntVariables.
func coerceVariables(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) (out map[string]any, ge *gqlError) {
	defer func() {
		if p := recover(); p != nil {
			e := newGQLError(codeInvalidParam, fmt.Sprintf("invalid variables: %v", p))
			out, ge = nil, &e
		}
	}()
	if vars == nil {
		vars = map[string]any{}
	}
	if e := checkIntVariables(schema, op, vars); e != nil {
		return nil, e
	}
	out, err := validator.VariableValues(schema, op, vars)
	if err == nil {
		return out, nil
	}
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		e := newGQLError(codeInvalidParam, err.Error())
		return nil, &e
	}
	code := codeInvalidParam
	if strings.HasSuffix(gerr.Message, "must be defined") {
		code = codeMissingParam
	}
	// The error's path is variable.NAME...: name the variable in the
	// message, as a response path would mislead.
	where := "variable"
	for i, p := range gerr.Path {
		switch p := p.(type) {
		case ast.PathName:
			if i == 1 {
				where += " $" + string(p)
			} else if i > 1 {
				where += "." + string(p)
			}
		case ast.PathIndex:
			where += fmt.Sprintf("[%d]", int(p))
		}
	}
	e := newGQLError(code, where+": "+gerr.Message)
	if len(op.VariableDefinitions) > 0 {
		for _, vd := range op.VariableDefinitions {
			if len(gerr.Path) > 1 && gerr.Path[1] == ast.PathName(vd.Variable) {
				e = e.at(vd.Position)
			}
		}
	}
	return nil, &e
}

// checkIntVariables refuses what validator.VariableValues lets through as
// an Int: a string of digits ("5") and integers beyond 32 bits. An Int
// variable, or an Int in a list or input object variable, must be a JSON
// number that is an integer from -2^31 to 2^31-1 (GraphQL, section 3.5.1);
// anything else is a variable error (code 106), before execution. Null and
// absent values are left to VariableValues.
func checkIntVariables(schema *ast.Schema, op *ast.OperationDefinition, vars map[string]any) *gqlError {
	for _, vd := range op.VariableDefinitions {
		if where, bad := badInt(schema, vd.Type, vars[vd.Variable]); bad {
			e := newGQLError(codeInvalidParam, "variable $"+vd.Variable+where+": an Int must be a JSON integer within 32 bits").at(vd.Position)
			return &e
		}
	}
	return nil
}

// badInt reports where in v, a value of type t, an Int is not one: the
// path from v ("", "[2]", ".field"...).
func badInt(schema *ast.Schema, t *ast.Type, v any) (string, bool) {
	if v == nil {
		return "", false
	}
	if t.Elem != nil {
		l, ok := v.([]any)
		if !ok { // a single value stands for a list of one
			return badInt(schema, t.Elem, v)
		}
		for i, x := range l {
			if w, bad := badInt(schema, t.Elem, x); bad {
				return fmt.Sprintf("[%d]", i) + w, true
			}
		}
		return "", false
	}
	if t.NamedType == "Int" {
		f, ok := v.(float64) // what encoding/json decodes a number to
		return "", !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32
	}
	def := schema.Types[t.NamedType]
	obj, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return "", false
	}
	for _, fd := range def.Fields {
		if w, bad := badInt(schema, fd.Type, obj[fd.Name]); bad {
			return "." + fd.Name + w, true
		}
	}
	return "", false
}

// appendComplexity ends an answer with its extensions.complexity.
func appendComplexity(body []byte, cx int) []byte {
	body = append(body, `,"extensions":{"complexity":`...)
	body = strconv.AppendInt(body, int64(cx), 10)
	return append(body, "}}"...)
}
