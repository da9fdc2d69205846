package tribetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Fixtures is the data a [Server] starts with: apps, and networks
// (communities) with their roles and members. Build one in Go, start from
// [DefaultFixtures], or read one from a JSON file with [LoadFixtures]; the
// JSON format is described in the package documentation.
//
// A Fixtures value is plain data and not safe for concurrent modification;
// [WithFixtures] copies it, so changing it afterwards does not affect a
// running server.
type Fixtures struct {
	// Apps are the apps that may call limitedToken and the OAuth endpoint.
	Apps []App `json:"apps"`
	// Networks are the communities, in order; the first network the first
	// app is installed on is the server's default [Server.Network].
	Networks []Network `json:"networks"`
	// Objects seed the server's [Store]: by type name, objects with an
	// "id" (a non-empty string, unique in its type) and any other fields
	// of that type, as the store holds them. Their types are checked
	// against the server's schema when it starts.
	Objects map[string][]map[string]any `json:"objects,omitempty"`
	// RateLimits, if set, are enforced as [WithRateLimits] does (which
	// wins over them). In JSON, window is in nanoseconds or a Go duration
	// string ("10s").
	RateLimits *RateLimits `json:"rateLimits,omitempty"`
}

// App is an app (integration) with its OAuth client credentials
// (https://developers.bettermode.com/docs/guide/graphql/authentication/app). For each network it is installed on, the server
// adds a bot member with the network's admin role; see [Server.Bot].
// Plain data, like [Fixtures].
type App struct {
	// ID is the app's id, put in the appId claim of its tokens. Default:
	// the client id.
	ID string `json:"id,omitempty"`
	// Name is the app's display name; it also names its bot members.
	Name string `json:"name,omitempty"`
	// ClientID and ClientSecret are the credentials sent as HTTP Basic
	// auth to limitedToken and in the OAuth token request. Both required.
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	// InstalledOn lists the ids of the networks the app is published and
	// installed on. Elsewhere limitedToken answers Forbidden (code 102).
	InstalledOn []string `json:"installedOn"`
	// WebhookURL, WebhookSignSecret, WebhookSubscriptions and
	// InteractionURL are where the server calls the app back: each
	// event of the community it subscribes to (empty: every event, "*"
	// too), its installs and uninstalls, TEST requests and its
	// interactions, signed with WebhookSignSecret (see [AppWebhook]).
	WebhookURL           string   `json:"webhookUrl,omitempty"`
	WebhookSignSecret    string   `json:"webhookSignSecret,omitempty"`
	WebhookSubscriptions []string `json:"webhookSubscriptions,omitempty"`
	InteractionURL       string   `json:"interactionUrl,omitempty"`
}

// String describes the app without its client secret.
func (a App) String() string {
	return fmt.Sprintf("tribetest.App{ID:%q Name:%q ClientID:%q ClientSecret:[REDACTED] InstalledOn:%q}",
		a.ID, a.Name, a.ClientID, a.InstalledOn)
}

// GoString is [App.String], so %#v does not print the secret either.
func (a App) GoString() string { return a.String() }

// Network is a community (Tribe's API calls communities networks), with
// its roles and members (GraphQL type Network). Plain data,
// like [Fixtures]; the server's accessors return copies.
type Network struct {
	// ID is the network's id. Required, unique.
	ID string `json:"id"`
	// Name defaults to the id; Domain defaults to ID + ".example.com".
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
	// OwnerID defaults to the first member with an admin role.
	OwnerID     string `json:"ownerId,omitempty"`
	Locale      string `json:"locale,omitempty"`      // default "en-US"
	Description string `json:"description,omitempty"` // null when empty
	// Status is one of archived, published (default), unpublished.
	Status string `json:"status,omitempty"`
	// Visibility is private or public (default).
	Visibility string    `json:"visibility,omitempty"`
	CreatedAt  time.Time `json:"createdAt,omitzero"` // default 2024-01-01T00:00:00Z
	// Roles default to four roles with ids role-admin, role-moderator,
	// role-member and role-guest, of the types their names say.
	Roles []Role `json:"roles,omitempty"`
	// Members are the network's members. Bot members are not listed here.
	Members []Member `json:"members,omitempty"`
	// JWT, when set, turns on JWT passthrough for this network
	// (see [JWTConfig]).
	JWT *JWTConfig `json:"jwt,omitempty"`
}

// Role is a member role of a network. Plain data, like [Fixtures].
type Role struct {
	// ID is the role's id, unique in its network. Required.
	ID string `json:"id"`
	// Name defaults to the type, capitalised (or the id).
	Name string `json:"name,omitempty"`
	// Type is admin, moderator, member or guest; empty for a custom role
	// (GraphQL null).
	Type string `json:"type,omitempty"`
	// Scopes are the role's permission scopes (default none).
	Scopes []string `json:"scopes,omitempty"`
	// Hidden makes the GraphQL field visible false.
	Hidden bool `json:"hidden,omitempty"`
	// Description is null when empty.
	Description string `json:"description,omitempty"`
}

// Member is a member of one network (GraphQL type Member).
// Empty optional strings and zero optional times answer GraphQL null.
// Plain data, like [Fixtures]; the server's accessors return copies.
type Member struct {
	// ID is the member's id, unique across all networks. Required.
	ID string `json:"id"`
	// NetworkID is the member's network; it is filled in from the network
	// the member is listed under.
	NetworkID string `json:"networkId,omitempty"`
	// Username defaults to the id; unique in the network, like the email
	// and the external id (case-insensitively for username and email).
	Username   string `json:"username,omitempty"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	// Password is what grant_type=password accepts; empty means the member
	// cannot log in with a password.
	Password string `json:"password,omitempty"`
	// RoleID names one of the network's roles by id or, failing that, by
	// type (so "admin" works with the default roles). Default: the role of
	// type member.
	RoleID string `json:"roleId,omitempty"`
	// Status is one of BLOCKED, DELETED, REMOVED, Suspended, UNVERIFIED,
	// VERIFIED (default). BLOCKED, DELETED, REMOVED and Suspended members
	// cannot get OAuth tokens; DELETED and REMOVED ones are not listed.
	Status     string    `json:"status,omitempty"`
	Locale     string    `json:"locale,omitempty"` // default "en-US"
	Teammate   bool      `json:"teammate,omitempty"`
	Tagline    string    `json:"tagline,omitempty"`
	URL        string    `json:"url,omitempty"` // default https://DOMAIN/member/ID
	CreatedAt  time.Time `json:"createdAt,omitzero"`
	UpdatedAt  time.Time `json:"updatedAt,omitzero"`
	LastSeenAt time.Time `json:"lastSeenAt,omitzero"`
	VerifiedAt time.Time `json:"verifiedAt,omitzero"`
	// Bot is true for an app's bot member. Set by the server, not by
	// fixtures.
	Bot bool `json:"-"`
}

// String describes the member without the password.
func (m Member) String() string {
	pw := ""
	if m.Password != "" {
		pw = "[REDACTED]"
	}
	return fmt.Sprintf("tribetest.Member{ID:%q NetworkID:%q Username:%q Name:%q Email:%q ExternalID:%q Password:%s RoleID:%q Status:%q Bot:%t}",
		m.ID, m.NetworkID, m.Username, m.Name, m.Email, m.ExternalID, pw, m.RoleID, m.Status, m.Bot)
}

// GoString is [Member.String], so %#v does not print the password either.
func (m Member) GoString() string { return m.String() }

// JWTConfig turns on JWT passthrough for a network: a Bearer JWT that is
// not one of the server's own tokens, verified with exactly one of
// HS256Secret, PublicKeyPEM or JWKSURL, acts as the member whose external
// id is its sub claim (created from the claims if unknown).
// Plain data, like [Fixtures].
type JWTConfig struct {
	// HS256Secret verifies HS256 tokens.
	HS256Secret string `json:"hs256Secret,omitempty"`
	// PublicKeyPEM is an RSA or EC public key (PKIX "PUBLIC KEY", PKCS #1
	// "RSA PUBLIC KEY", or a certificate) verifying RS*, PS* or ES* tokens.
	PublicKeyPEM string `json:"publicKeyPem,omitempty"`
	// JWKSURL is fetched (RFC 7517, kty RSA and EC; at most 256 KiB and
	// 100 keys, within ten seconds) by one request at a time, the others
	// waiting for it, and cached by the server's clock: for five minutes,
	// a failed fetch for 30 seconds. A kid the document lacks fetches it
	// again once it is 30 seconds old (a key rotation), not sooner, so
	// requests cannot make the server fetch once each.
	JWKSURL string `json:"jwksUrl,omitempty"`
	// Issuer, when set, must equal the token's iss claim. When several
	// networks have passthrough, they are tried in order; those whose
	// Issuer differs from the token's iss are skipped.
	Issuer string `json:"issuer,omitempty"`
	// DefaultRoleID is the role of members created from tokens. Default:
	// the role of type member.
	DefaultRoleID string `json:"defaultRoleId,omitempty"`
}

// String describes the configuration without the HS256 secret.
func (c JWTConfig) String() string {
	secret := ""
	if c.HS256Secret != "" {
		secret = "[REDACTED]"
	}
	return fmt.Sprintf("tribetest.JWTConfig{HS256Secret:%s PublicKeyPEM:%d bytes JWKSURL:%q Issuer:%q DefaultRoleID:%q}",
		secret, len(c.PublicKeyPEM), c.JWKSURL, c.Issuer, c.DefaultRoleID)
}

// GoString is [JWTConfig.String].
func (c JWTConfig) GoString() string { return c.String() }

// maxFixturesBytes bounds a fixtures file.
const maxFixturesBytes = 16 << 20

// LoadFixtures reads fixtures from a JSON file in the format the package
// documentation describes. Unknown keys are an error, so are fixtures that
// fail [Fixtures.Validate], and so is a file larger than 16 MiB (read no
// further than that).
func LoadFixtures(path string) (*Fixtures, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tribetest: read fixtures: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFixturesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tribetest: read fixtures: %w", err)
	}
	if len(data) > maxFixturesBytes {
		return nil, fmt.Errorf("tribetest: read fixtures: %q is larger than 16 MiB; give a smaller file", clip(path))
	}
	return ParseFixtures(data)
}

// ParseFixtures is [LoadFixtures] for JSON already in memory.
func ParseFixtures(data []byte) (*Fixtures, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("tribetest: decode fixtures: %w; fix the JSON (the package documentation shows the format)", err)
	}
	if dec.More() {
		return nil, errors.New("tribetest: decode fixtures: trailing data after the JSON object; give exactly one JSON object")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate reports the first problem with f: missing or duplicate ids,
// unknown networks or roles, invalid enum values, a bad JWT configuration.
// It does not change f, so concurrent calls are safe while nobody modifies
// f.
func (f *Fixtures) Validate() error {
	_, err := newState(f)
	return err
}

// Clone returns a deep copy of f (nil for nil).
func (f *Fixtures) Clone() *Fixtures {
	if f == nil {
		return nil
	}
	c := &Fixtures{Apps: make([]App, len(f.Apps)), Networks: make([]Network, len(f.Networks))}
	for i, a := range f.Apps {
		a.InstalledOn = append([]string(nil), a.InstalledOn...)
		a.WebhookSubscriptions = append([]string(nil), a.WebhookSubscriptions...)
		c.Apps[i] = a
	}
	for i, n := range f.Networks {
		c.Networks[i] = cloneNetwork(n)
	}
	if f.Objects != nil {
		c.Objects = make(map[string][]map[string]any, len(f.Objects))
		for typ, objs := range f.Objects {
			cp := make([]map[string]any, len(objs))
			for i, o := range objs {
				if v, _, err := copyJSON(o); err == nil {
					cp[i], _ = v.(map[string]any)
				}
			}
			c.Objects[typ] = cp
		}
	}
	if f.RateLimits != nil {
		l := *f.RateLimits
		c.RateLimits = &l
	}
	return c
}

// checkObjects validates the fixtures' objects without a schema: each has
// a non-empty string id of at most 200 bytes, unique in its type.
func checkObjects(objects map[string][]map[string]any) error {
	for typ, objs := range objects {
		seen := make(map[string]bool, len(objs))
		for i, o := range objs {
			id, ok := o["id"].(string)
			if !ok || id == "" {
				return fmt.Errorf("tribetest: objects %q[%d]: no id; give every object a non-empty string id", clip(typ), i)
			}
			if err := checkLen(fmt.Sprintf("tribetest: objects %q[%d]", clip(typ), i), "id", id, maxIDLen); err != nil {
				return err
			}
			if seen[id] {
				return fmt.Errorf("tribetest: objects %q: duplicate id %q; give each object of a type an id of its own", clip(typ), clip(id))
			}
			seen[id] = true
		}
	}
	return nil
}

// seedStore stores the fixtures' objects, in the order of their type
// names and then of the lists.
func seedStore(st *Store, f *Fixtures) error {
	if f == nil {
		return nil
	}
	types := make([]string, 0, len(f.Objects))
	for typ := range f.Objects {
		types = append(types, typ)
	}
	slices.Sort(types)
	for _, typ := range types {
		for _, o := range f.Objects[typ] {
			id, _ := o["id"].(string)
			if err := st.Set(typ, id, o); err != nil {
				return errors.New("tribetest: fixtures' objects: " + strings.TrimPrefix(err.Error(), "tribetest: "))
			}
		}
	}
	return nil
}

func cloneNetwork(n Network) Network {
	roles := make([]Role, len(n.Roles))
	for i, r := range n.Roles {
		r.Scopes = append([]string(nil), r.Scopes...)
		roles[i] = r
	}
	if n.Roles == nil {
		roles = nil
	}
	n.Roles = roles
	n.Members = append([]Member(nil), n.Members...)
	if n.JWT != nil {
		j := *n.JWT
		n.JWT = &j
	}
	return n
}
