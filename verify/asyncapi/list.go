package asyncapi

import "strings"

// ChannelInfo describes one channel for `hookscope spec ls`.
type ChannelInfo struct {
	// Channel is the channel's name in its document.
	Channel string
	// Address is what a request path must end with for rule 2 of matching:
	// the name without surrounding slashes.
	Address string
	// Provider is the hookscope provider of the channel, "" when unknown.
	Provider string
	// Document is the file the channel comes from ("embedded:NAME" for a
	// seed document).
	Document string
	Messages []MessageInfo
}

// MessageInfo describes one message of a channel.
type MessageInfo struct {
	Name      string
	Title     string
	Provider  string
	EventType string
}

// Channels lists every channel with its messages, in load order.
func (r *Registry) Channels() []ChannelInfo {
	out := make([]ChannelInfo, 0, len(r.channels))
	for _, ch := range r.channels {
		ci := ChannelInfo{Channel: ch.name, Address: ch.address, Provider: ch.provider, Document: ch.doc.name}
		for _, m := range ch.messages {
			ci.Messages = append(ci.Messages, MessageInfo{Name: m.name, Title: m.title, Provider: ch.provider, EventType: m.eventType})
		}
		out = append(out, ci)
	}
	return out
}

// HasChannel reports whether a loaded channel has the name or address ch,
// which is what a channel route (--channel-route) may name. It looks ch up
// as Check looks up a route's channel, so a route it accepts is one Check
// resolves.
func (r *Registry) HasChannel(ch string) bool {
	return ch != "" && r.channel(ch) != nil
}

// Messages returns every message once, in load order (for `send --list`).
func (r *Registry) Messages() []*Message { return append([]*Message(nil), r.messages...) }

// MessageOf returns the message a SchemaResult names: the one called name
// on the channel called channel. Unlike Message it matches nothing else, so
// it cannot pick another message whose title or event type is this one's
// name.
func (r *Registry) MessageOf(channel, name string) (*Message, bool) {
	for _, ch := range r.channels {
		if ch.name != channel {
			continue
		}
		for _, m := range ch.messages {
			if m.name == name {
				return m, true
			}
		}
	}
	return nil, false
}

// Message finds a message by name, title or event type (AppInstalledEvent,
// app.installed, contact-created, CONVERSATION_ENDED), or by the address of
// a channel that carries exactly one message. Exact matches are preferred to
// case-insensitive ones, and earlier documents to later ones.
func (r *Registry) Message(name string) (*Message, bool) {
	keys := func(m *Message) []string { return []string{m.name, m.title, m.eventType} }
	for _, eq := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		for _, m := range r.messages {
			for _, k := range keys(m) {
				if k != "" && eq(k, name) {
					return m, true
				}
			}
		}
		for _, ch := range r.channels {
			if len(ch.messages) == 1 && (eq(ch.name, name) || eq(ch.address, strings.Trim(name, "/"))) {
				return ch.messages[0], true
			}
		}
	}
	return nil, false
}
