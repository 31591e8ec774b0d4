package store

// AttemptTally counts how the attempts of a bulk replay went, by the one
// rule `hookscope replay` and the live view's R share: answered 2xx,
// answered otherwise, or an error (no answer, or the attempt could not be
// made or stored).
type AttemptTally struct {
	Sent, OK, Non2xx, Errors int
}

// Add counts attempt a; err is set when it could not be made or stored.
func (t *AttemptTally) Add(a Attempt, err error) {
	t.Sent++
	switch {
	case err != nil || a.Status == 0:
		t.Errors++
	case a.Status/100 == 2:
		t.OK++
	default:
		t.Non2xx++
	}
}
