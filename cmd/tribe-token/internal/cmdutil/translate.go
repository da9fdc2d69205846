package cmdutil

import (
	"errors"
	"strings"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/crm"
)

// fieldName is a library setting an invalid-input message may name, and
// what sets it on tribe-token's command line.
type fieldName struct{ field, flag string }

// tribeFields are the settings of tribe, tribe/grant and tribe/passthrough
// (whose invalid input is tribe.ErrInvalidInput), whole phrases first, then
// longer names before the names they hold.
func tribeFields() []fieldName {
	return []fieldName{
		{"set AllowInsecureHTTP", "pass --insecure-http"},
		{"set Config.AllowInsecureHTTP", "pass --insecure-http"},
		{"set ClientConfig.AllowInsecureHTTP", "pass --insecure-http"},
		{" (TRIBE_CLIENT_ID for the CLI)", ""},
		{" (TRIBE_CLIENT_SECRET for the CLI)", ""},
		{"App.ClientID/ClientSecret", "TRIBE_CLIENT_ID/TRIBE_CLIENT_SECRET"},
		{"pass the user's username or email to PasswordToken", "pass --username NAME"},
		{"pass the user's password to PasswordToken", "set TRIBE_PASSWORD, or pass --password-file FILE"},
		{"set User.ID (the user's id in your product, the sub claim), Name and Email", "pass --sub (the user's id in your product), --name and --email"},
		{"Signer.Secret and Signer.PrivateKey are both set; set Secret for HS256 or PrivateKey for RS256/ES256, not both", "--hs256-secret-file and --private-key-file both give the key; give one of them"},
		{"set Signer.Secret to an HS256 secret or Signer.PrivateKey to an RSA or EC private key (see ParsePrivateKeyPEM)", "pass --hs256-secret-file FILE or --private-key-file PEM"},
		{"App.ClientID", "TRIBE_CLIENT_ID (or --client-id)"},
		{"App.ClientSecret", "TRIBE_CLIENT_SECRET (or --client-secret-file)"},
		{"App.Endpoint", "--endpoint (or --region, TRIBE_ENDPOINT)"},
		{"ClientConfig.Endpoint", "--endpoint (or TRIBE_GATEWAY_URL, TRIBE_ENDPOINT)"},
		{"Config.ClientID", "TRIBE_CLIENT_ID (or --client-id)"},
		{"Config.ClientSecret", "TRIBE_CLIENT_SECRET (or --client-secret-file)"},
		{"Config.CommunityURL", "--community (or TRIBE_COMMUNITY_URL)"},
		{"Config.TokenURL", "--token-url"},
		{"User.Email", "--email"},
		{"User.UserID", "--user-id"},
		{"User.ExternalID", "--external-id"},
		{"User.ID", "--sub"},
		{"User.Name", "--name"},
		{"Signer.Secret", "the HS256 secret from --hs256-secret-file"},
		{"Signer.PrivateKey", "the private key from --private-key-file"},
		{"Signer.Lifetime", "--ttl"},
		{"Signer.KeyID", "--kid"},
		{"AllowInsecureHTTP", "--insecure-http"},
	}
}

// crmFields are the settings of tribe/crm.
func crmFields() []fieldName {
	scopes := "--scope " + strings.Join([]string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}, ",")
	return []fieldName{
		{"set Config.AllowInsecureHTTP", "pass --insecure-http"},
		{"set Client.AllowInsecureHTTP", "pass --insecure-http"},
		{"set it, e.g. to []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}", "pass it, e.g. " + scopes},
		{"give each scope as its own element, e.g. []string{crm.ScopeRead, crm.ScopeOffline}", "give one word for each, e.g. " + scopes},
		{"Config.Endpoint.AuthURL", "--auth-url (or --base-url, TRIBE_CRM_BASE_URL)"},
		{"Config.Endpoint.TokenURL", "--token-url (or --base-url, TRIBE_CRM_BASE_URL)"},
		{"Client.BaseURL", "--api-url (or --base-url, TRIBE_CRM_BASE_URL)"},
		{"Config.ClientID", "TRIBE_CRM_CLIENT_ID (or --client-id)"},
		{"Config.ClientSecret", "TRIBE_CRM_CLIENT_SECRET (or --client-secret-file)"},
		{"Config.RedirectURL", "--redirect-url"},
		{"Config.Scopes", "--scope"},
		{"LoopbackLogin.Port", "--port"},
		{"FileStore.Path", "--store"},
		{"organization ID", "--organization"},
		{"Client.AllowInsecureHTTP", "--insecure-http"},
		{"Config.AllowInsecureHTTP", "--insecure-http"},
		{"AllowInsecureHTTP", "--insecure-http"},
	}
}

// translateFields returns err's message with the library settings an
// invalid-input message names (App.ClientSecret, Config.RedirectURL,
// Signer.Secret, AllowInsecureHTTP, ...) replaced by the flags and
// environment variables that set them on tribe-token's command line. The
// commands check their input first with messages of their own; this is the
// safety net for what the libraries still find. Other errors are returned
// as they are.
func translateFields(err error) string {
	msg := err.Error()
	var names []fieldName
	switch {
	case errors.Is(err, crm.ErrInvalidInput):
		names = crmFields()
	case errors.Is(err, tribe.ErrInvalidInput):
		names = tribeFields()
	default:
		return msg
	}
	for _, n := range names {
		msg = strings.ReplaceAll(msg, n.field, n.flag)
	}
	return msg
}
