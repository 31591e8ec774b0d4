package asyncapi

import (
	"strings"

	"github.com/hookscope/hookscope/verify"
)

// providerExtension lets a document (at its root or on a channel) say which
// provider its channels belong to, for specs the rules below do not know.
const providerExtension = "x-hookscope-provider"

// channelProvider derives the provider of a channel: an explicit
// x-hookscope-provider on the channel or the document; else the Talkdesk
// channel families by address (the seed document puts three services side
// by side, told apart only by address); else the document title naming
// Dialpad or TalkifAI; else "".
func channelProvider(d *document, item map[string]any, address string) string {
	if p, ok := item[providerExtension].(string); ok && p != "" {
		return p
	}
	root, _ := d.root.(map[string]any)
	if p, ok := root[providerExtension].(string); ok && p != "" {
		return p
	}
	switch {
	case strings.HasPrefix(address, "partner-events/"):
		return verify.ProviderTalkdeskEvents
	case strings.HasPrefix(address, "webhook-trigger/"):
		return verify.ProviderTalkdeskTrigger
	case address == "automated-notifications/bridge/digital-connect":
		return verify.ProviderTalkdeskDCE
	}
	info, _ := root["info"].(map[string]any)
	title, _ := info["title"].(string)
	title = strings.ToLower(title)
	switch {
	case strings.Contains(title, "dialpad"):
		return verify.ProviderDialpad
	case strings.Contains(title, "talkifai"):
		return verify.ProviderTalkifAI
	case strings.Contains(title, "talkdesk") && strings.Contains(title, "notifier"):
		return verify.ProviderTalkdeskNotifier
	}
	return ""
}

// discriminatorProps are the payload properties providers use to name the
// event: the seed Talkdesk document pins `event_type`, Talkdesk's documented
// payloads carry `type`, DCE uses `event_type`, Dialpad contact events
// `event`.
var discriminatorProps = []string{"event_type", "type", "event"}

// eventType picks the event type a message stands for; see
// Message.EventType.
func eventType(m *Message, ch *channel) string {
	for _, p := range discriminatorProps {
		if vals := m.facts.pins[p]; len(vals) == 1 {
			if s, ok := vals[0].(string); ok && s != "" {
				return s
			}
		}
	}
	if m.title != "" && !strings.ContainsAny(m.title, " \t") {
		return m.title
	}
	return ch.segs[len(ch.segs)-1]
}
