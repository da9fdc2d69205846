package tribetest

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/adminpage"
)

// adminDelivery is a Delivery in the admin API's JSON.
type adminDelivery struct {
	ID        string         `json:"id"`
	NetworkID string         `json:"networkId"`
	AppID     string         `json:"appId"`
	Type      string         `json:"type"`
	Event     string         `json:"event,omitempty"`
	EventID   string         `json:"eventId,omitempty"`
	URL       string         `json:"url"`
	State     string         `json:"state"`
	Error     string         `json:"error,omitempty"`
	Created   string         `json:"created"`
	Settled   string         `json:"settled,omitempty"`
	Attempts  []adminAttempt `json:"attempts"`
}

type adminAttempt struct {
	Started    string  `json:"started"`
	DurationMs float64 `json:"durationMs"`
	Status     int     `json:"status"`
	Error      string  `json:"error,omitempty"`
	Answer     string  `json:"answer"`
	Duplicate  bool    `json:"duplicate,omitempty"`
}

// maxAdminWait bounds POST /__admin/deliveries/wait.
const maxAdminWait = 5 * time.Minute

// serveAdminApps answers the admin API's endpoints of deliveries and
// apps, and its HTML page (see the package documentation).
func (s *Server) serveAdminApps(w http.ResponseWriter, r *http.Request, route string, decode func(any) bool, reply func(int, any), fail func(int, string)) {
	switch route {
	case "GET ":
		s.serveAdminPage(w)
	case "GET deliveries":
		ds := s.Deliveries()
		out := make([]adminDelivery, len(ds))
		for i, d := range ds {
			out[i] = adminDelivery{ID: d.ID, NetworkID: d.NetworkID, AppID: d.AppID, Type: d.Type, Event: d.Event, EventID: d.EventID,
				URL: d.URL, State: d.State, Error: d.Error, Created: d.Created.UTC().Format(time.RFC3339Nano), Attempts: []adminAttempt{}}
			if !d.Settled.IsZero() {
				out[i].Settled = d.Settled.UTC().Format(time.RFC3339Nano)
			}
			for _, a := range d.Attempts {
				out[i].Attempts = append(out[i].Attempts, adminAttempt{Started: a.Started.UTC().Format(time.RFC3339Nano),
					DurationMs: float64(a.Duration.Microseconds()) / 1000, Status: a.Status, Error: a.Error, Answer: a.Answer, Duplicate: a.Duplicate})
			}
		}
		reply(http.StatusOK, map[string]any{"deliveries": out})
	case "POST deliveries/wait":
		var in struct {
			TimeoutMs float64 `json:"timeoutMs"`
		}
		if !decode(&in) {
			return
		}
		d := time.Duration(in.TimeoutMs * float64(time.Millisecond))
		if d <= 0 || d > maxAdminWait {
			fail(http.StatusBadRequest, "tribetest: timeoutMs must be more than 0 and at most 300000")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		if err := s.WaitDeliveries(ctx); err != nil {
			fail(http.StatusGatewayTimeout, err.Error()+"; wait longer, or look at GET /__admin/deliveries")
			return
		}
		reply(http.StatusOK, map[string]any{})
	case "POST deliveries/duplicate":
		var in struct {
			Times int `json:"times"`
		}
		if !decode(&in) {
			return
		}
		if in.Times < 1 || in.Times > 1000 {
			fail(http.StatusBadRequest, "tribetest: times must be from 1 to 1000")
			return
		}
		s.DuplicateDeliveries(in.Times)
		reply(http.StatusOK, map[string]any{})
	case "POST webhook/test":
		var in struct {
			AppID string `json:"appId"`
		}
		if !decode(&in) {
			return
		}
		if err := s.TestWebhook(r.Context(), in.AppID); err != nil {
			fail(http.StatusBadGateway, err.Error())
			return
		}
		reply(http.StatusOK, map[string]any{})
	case "POST install", "POST uninstall":
		var in struct {
			ClientID  string `json:"clientId"`
			NetworkID string `json:"networkId"`
		}
		if !decode(&in) {
			return
		}
		do := s.Install
		if strings.HasSuffix(route, "uninstall") {
			do = s.Uninstall
		}
		if err := do(in.ClientID, in.NetworkID); err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		reply(http.StatusOK, map[string]any{})
	}
}

// maxPageRows bounds each table of the admin page.
const maxPageRows = 200

// serveAdminPage writes the admin API's HTML page: recent deliveries and
// requests, newest first.
func (s *Server) serveAdminPage(w http.ResponseWriter) {
	p := adminpage.Page{Now: s.Now()}
	ds := s.Deliveries()
	slices.Reverse(ds)
	for _, d := range ds[:min(len(ds), maxPageRows)] {
		row := adminpage.Delivery{ID: d.ID, Created: d.Created, Type: d.Type, Event: d.Event, EventID: d.EventID, URL: d.URL, State: d.State, Attempts: len(d.Attempts), Last: d.Error}
		if n := len(d.Attempts); n > 0 {
			a := d.Attempts[n-1]
			row.Last = a.Error
			if a.Status != 0 {
				row.Last = "HTTP " + strconv.Itoa(a.Status)
			}
		}
		p.Deliveries = append(p.Deliveries, row)
	}
	rs := s.Requests()
	slices.Reverse(rs)
	for _, rq := range rs[:min(len(rs), maxPageRows)] {
		op := rq.OperationName
		if op == "" {
			op = strings.Join(rq.Fields, ", ")
		}
		if op == "" {
			op = rq.Grant
		}
		p.Requests = append(p.Requests, adminpage.Request{Time: rq.Time, Method: rq.Method, Path: rq.Path, Operation: op, MemberID: rq.MemberID,
			Status: rq.Status, ErrorCodes: strings.Join(rq.ErrorCodes, ", "), DurationMs: float64(rq.Duration.Microseconds()) / 1000})
	}
	var b bytes.Buffer
	if err := adminpage.Write(&b, p); err != nil {
		http.Error(w, "tribetest: cannot render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", adminpage.ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}
