package main

// serveUsage is `kolregistry serve --help`: serve takes no flags, its configuration is the
// environment (12-factor, so one image runs everywhere). docs/deployment.md has the full table and what each is for.
const serveUsage = `usage: kolregistry serve

Serves the GraphQL API, the public pages, /log/, /export/, /healthz, /readyz, /version and
/metrics until SIGINT or SIGTERM, then drains. Configured by environment variables:

  DATABASE_URL           Postgres DSN (required)
  DATABASE_READ_URL      a streaming replica for reads (default: none, all reads on the primary);
                         a query uses it only once it has replayed what the query must see
  DATABASE_READ_MAX_LAG  a replica lagging more is bypassed (default 5s)
  LISTEN_ADDR            HTTP listen address (default 127.0.0.1:8080)
  PUBLIC_BASE_URL        base of every url field (default http://<LISTEN_ADDR>)
  REDIS_URL              redis://host:port[/db]; redis://h1:p,h2:p,… = Redis Cluster;
                         redis+sentinel://s1:26379,s2:26379/master = Sentinel
                         (default: in-process cache and limits, run one replica only)
  RESPONSE_CACHE         on | off (default on)
  RATE_LIMIT_ANON        query-cost points per minute per client IP
  RATE_LIMIT_AGENCY      query-cost points per minute per agency
  TRUSTED_PROXIES        CIDRs whose X-Forwarded-For is believed (default: none)
  CORS_ORIGINS           origins whose browser scripts may read, comma-separated (default *: any)
  REQUEST_TIMEOUT        deadline of one request (default 30s)
  MAX_RESPONSE_BYTES     largest response body (default 8 MiB)
  JWT_KEYS               JWKS file or PEM public keys that verify agency tokens (default: writes refused)
  JWT_ISSUER             expected iss (default kolregistry)
  JWT_AUDIENCE           expected aud (default kolregistry-api)
  JWT_MAX_TTL            longest token lifetime accepted (default 90d)
  REGISTRY_SIGNING_KEY   Ed25519 PEM that signs registryHead and /log/checkpoint (default: unsigned)
  REGISTRY_LOG_ORIGIN    the transparency log's origin line
  METRICS_ADDR           serve /metrics on this address only, not on the API port (default: API port)`
