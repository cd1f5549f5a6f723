// Package graph holds the GraphQL schema of the KOL Registry (one .graphqls file per domain)
// and the executor gqlgen generates from it. Never edit the generated files by hand:
// run `go generate ./...`.
package graph

//go:generate go run github.com/99designs/gqlgen generate
