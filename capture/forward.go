package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hookscope/hookscope/store"
)

// MaxForwardBody bounds the app's response body relayed to the provider; a
// longer one is not relayed (errAnswerTooLarge names this size).
const MaxForwardBody = 10 << 20

// ForwardRecorder stores the outcome of a live forward (store.DB
// implements it).
type ForwardRecorder interface {
	SetForward(ctx context.Context, id string, a *store.Attempt, resp store.Response) error
}

// Forwarder sends each live delivery on to the app under development, after
// it is stored, and relays the app's answer to the provider — the provider
// sees what the app said.
type Forwarder struct {
	Sender   *Sender
	Target   Target
	Recorder ForwardRecorder
	// ErrorStatus is answered when the app is down or times out (502 when
	// zero).
	ErrorStatus int
}

// errorStatus is what the provider is answered when the app's answer
// cannot be relayed.
func (fw *Forwarder) errorStatus() int {
	if fw.ErrorStatus == 0 {
		return http.StatusBadGateway
	}
	return fw.ErrorStatus
}

// withoutTarget is a forward's error as the provider is told it: the app's
// URL replaced by "the app". The answer goes back through a public tunnel,
// and the URL's query can carry the app's token (the recorded attempt, which
// only the user sees, keeps it). The URL is named as recorded (target) or
// as net/http's error names it, which is not the same text: there a
// password shows as *** and the user name unescaped (dev@corp:***@, where
// the recorded target has dev%40corp:xxxxx@).
func withoutTarget(msg, target string, err error) string {
	names := []string{target}
	var ue *url.Error
	if errors.As(err, &ue) {
		names = append(names, ue.URL)
	}
	for _, u := range names {
		if u == "" {
			continue
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(u), "to the app") // Post "URL": …
		msg = strings.ReplaceAll(msg, u, "the app")
	}
	return msg
}

// defaultForwardSender is the Sender of a Forwarder that names none: the
// delivery is stored by then, and a panic would leave the provider without
// an answer.
var defaultForwardSender = sync.OnceValue(func() *Sender { return NewSender(SenderOptions{}) })

// errListenerStopped ends the forwards still in flight forwardGrace after
// the listener began shutting down.
var errListenerStopped = errors.New("cancelled: the listener stopped before the app answered")

// errAnswerTooLarge is the recorded error of an app answer whose body is
// over MaxForwardBody: the provider gets the error status instead.
const errAnswerTooLarge = "its body is over 10 MiB: not relayed"

// forwardContext is the context of a forward: not ended by the provider
// hanging up, but forwardGrace after the server begins shutting down (with
// errListenerStopped as its cause), so that Ctrl-C never waits out a long
// --forward-timeout. cancel releases it.
func (h *Handler) forwardContext(parent context.Context) (ctx context.Context, cancel func()) {
	ctx, cancelCause := context.WithCancelCause(context.WithoutCancel(parent))
	// Nothing runs per forward until the listener stops: the capture path
	// starts no goroutine for it. A timer left after cancel is harmless.
	stop := context.AfterFunc(h.stopping, func() {
		time.AfterFunc(h.forwardGrace, func() { cancelCause(errListenerStopped) })
	})
	return ctx, func() { stop(); cancelCause(nil) }
}

// forward sends the stored delivery ev to the app, records the outcome and
// relays the app's answer.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, ev *store.Event, body []byte, start time.Time) {
	fw := h.opts.Forward
	sender := fw.Sender
	if sender == nil {
		sender = defaultForwardSender()
	}
	// The app is not cut off when the provider hangs up (its timeout
	// shorter than the app's latency, which is what a user tests): the
	// forward runs to the sender's timeout, and what the app answered and
	// when is recorded. Only the listener stopping ends it sooner.
	fctx, cancel := h.forwardContext(r.Context())
	a, resp, _, err := sender.do(fctx, *ev, body, fw.Target, MaxForwardBody)
	if a.Status == 0 && errors.Is(context.Cause(fctx), errListenerStopped) {
		a.Error = errListenerStopped.Error()
	}
	cancel()
	if resp != nil && resp.Over && a.Error == "" {
		// Relayed, its first MaxForwardBody bytes would pass for the
		// app's whole answer.
		a.Error = errAnswerTooLarge
	}
	status := fw.errorStatus()
	if resp != nil && a.Error == "" {
		status = resp.Status
	}
	answered := store.Response{Status: status, DurationMS: ms(time.Since(start))}
	// Recording must not depend on the provider still waiting.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if fw.Recorder == nil {
		h.opts.Logger.Warn("forward result not stored: no recorder", "id", ev.ID)
	} else if err := fw.Recorder.SetForward(rctx, ev.ID, &a, answered); err != nil {
		h.opts.Logger.Error("forward result not stored", "id", ev.ID, "err", err)
	}
	if resp == nil || a.Error != "" {
		// An answer cut off mid-body (a.Error says how) is not relayed:
		// its status and its first bytes would tell the provider the app
		// answered in full. The recorded forward keeps the app's status.
		what := "could not reach the app: "
		switch {
		case a.Error == errAnswerTooLarge:
			what = "could not relay the app's answer: "
		case resp != nil:
			what = "the app's answer was cut off: "
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fw.errorStatus())
		// encoding/json, not %q: Go quoting is not JSON (\x escapes).
		msg, _ := json.Marshal("hookscope stored the delivery but " + what + withoutTarget(a.Error, a.Target, err))
		fmt.Fprintf(w, `{"ok":false,"error":%s}`, msg)
		return
	}
	conn := resp.Header.Values("Connection")
	for k, vs := range resp.Header {
		if k == "Content-Length" || store.ConnectionScoped(k, conn) {
			continue
		}
		w.Header()[k] = vs
	}
	if resp.Header["Content-Type"] == nil {
		// Else net/http sniffs one from the body: a header the app did
		// not send.
		w.Header()["Content-Type"] = nil
	}
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}
