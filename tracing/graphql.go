package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Operation is a gqlgen operation middleware that makes one span per GraphQL operation, named
// "query ListInfluencers" (type and name; the type alone for an anonymous operation), with
// graphql.operation.name and .type. It must be the outermost operation middleware: the
// statements run by the ones inside it (compiled reads) and by the resolvers are its children.
// A query or mutation's span ends with its response; a subscription's with its stream.
// Register it only when Enabled.
func Operation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	typ := "query"
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
	}
	name := typ
	attrs := []attribute.KeyValue{semconv.GraphQLOperationTypeKey.String(typ)}
	if oc.OperationName != "" {
		name += " " + oc.OperationName
		attrs = append(attrs, semconv.GraphQLOperationName(oc.OperationName))
	} else if oc.Operation != nil && oc.Operation.Name != "" {
		name += " " + oc.Operation.Name
		attrs = append(attrs, semconv.GraphQLOperationName(oc.Operation.Name))
	}
	ctx, span := tracer().Start(ctx, name, trace.WithAttributes(attrs...))
	responses := next(ctx)
	oneShot := oc.Operation == nil || oc.Operation.Operation != ast.Subscription
	return func(rctx context.Context) *graphql.Response {
		// The transport calls with its own context: the resolvers run below the operation's span.
		resp := responses(trace.ContextWithSpan(rctx, span))
		if resp == nil || oneShot {
			if resp != nil && len(resp.Errors) > 0 {
				span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
			}
			span.End()
		}
		return resp
	}
}
