package list

// column widths for one terminal width. Zero means the column is not shown.
type columns struct {
	time, method, path, event, sig, schema, status, size, dup int
	shortBadges                                               bool
	millis                                                    bool
}

// gap is the space between columns; the first cell is the cursor marker
// and the replay mark.
const gap = 1

// layout picks column widths for width w: fixed columns first (narrower
// forms below 110 and 140 columns), the rest shared by path and event.
// forward says some row carries the app's status too.
func layout(w int, forward bool) columns {
	c := columns{time: 8, method: 6, sig: 2, schema: 2, status: 3, size: 7, dup: 3, shortBadges: true}
	if forward {
		c.status = 7 // "200→502"
	}
	if w >= 110 {
		c.sig, c.schema, c.shortBadges = 14, 11, false
	}
	if w >= 140 {
		c.time, c.millis, c.method, c.size = 12, true, 7, 9
	}
	fixed := 2 + c.time + c.method + c.sig + c.schema + c.status + c.size + c.dup + 8*gap
	flex := w - fixed - gap
	if flex < 20 {
		// Very narrow: drop size and duplicate columns first.
		flex += c.size + c.dup + 2*gap
		c.size, c.dup = 0, 0
	}
	flex = max(flex, 2)
	c.path = flex * 11 / 20
	c.event = flex - c.path
	return c
}

// width is how many cells a row of c takes: the cursor marker and the
// replay mark, the shown columns, and a gap before each.
func (c columns) width() int {
	w := 2
	for _, x := range []int{c.time, c.method, c.path, c.event, c.sig, c.schema, c.status, c.size, c.dup} {
		if x > 0 {
			w += gap + x
		}
	}
	return w
}
