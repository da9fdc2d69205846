package crmtest

import (
	"net/http"
	"slices"
	"strings"
)

// serveCurrentEmployee is GET /v1/odata/GetCurrentEmployee(), see
// https://developer.tribecrm.nl/docs/api/concepts/identity-and-environment.
func (s *Server) serveCurrentEmployee(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.GetCurrentEmployee++
	s.agents.API = r.UserAgent()
	g := s.bearer(r)
	if g == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeODataError(w, http.StatusUnauthorized, "Unauthorized", "Authorization has been denied for this request.")
		return
	}
	if !slices.Contains(g.scopes, "read") {
		writeODataError(w, http.StatusForbidden, "Forbidden", "The token lacks the read scope.")
		return
	}
	e := s.employee
	body := map[string]any{
		"@odata.context": s.URL + "/v1/odata/$metadata#Relationship_Person_Contact_Employee/$entity",
		"ID":             e.ID,
		"_Type":          "Relationship.Person.Contact.Employee",
		"_Name":          e.Name,
	}
	for _, x := range strings.Split(r.URL.Query().Get("$expand"), ",") {
		switch strings.TrimSpace(x) {
		case "Person":
			body["Person"] = personJSON(e.Person)
		case "Relation":
			body["Relation"] = map[string]any{
				"ID":    e.Organization.ID,
				"_Type": "Relation.Organization",
				"_Name": e.Organization.Name,
			}
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// serveODataNotFound answers other OData paths.
func (s *Server) serveODataNotFound(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.agents.API = r.UserAgent()
	s.mu.Unlock()
	writeODataError(w, http.StatusNotFound, "NotFound", "No resource was found that matches the request.")
}

// bearer returns the grant of the request's valid access token, or nil.
// s.mu is held.
func (s *Server) bearer(r *http.Request) *grant {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	g, ok := s.access[strings.TrimSpace(tok)]
	if !ok || !s.nowLocked().Before(g.expires) {
		return nil
	}
	return g
}

func personJSON(p Person) map[string]any {
	name := strings.Join(strings.Fields(strings.Join([]string{p.FirstName, p.MiddleName, p.LastName}, " ")), " ")
	var birth any
	if p.BirthDate != "" {
		birth = p.BirthDate
	}
	return map[string]any{
		"ID":                p.ID,
		"_Type":             "Relation.Person",
		"_Name":             name,
		"FirstName":         p.FirstName,
		"MiddleName":        p.MiddleName,
		"LastName":          p.LastName,
		"Initials":          p.Initials,
		"Title":             p.Title,
		"Suffix":            p.Suffix,
		"EmailAddress":      p.EmailAddress,
		"PhoneNumber":       p.PhoneNumber,
		"MobilePhoneNumber": p.MobilePhoneNumber,
		"BirthDate":         birth,
	}
}

// writeODataError sends an OData JSON error.
func writeODataError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": message}})
}
