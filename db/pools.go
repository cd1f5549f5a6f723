package db

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/kolregistry/kolregistry/internal/envconf"
	"github.com/kolregistry/kolregistry/tracing"
)

// Pools and statement timeouts per class of work (docs/operations.md).
//
// One pool per class keeps the classes from waiting behind each other: searches and plain
// reads share the read pool (the server's admission control keeps searches to a part of it),
// exports have their own (each holds a connection for the whole download), writes and the
// reads that must see them use the write pool, the agency lookup of authentication has its
// own two connections and the readiness probe its own one. Every pool keeps as many idle
// connections as it may open: no connection is closed and reopened under steady load.

// PoolConfig sizes the pools of one store and sets the statement timeouts of its classes.
// A zero field takes its default (DefaultPoolConfig).
type PoolConfig struct {
	Read, Write, Export, Auth, Health int
	// StatementTimeout bounds a statement of the read and write classes; SearchTimeout one of
	// the search class (search, facets, vetting); ExportTimeout one FETCH of an export.
	StatementTimeout, SearchTimeout, ExportTimeout time.Duration
	// HealthTimeout bounds the readiness probe's ping.
	HealthTimeout time.Duration
	// ReadMaxLag: a read replica lagging more is bypassed (DATABASE_READ_MAX_LAG, replica.go).
	ReadMaxLag time.Duration
}

// Defaults of PoolConfig: 31 connections per API replica in all.
const (
	DefaultReadConns     = 16
	DefaultWriteConns    = 8
	DefaultExportConns   = 4
	DefaultAuthConns     = 2
	DefaultHealthConns   = 1
	DefaultSearchTimeout = 5 * time.Second
	DefaultExportTimeout = 60 * time.Second
	healthTimeout        = time.Second
)

// DefaultPoolConfig returns the pool sizes and timeouts an API replica starts from.
func DefaultPoolConfig() PoolConfig {
	return PoolConfig{
		Read: DefaultReadConns, Write: DefaultWriteConns, Export: DefaultExportConns,
		Auth: DefaultAuthConns, Health: DefaultHealthConns,
		StatementTimeout: StatementTimeout, SearchTimeout: DefaultSearchTimeout,
		ExportTimeout: DefaultExportTimeout, HealthTimeout: healthTimeout, ReadMaxLag: DefaultReadMaxLag,
	}
}

func (c PoolConfig) withDefaults() PoolConfig {
	d := DefaultPoolConfig()
	for _, f := range []struct{ v, def *int }{{&c.Read, &d.Read}, {&c.Write, &d.Write},
		{&c.Export, &d.Export}, {&c.Auth, &d.Auth}, {&c.Health, &d.Health}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	for _, f := range []struct{ v, def *time.Duration }{{&c.StatementTimeout, &d.StatementTimeout},
		{&c.SearchTimeout, &d.SearchTimeout}, {&c.ExportTimeout, &d.ExportTimeout}, {&c.HealthTimeout, &d.HealthTimeout},
		{&c.ReadMaxLag, &d.ReadMaxLag}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return c
}

// PoolConfigFromEnv reads DATABASE_MAX_CONNS (the read pool), DATABASE_WRITE_CONNS,
// DATABASE_EXPORT_CONNS, DATABASE_AUTH_CONNS, DATABASE_STATEMENT_TIMEOUT,
// DATABASE_SEARCH_TIMEOUT, DATABASE_EXPORT_TIMEOUT and DATABASE_READ_MAX_LAG (docs/operations.md).
// Unset takes the default.
func PoolConfigFromEnv() (PoolConfig, error) {
	c := DefaultPoolConfig()
	for name, dst := range map[string]*int{"DATABASE_MAX_CONNS": &c.Read, "DATABASE_WRITE_CONNS": &c.Write,
		"DATABASE_EXPORT_CONNS": &c.Export, "DATABASE_AUTH_CONNS": &c.Auth} {
		if err := envconf.Int(name, dst, 1, 1000, "connections"); err != nil {
			return c, err
		}
	}
	for name, dst := range map[string]*time.Duration{"DATABASE_STATEMENT_TIMEOUT": &c.StatementTimeout,
		"DATABASE_SEARCH_TIMEOUT": &c.SearchTimeout, "DATABASE_EXPORT_TIMEOUT": &c.ExportTimeout,
		"DATABASE_READ_MAX_LAG": &c.ReadMaxLag} {
		if err := envconf.Duration(name, dst, 10*time.Millisecond, 0); err != nil {
			return c, err
		}
	}
	return c, nil
}

// namedPool is one pool and the name it has in metrics and /readyz.
type namedPool struct {
	name string
	db   *sql.DB
}

// openPool opens a pool of size connections, all kept idle. The DSN gets
// binary_parameters=yes (one round trip per parameterized statement: no separate prepare;
// docs/operations.md says when to turn it off) unless it sets it, statement_timeout as a
// server-side backstop to the context deadlines (none when timeout is 0), and
// random_page_cost (RandomPageCost) unless it sets it.
func openPool(dsn string, size int, timeout time.Duration) (*sql.DB, error) {
	connector, err := pq.NewConnector(withSessionParams(dsn, timeout))
	if err != nil {
		return nil, err
	}
	p := tracing.OpenDB(connector) // sql.OpenDB, with a span per statement when tracing is on
	p.SetMaxOpenConns(size)
	p.SetMaxIdleConns(size)
	p.SetConnMaxIdleTime(5 * time.Minute)
	return p, nil
}

// RandomPageCost is the planner's random_page_cost in the store's sessions: the value for a
// database on SSDs whose working set is cached, instead of Postgres's 4 (spinning disks). With
// 4, a child list of one or two rows per parent (a sanction's violations) is read by a bitmap
// scan and a sort for every parent, at twice the Postgres CPU of an index scan in the
// list's order (docs/performance.md, query D).
const RandomPageCost = "1.1"

// withSessionParams adds binary_parameters, statement_timeout and random_page_cost to a URL
// or key=value DSN, keeping any value the DSN sets itself.
func withSessionParams(dsn string, timeout time.Duration) string {
	ms := strconv.FormatInt(timeout.Milliseconds(), 10) // 0: no timeout
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		if !q.Has("binary_parameters") {
			q.Set("binary_parameters", "yes")
		}
		if !q.Has("statement_timeout") {
			q.Set("statement_timeout", ms)
		}
		if !q.Has("random_page_cost") {
			q.Set("random_page_cost", RandomPageCost)
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	if !strings.Contains(dsn, "binary_parameters=") {
		dsn += " binary_parameters=yes"
	}
	if !strings.Contains(dsn, "statement_timeout=") {
		dsn += " statement_timeout=" + ms
	}
	if !strings.Contains(dsn, "random_page_cost=") {
		dsn += " random_page_cost=" + RandomPageCost
	}
	return dsn
}

// PoolStats are the statistics of every pool by name (read, write, export, auth, health).
func (d *DB) PoolStats() map[string]sql.DBStats {
	out := make(map[string]sql.DBStats, len(d.pools))
	for _, p := range d.pools {
		out[p.name] = p.db.Stats()
	}
	return out
}

// Pools returns every pool by name, for metrics collectors.
func (d *DB) Pools() map[string]*sql.DB {
	out := make(map[string]*sql.DB, len(d.pools))
	for _, p := range d.pools {
		out[p.name] = p.db
	}
	return out
}

// Class is the kind of work a request does, as the server's admission control sees it; the
// store bounds the statements of each class by its own timeout.
type Class string

// The classes of work.
const (
	ClassRead   Class = "read"
	ClassSearch Class = "search" // search, facets, vetting
	ClassExport Class = "export"
	ClassWrite  Class = "write"
)

type classKey struct{}

// WithClass marks ctx as doing work of class c.
func WithClass(ctx context.Context, c Class) context.Context {
	return context.WithValue(ctx, classKey{}, c)
}

// ClassOf is the class ctx was marked with, ClassRead by default.
func ClassOf(ctx context.Context) Class {
	if c, ok := ctx.Value(classKey{}).(Class); ok {
		return c
	}
	return ClassRead
}

// timeoutOf is the statement timeout of ctx's class.
func (d *DB) timeoutOf(ctx context.Context) time.Duration {
	switch ClassOf(ctx) {
	case ClassSearch:
		return d.cfg.SearchTimeout
	case ClassExport:
		return d.cfg.ExportTimeout
	default:
		return d.cfg.StatementTimeout
	}
}
