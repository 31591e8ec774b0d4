// Package capture owns the HTTP side of hookscope: the listener that turns
// every raw request into a stored Event (byte-exact body, headers in received
// order) and answers by the response policy only after the delivery is
// durable; the sender that replays stored deliveries; and live forwarding to
// the app under development.
//
// It stores through a small Appender interface and never renders anything.
package capture
