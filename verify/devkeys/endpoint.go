package devkeys

import (
	"encoding/json"
	"net/http"
	"strings"
)

// EndpointPrefix is the path of Talkdesk's public key endpoint.
const EndpointPrefix = "/events/signature-keys/"

// Intercept answers GET /events/signature-keys/{id} for the dev keys in d
// with Talkdesk's response shape (404 for unknown ids), and reports whether
// it answered. HEAD is answered as GET without the body (net/http drops
// it). Anything else is left to be captured as a delivery.
func (d Dir) Intercept(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || !strings.HasPrefix(r.URL.Path, EndpointPrefix) {
		return false
	}
	id := strings.TrimPrefix(r.URL.Path, EndpointPrefix)
	w.Header().Set("Content-Type", "application/json")
	k, err := d.Get(id)
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"code": "0000404", "message": "signature key not found"})
		return true
	}
	pub, err := k.Public()
	if err != nil {
		http.Error(w, `{"message":"key could not be encoded"}`, http.StatusInternalServerError)
		return true
	}
	json.NewEncoder(w).Encode(pub)
	return true
}
