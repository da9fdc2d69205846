// Package send is "tribe-token webhook send": post a signed, realistic
// request to an app, as Tribe would, and check its answer (Stripe's
// "trigger", for Tribe apps).
package send

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// maxAnswer bounds the app's answer read and printed.
const maxAnswer = 1 << 20

// Options are send's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Secret shared.SecretFlag
	URL    string
	Type   string
	Event  string
	// Data is --data as given: JSON, or @FILE (@- for stdin).
	Data string
}

// NewCmdSend builds "webhook send". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdSend(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "send --url URL (--type TYPE | --event NAME) [--data JSON|@FILE]",
		Short: "Post a signed sample request to an app, as Tribe would",
		Long: `Post to an app's webhook (or interaction) URL a realistic request of a type,
or an event, as Tribe sends it: JSON, timestamped now and signed with the
signing secret in the X-Bettermode-Signature and X-Bettermode-Request-Timestamp
headers. Each send has a fresh event (or installation, interaction) id, so
that an app's deduplication sees a new delivery. It prints the app's answer.

--type is one of ` + strings.Join(webhook.Types(), ", ") + `;
--event NAME sends a SUBSCRIPTION of that event, one of the events Bettermode
documents (https://developers.bettermode.com/docs/guide/webhooks/events-list):
` + wrap(webhook.SampleEvents()) + `.

--data replaces the request's data with your JSON object, given inline or as
@FILE (@- for stdin); with it, any type or event name may be sent.

The exit status is 0 when the app answers 2xx with status SUCCEEDED (and, for
TEST, echoes the challenge), 1 on anything else (another HTTP status, FAILED,
a wrong challenge, a network failure), 2 on bad usage. The first secret of
--secret-file signs.`,
		Example: `  tribe-token webhook send --url http://127.0.0.1:8080/webhook --type TEST
  tribe-token webhook send --url http://127.0.0.1:8080/webhook --event post.published
  tribe-token webhook send --url https://app.example.com/interaction --type INTERACTION --data @submit.json`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, sendRun),
	}
	opts.Secret.Add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.URL, "url", "", "the app's webhook or interaction `URL` (http or https)")
	fl.StringVar(&opts.Type, "type", "", "the request's `TYPE`: TEST, SUBSCRIPTION, APP_INSTALLED, INTERACTION, ...")
	fl.StringVar(&opts.Event, "event", "", "send a SUBSCRIPTION of the event `NAME`, such as post.published")
	fl.StringVar(&opts.Data, "data", "", "the request's data: a JSON object, or @FILE (@- for stdin)")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(webhook.Types(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("event", cobra.FixedCompletions(webhook.SampleEvents(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// wrap lists names a few to a line.
func wrap(names []string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i%5 == 0:
			b.WriteString(",\n")
		default:
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Secret.Check(); err != nil {
		return err
	}
	var m cmdutil.Missing
	if o.URL == "" {
		m.Add("--url", "app URL")
	}
	if o.Type == "" && o.Event == "" {
		m.Add("--type or --event", "request type")
	}
	if err := m.Err("give the URL to send to, and --type TEST (or another type) or --event NAME"); err != nil {
		return err
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cmdutil.Usagef("--url is not an http or https URL; give the app's webhook URL, such as http://127.0.0.1:8080/webhook")
	}
	if u.User != nil {
		return cmdutil.Usagef("--url has a user name or password in it, which Tribe never sends; give the URL without it")
	}
	if o.Event != "" && o.Type != "" && o.Type != webhook.TypeSubscription {
		return cmdutil.Usagef("--event %s is a SUBSCRIPTION, and --type is %s; leave --type out with --event", text.Clip(o.Event), text.Clip(o.Type))
	}
	if o.Type == webhook.TypeSubscription && o.Event == "" && o.Data == "" {
		return cmdutil.Usagef("--type SUBSCRIPTION needs --event NAME (such as post.published), or --data")
	}
	if o.Data == "" {
		if o.Type != "" && !slices.Contains(webhook.Types(), o.Type) {
			return cmdutil.Usagef("--type %q is not one of %s; give one, or --data for a type of your own", text.Clip(o.Type), strings.Join(webhook.Types(), ", "))
		}
		if o.Event != "" && !slices.Contains(webhook.SampleEvents(), o.Event) {
			return cmdutil.Usagef("--event %q is not an event with a sample (see --help for the list); check its spelling, or give --data", text.Clip(o.Event))
		}
	}
	return nil
}

// sendRun builds, signs and posts the request, prints the answer and
// checks it.
func sendRun(ctx context.Context, o *Options) error {
	f := o.Factory
	secrets, err := o.Secret.Secrets(f)
	if err != nil {
		return err
	}
	sample := webhook.Sample{Type: o.Type, Event: o.Event}
	if o.Data != "" {
		data, err := o.readData()
		if err != nil {
			return err
		}
		sample.Data = data
	}
	body, err := sample.Body()
	if err != nil {
		return cmdutil.Usagef("%w", err)
	}
	req, err := webhook.DecodeRequest(body)
	if err != nil {
		return cmdutil.Usagef("%w", err)
	}
	challenge := ""
	if req.Type == webhook.TypeTest {
		if challenge, err = req.Challenge(); err != nil {
			return cmdutil.Usagef("--data of a TEST needs a challenge, such as {\"challenge\":\"c-1\"}: %w", err)
		}
	}
	hreq, err := webhook.NewRequest(ctx, o.URL, secrets[0], f.Now(), body)
	if err != nil {
		return cmdutil.Usagef("--url: %w", err)
	}
	client := f.HTTPClient()
	if client == nil {
		client = &http.Client{}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(hreq)
	if err != nil {
		return fmt.Errorf("posting the %s to the app: %w", what(req), err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("reading the app's answer: %w", err)
	}
	if len(answer) > maxAnswer {
		return fmt.Errorf("the app's answer is over %d bytes; Tribe's answers are small JSON objects", maxAnswer)
	}
	printAnswer(f, answer)
	return check(req, challenge, resp, answer)
}

// readData reads --data: inline JSON, or @FILE.
func (o *Options) readData() (json.RawMessage, error) {
	data := []byte(o.Data)
	source := "--data"
	if path, ok := strings.CutPrefix(o.Data, "@"); ok {
		b, err := o.Factory.ReadInput(path, "--data file")
		if err != nil {
			return nil, err
		}
		data, source = b, "--data "+text.Clip(o.Data)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !json.Valid(data) {
		return nil, cmdutil.Usagef("%s is not a JSON object; give the request's data as one, such as '{\"challenge\":\"c-1\"}', or @FILE", source)
	}
	return data, nil
}

// what names a request in messages: its type, and event name.
func what(r *webhook.Request) string {
	if r.Type == webhook.TypeSubscription {
		if e, err := r.Event(); err == nil && e.Name != "" {
			return text.Clip(e.Name) + " event"
		}
	}
	return text.Clip(r.Type) + " request"
}

// printAnswer prints the app's answer: indented JSON, or the text inert.
func printAnswer(f *cmdutil.Factory, answer []byte) {
	if len(bytes.TrimSpace(answer)) == 0 {
		return
	}
	if json.Valid(answer) {
		if cmdutil.WriteJSON(f.Out, json.RawMessage(answer)) == nil {
			return
		}
	}
	f.Println(text.Inert(strings.TrimRight(string(answer), "\r\n")))
}

// answer is the part of the app's answer that is checked.
type answer struct {
	Type         string          `json:"type"`
	Status       string          `json:"status"`
	Data         json.RawMessage `json:"data"`
	ErrorCode    json.RawMessage `json:"errorCode"`
	ErrorMessage string          `json:"errorMessage"`
}

// check says whether the app's answer is what Tribe takes: 2xx, SUCCEEDED,
// and for a TEST the challenge echoed.
func check(req *webhook.Request, challenge string, resp *http.Response, body []byte) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the app answered the %s with HTTP %d, not 2xx", what(req), resp.StatusCode)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return errors.New("the app's answer is not a JSON object; Tribe expects {\"type\": ..., \"status\": \"SUCCEEDED\", \"data\": ...}")
	}
	switch {
	case a.Status == webhook.StatusFailed:
		code := string(a.ErrorCode)
		if code == "" {
			code = "none"
		}
		return fmt.Errorf("the app answered the %s FAILED (errorCode %s): %s", what(req), text.Clip(code), text.Clip(a.ErrorMessage))
	case a.Status != webhook.StatusSucceeded:
		return fmt.Errorf("the app's answer has status %q, not SUCCEEDED", text.Clip(a.Status))
	case a.Type != req.Type:
		return fmt.Errorf("the app's answer has type %q, not the request's %s", text.Clip(a.Type), req.Type)
	}
	if req.Type == webhook.TypeTest {
		var d struct {
			Challenge string `json:"challenge"`
		}
		if json.Unmarshal(a.Data, &d) != nil || d.Challenge != challenge {
			return errors.New("the app's answer to TEST does not echo the challenge in data.challenge; Tribe would refuse the URL")
		}
	}
	return nil
}
