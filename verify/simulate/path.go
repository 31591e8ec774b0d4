package simulate

import (
	"strings"

	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// NotifierPath is where HTTP Notifier deliveries go on the local listener.
const NotifierPath = "/hooks/notifier"

// DefaultPath is where a provider's deliveries go on the local listener.
// Any path is captured; these are chosen so that provider detection by
// path works (Webhook Trigger channel addresses, the DCE bridge path) and
// the others are easy to filter with path:/hooks/*.
func DefaultPath(m *asyncapi.Message) string {
	switch m.Provider() {
	case verify.ProviderTalkdeskEvents:
		return "/hooks/talkdesk"
	case verify.ProviderTalkdeskDCE:
		return verify.DCEBridgePath
	case verify.ProviderDialpad:
		return "/hooks/dialpad"
	case verify.ProviderTalkifAI:
		return "/hooks/talkifai"
	case verify.ProviderTalkdeskNotifier:
		return NotifierPath
	}
	// Webhook Trigger and unknown providers: the path ends in the channel
	// address (/hooks/webhook-trigger/contact-created).
	if ch := m.Channels(); len(ch) > 0 {
		return "/hooks/" + strings.Trim(ch[0], "/")
	}
	return "/hooks/" + m.Name()
}
