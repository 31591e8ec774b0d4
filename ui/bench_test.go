package ui

import (
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/uitest"
)

// BenchmarkListView renders a full list at 160x50, in colour.
func BenchmarkListView(b *testing.B) {
	src, _ := mixedSource(500)
	m := newTestModel(b, src, 160, 50, func(o *Options) { o.NoColor = false })
	if len(m.list.Rows()) < 47 {
		b.Fatalf("only %d rows", len(m.list.Rows()))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func bigJSONRecord() (*uitest.Source, store.Record) {
	src := uitest.NewSource(4)
	g := uitest.NewGen()
	recs, bodies := g.Mixed(1)
	r := recs[0]
	r.Method, r.Path, r.Query, r.ContentType = "POST", "/hooks/big", "", "application/json"
	r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}}
	bodies[r.ID] = body.SampleJSON(1 << 20)
	r.Size = int64(len(bodies[r.ID]))
	src.Add([]store.Record{r}, bodies)
	drain(src)
	return src, r
}

// BenchmarkDetailBody1MiB opens the Body tab of a 1 MiB JSON delivery at
// 160x50: masking, pretty-printing and laying out the document, then the
// first View (highlighting only the visible lines).
func BenchmarkDetailBody1MiB(b *testing.B) {
	src, r := bigJSONRecord()
	raw, _ := src.Body(b.Context(), r.ID)
	m := newTestModel(b, src, 160, 50, func(o *Options) { o.NoColor = false })
	m = press(b, m, "enter", "tab", "tab")
	if m.detail.Tab() != detail.Body {
		b.Fatal("not on the Body tab")
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		msg := m.detail.SetBody(r.ID, raw, nil)() // the prepare command
		m.detail.SetDoc(msg.(detail.DocMsg))
		_ = m.View()
	}
}

// BenchmarkDetailBody1MiBScroll is the steady state: paging through the
// prepared 1 MiB body and rendering each screen.
func BenchmarkDetailBody1MiBScroll(b *testing.B) {
	src, _ := bigJSONRecord()
	m := newTestModel(b, src, 160, 50, func(o *Options) { o.NoColor = false })
	m = press(b, m, "enter", "tab", "tab")
	b.ReportAllocs()
	for b.Loop() {
		m.detail.ScrollBy(m.detail.PageSize())
		_ = m.View()
	}
}
