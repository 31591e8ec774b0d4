// Package store owns hookscope's durable state: a bbolt file holding captured
// deliveries (metadata and body bytes in separate buckets), their analysis
// (provider, signature verdict, schema result), replay attempts, the Talkdesk
// key cache, pins and indexes.
//
// It also defines the small domain types the other packages exchange (Event,
// Analysis, Signature, SchemaResult, Replay). New deliveries are group-committed
// to a write-ahead log beside the file (wal.go: every Append waiting shares one
// fdatasync, and Open replays what a crash left); all bbolt writes go through
// one writer goroutine, which moves logged deliveries into bbolt in large
// transactions and group-commits every other change. The store never renders,
// verifies or sends anything.
package store
