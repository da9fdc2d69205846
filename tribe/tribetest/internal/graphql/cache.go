package graphql

import (
	"container/list"
	"errors"
	"fmt"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

const (
	// MaxQueryTokens bounds the parser's work on one query text.
	MaxQueryTokens = 10000
	// maxCachedQuery is the longest query text the cache keeps.
	maxCachedQuery = 64 << 10
)

// Query is a query text parsed, bounded and validated against a schema:
// either its document or its errors. It keeps for the requests that send
// it what each step computed once: the plan of its fields, its operations'
// coerced variables, costs and complexities, each for the values of the
// variables it depends on. It is safe for concurrent use, and shared by
// the requests of one text while the [Cache] keeps it.
type Query struct {
	once   sync.Once
	schema *Schema
	doc    *ast.QueryDocument
	errs   []Error
	costs  opMap[opCost]
	cx     opMap[opComplexity]
	// coerced: an operation's variables as the last request with scalar
	// values sent them, coerced.
	coerced opMap[coercedVars]
	// plan holds what executing doc needs that no request changes.
	plan queryPlan
}

// Doc is the parsed and validated document; nil when [Query.Errors] has
// errors.
func (q *Query) Doc() *ast.QueryDocument { return q.doc }

// Errors are why the text is not a valid document: a syntax error, a
// bound passed or validation errors, each with [Codes].Invalid.
func (q *Query) Errors() []Error { return q.errs }

// Operation is the operation named name ("" for the only one), or the
// error ([Codes].Invalid) that says there is none such.
func (q *Query) Operation(name string) (*ast.OperationDefinition, *Error) {
	op := q.doc.Operations.ForName(name)
	if op != nil {
		return op, nil
	}
	msg := "operation " + name + " not found in the query"
	if name == "" {
		msg = "operationName is required when the query has several operations"
	}
	e := NewError(q.schema.Codes.Invalid, msg)
	return nil, &e
}

// Cache is a bounded LRU cache of parsed queries keyed by their text,
// safe for concurrent use. Each text is parsed, bounded and validated once
// while it stays in the cache, even when requests for it arrive together;
// texts over 64 KiB are not kept.
type Cache struct {
	schema *Schema
	rules  *rules.Rules
	max    int

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheItem
	lru     list.List                // front: most recently used

	// vars are the variables objects of recent requests, as many as
	// texts, for [Cache.ReadParams].
	vars sharedVars
}

type cacheItem struct {
	query string
	q     *Query
}

// NewCache is a cache of at most size texts, validated against s; size 0
// keeps none.
func NewCache(s *Schema, size int) *Cache {
	return &Cache{schema: s, rules: rules.NewDefaultRules(), max: size, entries: map[string]*list.Element{}, vars: sharedVars{max: size}}
}

// Get returns the query of text, parsing and validating it on a miss.
func (c *Cache) Get(text string) *Query {
	if c.max <= 0 || len(text) > maxCachedQuery {
		q := &Query{schema: c.schema}
		q.once.Do(func() { c.parse(q, text) })
		return q
	}
	c.mu.Lock()
	var q *Query
	if el, ok := c.entries[text]; ok {
		c.lru.MoveToFront(el)
		q = el.Value.(*cacheItem).q
	} else {
		q = &Query{schema: c.schema}
		c.entries[text] = c.lru.PushFront(&cacheItem{query: text, q: q})
		for c.lru.Len() > c.max {
			last := c.lru.Back()
			c.lru.Remove(last)
			delete(c.entries, last.Value.(*cacheItem).query)
		}
	}
	c.mu.Unlock()
	q.once.Do(func() { c.parse(q, text) })
	return q
}

// Len is the number of cached texts.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// parse fills q: the document, or why there is none. Before validation,
// checkBound measures the document; a panic in the parser or the
// validator becomes an error.
func (c *Cache) parse(q *Query, text string) {
	code := c.schema.Codes.Invalid
	defer func() {
		if p := recover(); p != nil {
			q.doc = nil
			q.errs = []Error{NewError(code, fmt.Sprintf("cannot validate the query: %v", p))}
		}
	}()
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "request", Input: text}, MaxQueryTokens)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			q.errs = []Error{FromParser(ge, code)}
		} else {
			q.errs = []Error{NewError(code, err.Error())}
		}
		return
	}
	if e := checkBound(doc, code); e != nil {
		q.errs = []Error{*e}
		return
	}
	if list := validator.ValidateWithRules(c.schema.AST, doc, c.rules); len(list) > 0 {
		for _, ge := range list {
			q.errs = append(q.errs, FromParser(ge, code))
		}
		return
	}
	q.doc = doc
}
