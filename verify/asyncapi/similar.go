package asyncapi

import (
	"sort"
	"strings"
)

// Similar returns up to n of the names, titles and event types of the
// loaded messages that look like name, closest first: what a user who
// typed name, and found no message called so, probably meant. A key looks
// like name when one contains the other, case aside, or when few letters
// separate them (at most a third of name's, and two for short names).
// Keys are returned as the documents spell them.
func (r *Registry) Similar(name string, n int) []string {
	type cand struct {
		label string
		dist  int
	}
	var cands []cand
	seen := map[string]bool{}
	q := strings.ToLower(name)
	for _, m := range r.messages {
		for _, k := range []string{m.name, m.eventType, m.title} {
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			kl := strings.ToLower(k)
			d := editDistance(q, kl)
			if strings.Contains(kl, q) || strings.Contains(q, kl) {
				d = 0
			}
			if d <= max(2, len(q)/3) {
				cands = append(cands, cand{k, d})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].dist < cands[j].dist })
	var out []string
	for _, c := range cands[:max(0, min(n, len(cands)))] {
		out = append(out, c.label)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
