package delivery

import (
	"fmt"
	"net/url"
)

// Job is a request to deliver: a body signed with Secret and posted to
// URL.
type Job struct {
	// Community is the network the request is about: the first attempts
	// of one community go out in the order they were sent.
	Community string
	AppID     string
	// Type is the request's type (SUBSCRIPTION, APP_INSTALLED, TEST…),
	// Event a SUBSCRIPTION's event name and EventID the id of its event
	// (or installation), for the record.
	Type    string
	Event   string
	EventID string
	URL     string
	// Secret is the app's signing secret; it never leaves this package
	// but in the signature.
	Secret string
	// Body is the request's JSON, the same on every attempt.
	Body []byte
}

// String describes j without its secret and body.
func (j Job) String() string {
	return fmt.Sprintf("delivery.Job{Community:%q AppID:%q Type:%q Event:%q EventID:%q URL:%q Secret:[REDACTED] Body:%d bytes}",
		j.Community, j.AppID, j.Type, j.Event, j.EventID, redactURL(j.URL), len(j.Body))
}

// GoString is [Job.String], so %#v does not print the secret either.
func (j Job) GoString() string { return j.String() }

// redactURL is u without its user info and query, which may hold
// credentials.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(a URL that does not parse)"
	}
	p.User, p.RawQuery, p.ForceQuery, p.Fragment = nil, "", false, ""
	return p.String()
}

// checkURL refuses a URL the dispatcher cannot post to.
func checkURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("delivery: the app's URL is not an http or https URL with a host, such as http://127.0.0.1:8080/webhook")
	}
	return nil
}
