package body

import (
	"fmt"
	"strings"
)

// hexDump lays out b as 16 bytes per line: offset, hex bytes and the
// printable ASCII ones.
func (d *Doc) hexDump(b []byte) {
	d.Kind = Hex
	if len(b) > MaxHexBytes {
		d.Notes = append(d.Notes, fmt.Sprintf("showing the first %s of %s", HumanBytes(MaxHexBytes), HumanBytes(int64(len(b)))))
		b = b[:MaxHexBytes]
	}
	const hexdigits = "0123456789abcdef"
	d.Lines = make([]string, 0, (len(b)+15)/16)
	var sb strings.Builder
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		sb.Reset()
		fmt.Fprintf(&sb, "%08x  ", off)
		for i := 0; i < 16; i++ {
			if i < len(row) {
				sb.WriteByte(hexdigits[row[i]>>4])
				sb.WriteByte(hexdigits[row[i]&15])
				sb.WriteByte(' ')
			} else {
				sb.WriteString("   ")
			}
			if i == 7 {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(" |")
		for _, c := range row {
			if c >= 0x20 && c < 0x7f {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('.')
			}
		}
		sb.WriteByte('|')
		d.Lines = append(d.Lines, sb.String())
	}
}
