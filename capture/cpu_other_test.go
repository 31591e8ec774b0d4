//go:build !unix

package capture

import "time"

// selfCPU is not measured outside Unix: the benchmark's CPU figures read
// 0 there, and its rates and ratio are unaffected.
func selfCPU() time.Duration { return 0 }
