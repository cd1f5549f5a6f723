//go:build tools

package graph

// The code generator is a dependency of the module, so that `go generate` runs the pinned
// version and `go mod tidy` keeps what it needs.
import _ "github.com/99designs/gqlgen"
