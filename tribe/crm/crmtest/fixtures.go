package crmtest

import (
	"fmt"

	"github.com/tribekit/tribekit/internal/redact"
)

// The application every [Server] knows unless told otherwise (see [WithApp]).
const (
	// DefaultClientID is the default application's client ID.
	DefaultClientID = "crmtest-client"
	// DefaultClientSecret is the default application's secret.
	DefaultClientSecret = "crmtest-secret-d0n0tl0g"
	// DefaultRedirectURL is the default application's web redirect URL.
	DefaultRedirectURL = "https://app.example.com/oauth/callback"
	// LoopbackRedirectURL is also registered for the default application.
	// Having no port, it matches http://127.0.0.1:ANY/callback, as RFC 8252
	// section 7.3 asks of servers, for command-line logins.
	LoopbackRedirectURL = "http://127.0.0.1/callback"
)

// App is a registered Tribe CRM application (Configuration > Applications;
// see https://developer.tribecrm.nl/docs/api/concepts/authentication). It is
// a plain value; [WithApp] copies it. Its String and GoString hide the secret.
type App struct {
	// ClientID is the application's client ID.
	ClientID string
	// ClientSecret is the application's secret.
	ClientSecret string
	// RedirectURLs are the registered redirect URLs. An http URL on
	// 127.0.0.1, [::1] or localhost without a port matches any port.
	RedirectURLs []string
}

// String describes the app without its secret.
func (a App) String() string {
	return fmt.Sprintf("crmtest.App{ClientID: %q, ClientSecret: %s, RedirectURLs: %q}", a.ClientID, redact.Marker, a.RedirectURLs)
}

// GoString is String, so %#v hides the secret too.
func (a App) GoString() string { return a.String() }

// DefaultApp returns the application a [Server] registers by default, a new
// value on each call.
func DefaultApp() App {
	return App{
		ClientID:     DefaultClientID,
		ClientSecret: DefaultClientSecret,
		RedirectURLs: []string{DefaultRedirectURL, LoopbackRedirectURL},
	}
}

// Employee is the fixture GetCurrentEmployee() returns: an Employee
// relationship with its Person and organisation (see
// https://developer.tribecrm.nl/docs/api/relationships/employee). It is a
// plain value; [WithEmployee] copies it.
type Employee struct {
	// ID is the employee's GUID.
	ID string
	// Name is the employee's display name (_Name).
	Name string
	// Person is the linked person, returned with $expand=Person.
	Person Person
	// Organization is the employee's organisation, returned with
	// $expand=Relation.
	Organization Organization
}

// Person is the fixture of a Relation_Person (see
// https://developer.tribecrm.nl/docs/api/relations/contacts), a plain value.
type Person struct {
	// ID is the person's GUID.
	ID string
	// FirstName is the first name.
	FirstName string
	// MiddleName is the middle name or prefix.
	MiddleName string
	// LastName is the last name.
	LastName string
	// Initials are the initials.
	Initials string
	// Title is the title, e.g. "Dr.".
	Title string
	// Suffix is the name suffix.
	Suffix string
	// EmailAddress is the email address.
	EmailAddress string
	// PhoneNumber is the phone number.
	PhoneNumber string
	// MobilePhoneNumber is the mobile phone number.
	MobilePhoneNumber string
	// BirthDate is sent as is, e.g. "1984-03-07"; empty sends null.
	BirthDate string
}

// Organization is the fixture of a Relation_Organization, a plain value.
type Organization struct {
	// ID is the organisation's GUID.
	ID string
	// Name is the organisation's display name.
	Name string
}

// DefaultEmployee returns the employee a [Server] answers with by default, a
// new value on each call.
func DefaultEmployee() Employee {
	return Employee{
		ID:   "6f1c2a7e-93b4-4c0d-8d5e-2b7f9a1c3e05",
		Name: "Jan de Vries",
		Person: Person{
			ID:                "0b8e4d21-5c3a-4f6e-9a7b-1d2c3e4f5a6b",
			FirstName:         "Jan",
			MiddleName:        "de",
			LastName:          "Vries",
			Initials:          "J.",
			EmailAddress:      "jan.devries@example.nl",
			PhoneNumber:       "+31 20 123 4567",
			MobilePhoneNumber: "+31 6 1234 5678",
			BirthDate:         "1984-03-07",
		},
		Organization: Organization{
			ID:   "9d3f6b2a-1e4c-4a8b-b7d5-6c0e2f1a9b84",
			Name: "Voorbeeld B.V.",
		},
	}
}
