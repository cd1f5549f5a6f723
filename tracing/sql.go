package tracing

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"

	"github.com/XSAM/otelsql"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// OpenDB is sql.OpenDB, with a span per statement when Enabled (github.com/XSAM/otelsql wraps
// the driver, so every query, exec, transaction and connect of the pool is seen in one place).
// A span carries db.query.text: the statement with its $n placeholders, never the arguments.
// Statements with no span in their context (background loops: reconcile, webhook polling) make
// no span, so they do not fill the trace store with orphan roots; neither do row iteration,
// session resets and pings.
func OpenDB(c driver.Connector) *sql.DB {
	if !Enabled() {
		return sql.OpenDB(c)
	}
	return otelsql.OpenDB(c,
		otelsql.WithTracerProvider(provider),
		otelsql.WithAttributes(semconv.DBSystemNamePostgreSQL),
		otelsql.WithSpanNameFormatter(sqlSpanName),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			OmitRows:             true,
			OmitConnResetSession: true,
			OmitConnPrepare:      true,
			DisableErrSkip:       true,
			SpanFilter:           hasParent,
		}))
}

func hasParent(ctx context.Context, _ otelsql.Method, _ string, _ []driver.NamedValue) bool {
	return trace.SpanContextFromContext(ctx).IsValid()
}

// sqlSpanName is the statement's first keyword ("SELECT", "INSERT", "WITH"), or the driver
// method for what has no statement (connect, begin, commit).
func sqlSpanName(_ context.Context, method otelsql.Method, query string) string {
	if f := strings.Fields(query); len(f) > 0 {
		return strings.ToUpper(f[0])
	}
	return string(method)
}
