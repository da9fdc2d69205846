package tribetest

// The HTTP handler: the path of one request through the server. ServeHTTP
// records every request and routes it; a GraphQL request then goes
// through the engine (package graphql) in this order: its parameters are
// read, its query text parsed and validated (once, in the cache), its
// operation chosen, its variables coerced, its cost bounded; its root
// fields name it in the record and choose the fault to inject; then its
// credentials are checked (authenticate), its rate limits applied, and it
// is executed, each field answered in the resolve order of resolve.go.

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// ServeHTTP answers one request; see the package documentation for the
// endpoints. It never panics on bad input and always answers JSON, unless
// a [Fault] says otherwise. (To drop a connection it cannot hijack, as
// over HTTP/2, under an http.Server it panics with http.ErrAbortHandler,
// which net/http turns into a quiet reset; see [Fault.Drop].)
// A request is in the record ([Server.Requests], [Server.Count]) before
// its answer is sent or its connection dropped.
// Safe for concurrent use.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.admin && strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r) // not recorded: the record is of the API's requests
		return
	}
	start := time.Now()
	x := &exchange{
		rec: Request{Time: s.Now(), Method: r.Method, Path: r.URL.Path, Auth: AuthNone},
		sw:  statusWriter{ResponseWriter: w, jsonType: s.jsonType},
	}
	rec, sw := &x.rec, &x.sw
	defer func() {
		p := recover()
		if p != nil && p != http.ErrAbortHandler && !sw.wrote {
			rec.ErrorCodes = append(rec.ErrorCodes, codeServer)
			writeResponse(sw, response{status: http.StatusInternalServerError, body: httpErrorBody(http.StatusInternalServerError, codeServer)}, nil)
		}
		rec.Status = sw.status
		s.finish(rec, time.Since(start))
		if sw.dropped != nil {
			_ = sw.dropped.Close()
		}
		if p == http.ErrAbortHandler {
			panic(p)
		}
		sw.send()
		s.putBuffer(sw.pooled)
	}()
	path := r.URL.Path
	switch {
	case path == "/" || path == graphQLPath || path == gatewayPath:
		s.serveGraphQL(x, r, nil)
	case strings.HasPrefix(path, gatewayPath+"/"):
		id := path[len(gatewayPath)+1:]
		s.mu.Lock()
		nr := s.st.netByID[id]
		s.mu.Unlock()
		if nr == nil {
			s.notFound(sw, rec)
			return
		}
		s.serveGraphQL(x, r, nr)
	case path == oauthTokenPath:
		s.serveOAuth(sw, r, rec)
	default:
		s.notFound(sw, rec)
	}
}

func (s *Server) notFound(w http.ResponseWriter, rec *Request) {
	rec.ErrorCodes = append(rec.ErrorCodes, codeNotFound)
	writeResponse(w, response{status: http.StatusNotFound, body: httpErrorBody(http.StatusNotFound, codeNotFound)}, nil)
}

// response is an answer not yet written.
type response struct {
	status      int
	body        []byte
	contentType string // default application/json
	header      map[string]string
}

// writeResponse writes resp, cut to half its bytes if f says to truncate.
func writeResponse(w http.ResponseWriter, resp response, f *Fault) {
	h := w.Header()
	if ct := resp.contentType; ct != "" {
		h.Set("Content-Type", ct)
	} else if sw, ok := w.(*statusWriter); ok && sw.jsonType != nil {
		h["Content-Type"] = sw.jsonType // shared, not copied
	} else {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	for k, v := range resp.header {
		h.Set(k, v)
	}
	body := resp.body
	if f != nil && f.Truncate {
		body = body[:len(body)/2]
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.contentLength[0] = strconv.Itoa(len(body))
		h["Content-Length"] = sw.contentLength[:] // the header's, not copied
	} else {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(body)
}

// statusWriter remembers the status a handler wrote, and holds the answer
// back until send, so that ServeHTTP records a request before its client
// can see the answer: a client that has its answer finds the request in
// the record.
type statusWriter struct {
	http.ResponseWriter
	status  int
	wrote   bool
	body    []byte
	dropped net.Conn // hijacked, to close once the request is recorded
	// pooled is the server's buffer the answer was built in, to give
	// back once it is sent.
	pooled *[]byte
	// jsonType is the server's Content-Type header of JSON answers.
	jsonType []string
	// contentLength is the value of the answer's Content-Length header.
	contentLength [1]string
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	if w.body == nil {
		// Kept, not copied: the handler writes an answer once, and does
		// not change it after.
		w.body = b[:len(b):len(b)]
		return len(b), nil
	}
	w.body = append(w.body, b...)
	return len(b), nil
}

// send writes the answer held back, if any.
func (w *statusWriter) send() {
	if !w.wrote || w.dropped != nil {
		return
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(w.body)
}

// Unwrap lets http.ResponseController reach the connection to hijack it.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// exchange is one request's state in the server, made in one
// allocation: its record, the writer that holds its answer back, and for
// a GraphQL request its credentials, the root object and resolver of its
// execution.
type exchange struct {
	rec  Request
	sw   statusWriter
	rc   reqCtx
	auth authState
	root rootObject
	op   opRoot
}

// serveGraphQL answers a GraphQL request; gateway is the network of a
// /gateway/{id} path, or nil.
func (s *Server) serveGraphQL(x *exchange, r *http.Request, gateway *netRec) {
	w, rec := &x.sw, &x.rec
	presented := s.presentedAuth(r, rec)
	params, bad := s.cache.ReadParams(r)
	if bad != nil {
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
		resp := response{status: bad.Status, body: graphql.ErrorsBody(graphql.NewError(codeInvalidRequest, bad.Message))}
		if bad.Status == http.StatusMethodNotAllowed {
			resp.header = map[string]string{"Allow": "GET, POST"}
		}
		writeResponse(w, resp, nil)
		return
	}
	rec.OperationName = params.OperationName
	if params.Variables != nil {
		rec.Variables = recordVariables(params.Variables)
	}
	q := s.cache.Get(params.Query)
	if errs := q.Errors(); errs != nil {
		s.writeGraphQLErrors(w, rec, errs...)
		return
	}
	op, ge := q.Operation(params.OperationName)
	if ge != nil {
		s.writeGraphQLErrors(w, rec, *ge)
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
		s.writeGraphQLErrors(w, rec, graphql.NewError(codeInvalidRequest, "the server answers queries and mutations only").At(op.Position))
		return
	}
	vars, verr := q.Coerce(op, params.Variables)
	if verr != nil {
		s.writeGraphQLErrors(w, rec, *verr)
		return
	}
	// Refuse what would take long to execute before executing any of it.
	if cost := s.queryCost(q, op, vars); cost > s.cfg.maxCost {
		s.writeGraphQLErrors(w, rec, graphql.CostError(codeInvalidRequest, cost, s.cfg.maxCost))
		return
	}
	rootFields := q.RootFields(op, rootType.Name, vars)
	for _, c := range rootFields {
		if !slices.Contains(rec.Fields, c.Fields[0].Name) {
			rec.Fields = append(rec.Fields, c.Fields[0].Name)
		}
	}
	f := s.takeFault(op.Name, rec.Fields...)
	if f != nil && s.applyFault(w, r, f, rec, func(status int) []byte { return httpErrorBody(status, codeForStatus(status)) }) {
		return
	}
	auth, refused := s.authenticate(&x.auth, r, rec, presented, gateway, rec.Fields)
	if refused != "" {
		writeResponse(w, response{
			status: http.StatusUnauthorized,
			body:   graphql.ErrorsBody(graphql.NewError("", refused)),
			header: map[string]string{"WWW-Authenticate": `Basic realm="tribetest", charset="UTF-8"`},
		}, f)
		return
	}
	cx := q.Complexity(op, vars)
	if l := s.rateLimits(); l != nil && auth.member != nil && auth.net != nil {
		if wait := s.rates.admit(auth.appID+"|"+auth.net.net.ID, *l, cx, s.Now()); wait > 0 {
			rec.ErrorCodes = append(rec.ErrorCodes, codeRateLimited)
			writeResponse(w, response{status: http.StatusOK, body: rateLimitedBody(cx, wait),
				header: map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds(wait))}}, f)
			return
		}
	}
	x.root = rootObject{s: s, rec: rec, auth: auth}
	var root graphql.Object = &x.root
	if rootType != s.schema.Query {
		x.op = opRoot{def: rootType, auth: auth, s: s}
		root = &x.op
	}
	buf := s.getBuffer()
	w.pooled = buf
	x.rc.s, x.rc.ctx, x.rc.auth = s, r.Context(), auth // the rest is zero
	res := q.Execute(graphql.Execution{
		Vars:     vars,
		Root:     root,
		Fields:   rootFields,
		Resolver: &x.rc,
		Buf:      append((*buf)[:0], `{"data":`...),
		Max:      s.cfg.maxResponse,
	})
	*buf = res.Data[:0] // grown, for the next request
	var body []byte
	switch {
	case res.TooBig:
		body = graphql.ErrorsBody(graphql.TooLarge(codeInvalidRequest, s.cfg.maxResponse))
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
	case len(res.Errors) > 0:
		errs := graphql.ErrorsBody(res.Errors...) // {"errors":[...]}
		data := res.Data[len(`{"data":`):]
		body = make([]byte, 0, len(errs)+len(data)+64)
		body = append(body, errs[:len(errs)-1]...)
		body = append(body, `,"data":`...)
		body = append(body, data...)
		body = appendComplexity(body, cx)
		for _, ge := range res.Errors {
			rec.ErrorCodes = append(rec.ErrorCodes, ge.Code)
		}
	default:
		body = appendComplexity(res.Data, cx)
		*buf = body[:0]
	}
	if len(body) > s.cfg.maxResponse { // the errors made it too large
		body = graphql.ErrorsBody(graphql.TooLarge(codeInvalidRequest, s.cfg.maxResponse))
		rec.ErrorCodes = append(rec.ErrorCodes, codeInvalidRequest)
	}
	writeResponse(w, response{status: http.StatusOK, body: body}, f)
}

func (s *Server) writeGraphQLErrors(w http.ResponseWriter, rec *Request, errs ...graphql.Error) {
	body := graphql.ErrorsBody(errs...)
	if len(body) > s.cfg.maxResponse {
		errs = []graphql.Error{graphql.TooLarge(codeInvalidRequest, s.cfg.maxResponse)}
		body = graphql.ErrorsBody(errs...)
	}
	for _, e := range errs {
		rec.ErrorCodes = append(rec.ErrorCodes, e.Code)
	}
	writeResponse(w, response{status: http.StatusOK, body: body}, nil)
}

// appendComplexity ends an answer with its extensions.complexity.
func appendComplexity(body []byte, cx int) []byte {
	body = append(body, `,"extensions":{"complexity":`...)
	body = strconv.AppendInt(body, int64(cx), 10)
	return append(body, "}}"...)
}

// maxPooledBuffer is the largest answer buffer the server keeps for the
// next request: a larger answer's is left to the garbage collector.
const maxPooledBuffer = 256 << 10

// getBuffer is a buffer to build an answer in: one a request gave back,
// or a new one.
func (s *Server) getBuffer() *[]byte {
	if b, ok := s.buffers.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 4<<10)
	return &b
}

// putBuffer gives b back for the next request, once the answer built in
// it is sent; nil does nothing.
func (s *Server) putBuffer(b *[]byte) {
	if b != nil && cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		s.buffers.Put(b)
	}
}
