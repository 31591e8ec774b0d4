// Package simulate builds and signs webhook deliveries the way providers
// send them: the mirror of verify. `hookscope send` plays a provider with
// it (a body from the AsyncAPI message, the provider's event id and
// payload shape, its signature), `hookscope send notifier` fills Talkdesk
// HTTP Notifier templates, and the live view signs edited copies of
// captured deliveries again.
//
// It lives under verify so that what is simulated stays in step with what
// is verified: the same provider names, headers, event id rules and
// signing functions. Like verify it is a library: it sends nothing, reads
// no files and no flags. Key material (dev keys, shared secrets) is passed
// in by the caller, which knows where the user keeps it.
package simulate
