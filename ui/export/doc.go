// Package export moves captured deliveries out of hookscope as files and
// reads them back: HAR 1.2 (for browsers' network panels, Insomnia and
// Charles), hookscope's own JSON Lines (an exact round trip of bodies and
// headers, pins and attempts) and runnable curl commands; HAR and JSONL can
// be imported.
//
// It owns the file formats and nothing else. It reads through a Source
// (store.Store implements it) one page at a time, so an export never holds
// the whole history; it masks secrets only through the Masker its caller
// passes in (secret detection lives elsewhere); and it never writes to a
// store: Decode parses and validates a whole file and returns what to
// store, so the caller can store all of it in one ImportAll or nothing.
package export
