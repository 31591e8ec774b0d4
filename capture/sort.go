package capture

import (
	"net/http"
	"sort"
)

func sortedCanonical(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
