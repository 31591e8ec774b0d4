package store

// AttemptTally counts how the attempts of a bulk replay went, by the one
// rule `hookscope replay` and the live view's R share: answered 2xx,
// answered otherwise, or an error (no answer, an answer cut off before its
// body ended, or the attempt could not be made or stored). A cut-off
// answer is an error although it has a status: the target may have died
// mid-answer, and a live forward answers the provider with an error then.
type AttemptTally struct {
	Sent, OK, Non2xx, Errors int
}

// Add counts attempt a; err is set when it could not be made or stored.
func (t *AttemptTally) Add(a Attempt, err error) {
	t.Sent++
	switch {
	case err != nil || a.Status == 0 || a.Error != "":
		t.Errors++
	case a.Status/100 == 2:
		t.OK++
	default:
		t.Non2xx++
	}
}
