package store

import (
	"encoding/binary"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// bucketSummary holds, per delivery, the few fields the filter language
// tests, in a compact binary form: filtering 100k deliveries then reads a
// few dozen bytes each instead of decoding JSON metadata and analysis.
var bucketSummary = []byte("summary")

// summary is what filters match on.
type summary struct {
	Status      int
	Method      string
	Path        string
	Provider    string
	EventType   string
	Sig         string // "" until analysed
	Schema      string // "" when no schema result
	Dup         bool
	HasAnalysis bool
}

func summaryOf(r Record) summary {
	s := summary{Status: r.Response.Status, Method: r.Method, Path: r.Path}
	if a := r.Analysis; a != nil {
		s.HasAnalysis = true
		s.Provider, s.EventType, s.Sig, s.Dup = a.Provider, a.EventType, a.Signature.Status, a.DuplicateOf != ""
		if a.Schema != nil {
			s.Schema = a.Schema.Status
		}
	}
	return s
}

const (
	flagDup = 1 << iota
	flagAnalysis
)

func (s summary) encode() []byte {
	b := make([]byte, 0, 3+len(s.Method)+len(s.Path)+len(s.Provider)+len(s.EventType)+len(s.Sig)+len(s.Schema)+6)
	b = binary.BigEndian.AppendUint16(b, uint16(s.Status))
	var flags byte
	if s.Dup {
		flags |= flagDup
	}
	if s.HasAnalysis {
		flags |= flagAnalysis
	}
	b = append(b, flags)
	for _, f := range []string{s.Method, s.Path, s.Provider, s.EventType, s.Sig, s.Schema} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

var errBadSummary = errors.New("store: malformed summary")

func decodeSummary(b []byte) (summary, error) {
	var s summary
	if len(b) < 3 {
		return s, errBadSummary
	}
	s.Status = int(binary.BigEndian.Uint16(b))
	s.Dup = b[2]&flagDup != 0
	s.HasAnalysis = b[2]&flagAnalysis != 0
	b = b[3:]
	for _, f := range []*string{&s.Method, &s.Path, &s.Provider, &s.EventType, &s.Sig, &s.Schema} {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return s, errBadSummary
		}
		*f = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return s, nil
}

// putSummary rewrites the summary of id from the event and analysis stored
// in tx (after either changed).
func putSummary(tx *bolt.Tx, id []byte) error {
	v := tx.Bucket(bucketEvents).Get(id)
	if v == nil {
		return tx.Bucket(bucketSummary).Delete(id)
	}
	r, err := readRecordMeta(tx, id, v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketSummary).Put(id, summaryOf(r).encode())
}

// backfillSummaries builds the summary of every delivery that has none (a
// file written before the bucket existed).
func backfillSummaries(tx *bolt.Tx) error {
	sb := tx.Bucket(bucketSummary)
	if sb.Stats().KeyN == tx.Bucket(bucketEvents).Stats().KeyN {
		return nil
	}
	c := tx.Bucket(bucketEvents).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if sb.Get(k) == nil {
			if err := putSummary(tx, append([]byte(nil), k...)); err != nil {
				return err
			}
		}
	}
	return nil
}
