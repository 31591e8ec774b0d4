package store

// Query selects a page of deliveries for List: up to Limit records, newest
// first, with ids strictly less than Before ("" starts at the newest),
// matching Filter (the filter language text; "" matches everything).
//
// TEMPORARY: this copy lets the ui branch build; the store's own definition
// replaces it on merge.
type Query struct {
	Filter string
	Before string
	Limit  int
}
