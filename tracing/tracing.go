// Package tracing is the registry's OpenTelemetry tracing (docs/operations.md, "Tracing"): a
// W3C traceparent is continued from the request and returned on the response, and spans are
// made for each HTTP request (HTTP), GraphQL operation (Operation), SQL statement (OpenDB) and
// Redis command (Redis), exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
//
// Unset, nothing is installed: Enabled is false, and HTTP, Operation, OpenDB and Redis hand
// back what they were given, so a registry without a collector runs exactly the code it ran
// before tracing existed. Enabled is decided once, at start-up (Start, or Use in tests), before
// the store, Redis and the server are built.
package tracing

import (
	"context"
	"errors"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation names the tracer of the registry's own spans.
const instrumentation = "github.com/kolregistry/kolregistry/tracing"

// EndpointEnv is the variable that turns tracing on: the collector's OTLP/HTTP base address
// (e.g. http://otel-collector:4318). The exporter reads it and the other OTEL_EXPORTER_OTLP_*
// variables itself.
const EndpointEnv = "OTEL_EXPORTER_OTLP_ENDPOINT"

var (
	enabled  atomic.Bool
	provider trace.TracerProvider
	// propagator reads and writes the W3C traceparent/tracestate headers.
	propagator propagation.TextMapPropagator = propagation.TraceContext{}
)

// Enabled reports whether spans are being recorded (Start found an endpoint, or a test called Use).
func Enabled() bool { return enabled.Load() }

// Start turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: spans are batched and sent over OTLP/HTTP, with
// service.name "kolregistry" (OTEL_SERVICE_NAME overrides it) and service.version version.
// Sampling follows OTEL_TRACES_SAMPLER (default: parent-based, always on). The returned
// function flushes and stops the exporter; with no endpoint Start does nothing and returns
// a function that does nothing.
func Start(ctx context.Context, version string) (shutdown func(context.Context) error, err error) {
	if os.Getenv(EndpointEnv) == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("kolregistry"), semconv.ServiceVersion(version)))
	if err != nil {
		return nil, err
	}
	// resource.Environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) wins over the defaults.
	if res, err = resource.Merge(res, resource.Environment()); err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	Use(tp)
	return tp.Shutdown, nil
}

// Use turns tracing on with tp (tests pass one over an in-memory exporter). Call it before the
// store, Redis and the server are built.
func Use(tp trace.TracerProvider) {
	provider = tp
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagator)
	enabled.Store(true)
}

func tracer() trace.Tracer { return provider.Tracer(instrumentation) }
