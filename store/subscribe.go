package store

import "sync"

// subscribers fans committed changes out to in-process listeners (the TUI,
// the headless printer, the unix-socket API). Sends never block the writer:
// a subscriber that is not keeping up misses notices, which only delays its
// next re-read.
type subscribers struct {
	mu   sync.Mutex
	next int
	subs map[int]chan Notice
	done bool
}

// Subscribe returns a channel receiving a Notice for every committed change,
// and a function that ends the subscription. buffer sizes the channel (at
// least 1). The channel is closed when the subscription ends or the store
// closes.
func (db *DB) Subscribe(buffer int) (<-chan Notice, func()) {
	return db.subs.add(buffer)
}

func (s *subscribers) add(buffer int) (<-chan Notice, func()) {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Notice, buffer)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		close(ch)
		return ch, func() {}
	}
	if s.subs == nil {
		s.subs = map[int]chan Notice{}
	}
	id := s.next
	s.next++
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			delete(s.subs, id)
			close(c)
		}
	}
}

// noticesOf returns a notice of kind for each id.
func noticesOf(kind NoticeKind, ids []string) []Notice {
	out := make([]Notice, len(ids))
	for i, id := range ids {
		out[i] = Notice{ID: id, Kind: kind}
	}
	return out
}

func (s *subscribers) publish(n Notice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ch := range s.subs {
		select {
		case ch <- n:
		default:
		}
	}
}

func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = true
	for id, ch := range s.subs {
		delete(s.subs, id)
		close(ch)
	}
}
