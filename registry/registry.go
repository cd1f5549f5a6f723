// Package registry is the registry's domain: the vocabulary (typed statuses, kinds and
// categories), the rules that decide (status transitions, who may change a record, jurisdiction,
// which MCN manages an influencer on a day, default orders, the legal catalogue's checks and the
// vetting rules). It holds no SQL and does no I/O: package db reads and writes rows and asks
// registry what they mean; resolvers and the CLI call the same functions, so each rule lives once.
// docs/architecture.md says where each rule lives.
package registry
