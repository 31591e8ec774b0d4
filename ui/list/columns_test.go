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
			if c.width() != total {
				t.Errorf("width %d forward %v: columns.width() = %d, the cells take %d", w, fwd, c.width(), total)
			}
			if w >= 80 && (c.path < 15 || c.event < 12) {
				t.Errorf("width %d: path %d, event %d too narrow", w, c.path, c.event)
			}
		}
	}
}

// TestSizeFitsColumn checks that every body size reads whole in the
// narrowest size column: "10.0 MiB" cut to "10.0 M…" hid the unit, and
// bodies of 10 KiB and more are common.
func TestSizeFitsColumn(t *testing.T) {
	narrow := layout(80, false).size
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {10188, "9.9 KiB"}, {10239, "10 KiB"},
		{10 << 10, "10 KiB"}, {999 << 10, "999 KiB"}, {1023 << 10, "1.0 MiB"}, {1 << 20, "1.0 MiB"},
		{10<<20 - 100, "10 MiB"}, {10 << 20, "10 MiB"}, {512 << 20, "512 MiB"}, {5 << 30, "5.0 GiB"},
	} {
		got := sizeCell(tc.n)
		if got != tc.want {
			t.Errorf("sizeCell(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if len(got) > narrow {
			t.Errorf("sizeCell(%d) = %q is wider than the %d-cell column", tc.n, got, narrow)
		}
	}
}
