// Package store owns hookscope's durable state: a bbolt file holding captured
// deliveries (metadata and body bytes in separate buckets), their analysis
// (provider, signature verdict, schema result), replay attempts, the Talkdesk
// key cache, pins and indexes.
//
// It also defines the small domain types the other packages exchange (Event,
// Analysis, Signature, SchemaResult, Replay). All writes go through one writer
// goroutine that group-commits: every caller waiting when a transaction starts
// shares its fsync. The store never renders, verifies or sends anything.
package store
