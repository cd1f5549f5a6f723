package tracing

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Redis adds a span per command (and one per pipeline) to c when Enabled, named for the
// command ("GET", "EVALSHA"), with db.system.name redis and db.operation.name. Keys and values
// are not recorded: they are cache keys and cached responses. As with SQL, a command with no
// span in its context (the probe, reconcile and invalidation loops) makes none. A cluster
// client gets the hook on every node as go-redis discovers it.
func Redis(c redis.UniversalClient) {
	if !Enabled() {
		return
	}
	switch c := c.(type) {
	case *redis.ClusterClient:
		c.OnNewNode(func(n *redis.Client) { n.AddHook(redisHook{}) })
	default:
		c.AddHook(redisHook{})
	}
}

type redisHook struct{}

func (redisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmd)
		}
		op := strings.ToUpper(cmd.Name())
		ctx, span := tracer().Start(ctx, op, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(semconv.DBSystemNameRedis, semconv.DBOperationName(op)))
		defer span.End()
		return recordRedis(span, next(ctx, cmd))
	}
}

func (redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if !trace.SpanContextFromContext(ctx).IsValid() {
			return next(ctx, cmds)
		}
		ctx, span := tracer().Start(ctx, "PIPELINE", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(semconv.DBSystemNameRedis, semconv.DBOperationName("PIPELINE"),
				attribute.Int("db.operation.batch.size", len(cmds))))
		defer span.End()
		return recordRedis(span, next(ctx, cmds))
	}
}

// recordRedis marks the span failed unless err is a miss (redis.Nil), which is an answer.
func recordRedis(span trace.Span, err error) error {
	if err != nil && !errors.Is(err, redis.Nil) {
		span.RecordError(err)
		span.SetStatus(codes.Error, "redis error")
	}
	return err
}
