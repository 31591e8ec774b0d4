package store

import (
	"errors"
	"testing"
)

func TestAttemptTally(t *testing.T) {
	var tally AttemptTally
	tally.Add(Attempt{Status: 200}, nil)
	tally.Add(Attempt{Status: 204}, nil)
	tally.Add(Attempt{Status: 301}, nil)
	tally.Add(Attempt{Status: 503}, nil)
	tally.Add(Attempt{Error: "connection refused"}, nil)                                // no answer
	tally.Add(Attempt{Status: 200}, errors.New("disk full"))                            // answered, not stored
	tally.Add(Attempt{Status: 200, Error: "reading the response: unexpected EOF"}, nil) // cut off
	if want := (AttemptTally{Sent: 7, OK: 2, Non2xx: 2, Errors: 3}); tally != want {
		t.Fatalf("tally %+v, want %+v", tally, want)
	}
}
