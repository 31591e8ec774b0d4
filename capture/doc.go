// Package capture owns the HTTP side of hookscope: the listener that turns
// every raw request into a stored Event (byte-exact body, headers in received
// order) and answers by the response policy only after the delivery is
// durable; the sender that replays stored deliveries; live forwarding to
// the app under development; and asking a local ngrok agent for the public
// URL that reaches the listener.
//
// It stores through a small Appender interface and never renders anything.
package capture
