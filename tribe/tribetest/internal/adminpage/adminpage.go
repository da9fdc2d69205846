// Package adminpage renders the mock Tribe server's one HTML page, GET
// /__admin/ with the admin API: the recent requests it answered and the
// deliveries it made to apps, as tables. The page is self-contained: no
// script at all, styles inline, nothing loaded from elsewhere, and
// [ContentSecurityPolicy] says so to the browser
// (https://www.w3.org/TR/CSP3/).
package adminpage

import (
	"html/template"
	"io"
	"time"
)

// ContentSecurityPolicy is the header the page is served with: it may
// load nothing, run no script, and only use its own inline styles.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Request is a row of the requests table.
type Request struct {
	Time       time.Time
	Method     string
	Path       string
	Operation  string // the operation's name, or its root fields
	MemberID   string
	Status     int
	ErrorCodes string
	DurationMs float64
}

// Delivery is a row of the deliveries table.
type Delivery struct {
	ID       string
	Created  time.Time
	Type     string
	Event    string
	EventID  string
	URL      string
	State    string
	Attempts int
	// Last says how the last attempt went: an HTTP status, or why there
	// was none.
	Last string
}

// Page is what the page shows, newest first.
type Page struct {
	Now        time.Time
	Requests   []Request
	Deliveries []Delivery
}

// Write renders p as HTML to w. Every value is escaped.
func Write(w io.Writer, p Page) error { return page().Execute(w, p) }

// page parses the template, every time: the page is for a person, not a
// load test.
func page() *template.Template {
	return template.Must(template.New("admin").Funcs(template.FuncMap{
		"stamp": func(t time.Time) string { return t.UTC().Format("15:04:05.000") },
	}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5">
<title>tribetest: requests and deliveries</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #ddd; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; } td.bad { color: #b00; } .empty { color: #777; }
</style>
</head>
<body>
<h1>Mock Tribe server</h1>
<p>As of {{stamp .Now}} UTC; this page reloads every 5 seconds.</p>
<h2 id="deliveries">Deliveries to apps ({{len .Deliveries}})</h2>
{{if .Deliveries}}<table>
<tr><th>Time</th><th>Id</th><th>Type</th><th>Event</th><th>Event id</th><th>URL</th><th>State</th><th>Attempts</th><th>Last answer</th></tr>
{{range .Deliveries}}<tr><td>{{stamp .Created}}</td><td>{{.ID}}</td><td>{{.Type}}</td><td>{{.Event}}</td><td>{{.EventID}}</td><td>{{.URL}}</td><td{{if or (eq .State "failed") (eq .State "dropped")}} class="bad"{{end}}>{{.State}}</td><td>{{.Attempts}}</td><td>{{.Last}}</td></tr>
{{end}}</table>{{else}}<p class="empty">No delivery yet.</p>{{end}}
<h2 id="requests">Requests ({{len .Requests}})</h2>
{{if .Requests}}<table>
<tr><th>Time</th><th>Method</th><th>Path</th><th>Operation</th><th>Member</th><th>Status</th><th>Error codes</th><th>ms</th></tr>
{{range .Requests}}<tr><td>{{stamp .Time}}</td><td>{{.Method}}</td><td>{{.Path}}</td><td>{{.Operation}}</td><td>{{.MemberID}}</td><td{{if ge .Status 400}} class="bad"{{end}}>{{.Status}}</td><td{{if .ErrorCodes}} class="bad"{{end}}>{{.ErrorCodes}}</td><td>{{printf "%.1f" .DurationMs}}</td></tr>
{{end}}</table>{{else}}<p class="empty">No request yet.</p>{{end}}
</body>
</html>
`))
}
