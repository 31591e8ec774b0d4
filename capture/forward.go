package capture

import (
	"net/http"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Forwarder sends live deliveries on to the app under development. It is
// completed by the replay/forward work; until then listen has no
// --forward-to.
type Forwarder struct{}

func (h *Handler) forward(w http.ResponseWriter, r *http.Request, ev *store.Event, body []byte, start time.Time) {
	http.Error(w, "forwarding not available", http.StatusNotImplemented)
}
