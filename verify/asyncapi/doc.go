// Package asyncapi loads AsyncAPI 2.x documents, matches a webhook delivery
// to one of their messages and validates the delivery against that message's
// payload and headers schemas.
//
// It owns: reading AsyncAPI documents (YAML or JSON, with positions for
// every error), the seed documents embedded in the binary (Talkdesk's
// webhook surface and Dialpad's webhook events from the providers' material,
// and hookscope's own TalkifAI document written from TalkifAI's webhook
// page), resolving $ref inside a
// document and to sibling files, compiling each message schema once with
// github.com/santhosh-tekuri/jsonschema/v6 (draft-07, format asserted), the
// matching rules, and turning validation failures into store.SchemaError
// values a person can read.
//
// It must not: write to a terminal or log (callers present results:
// ui/textout renders the `spec ls` and `send --list` tables), touch the
// store, or read any file or URL other than the files it is asked to
// load and their siblings in the same directory. A $ref to anything else is
// refused while loading, and the schema compiler is given a loader that
// refuses every URL, so a document cannot make hookscope fetch or read
// anything behind the user's back.
//
// A Registry is immutable once loaded and safe for concurrent use.
package asyncapi
