package list

import "testing"

// TestLayoutFits checks that the columns fill the width exactly, from
// 80 columns up, with and without the forward status.
func TestLayoutFits(t *testing.T) {
	for _, w := range []int{60, 80, 100, 110, 139, 140, 160, 250} {
		for _, fwd := range []bool{false, true} {
			c := layout(w, fwd)
			cols := []int{c.time, c.method, c.path, c.event, c.sig, c.schema, c.status, c.size, c.dup}
			total, n := 2, 1 // the cursor marker and the replay mark
			for _, x := range cols {
				if x > 0 {
					total += x
					n++
				}
			}
			total += n - 1 // one space between cells
			if total != w {
				t.Errorf("width %d forward %v: columns take %d", w, fwd, total)
			}
			if w >= 80 && (c.path < 15 || c.event < 12) {
				t.Errorf("width %d: path %d, event %d too narrow", w, c.path, c.event)
			}
		}
	}
}
