package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// BenchmarkWrite_Writers records sanctions with 1, 4 and 16 concurrent writers, reporting
// writes/s and the median and p99 latency of one write. (db.Write takes the audit-head lock
// only for its final append, so throughput should hold up as writers are added.) The write
// pool is sized as the server's, by DATABASE_WRITE_CONNS (default 8); figures in
// docs/operations.md, "Write throughput".
//
//	go test -run '^$' -bench BenchmarkWrite_Writers -benchtime 300x ./db/
func BenchmarkWrite_Writers(b *testing.B) {
	ctx := context.Background()
	cfg, err := db.PoolConfigFromEnv() // DATABASE_WRITE_CONNS sizes the write pool, as in the server
	if err != nil {
		b.Fatal(err)
	}
	store, err := db.OpenWith(ctx, dbURL, "", cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	w := newWorld(b, store)
	var n atomic.Int64
	for _, writers := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range writers {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						t0 := time.Now()
						num := fmt.Sprintf("%d/QĐ-BENCH", n.Add(1))
						if _, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, num)); err != nil {
							b.Error(err)
							return
						}
						lat[i] = time.Since(t0)
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(cfg.Write), "write-conns")
		})
	}
}

// BenchmarkVerifyLog_1M times audit verify (VerifyLog) over a log of LOG_BENCH_ENTRIES entries
// (default 1,000,000), generated once into a database of its own through the import path:
// influencers, disclosures and brands written by SQL, each logged with its state. Opt-in: it
// takes minutes to build and is not part of make test.
//
//	LOG_BENCH_DB=postgres://…/kol_log_bench go test -run '^$' -bench VerifyLog_1M -benchtime 1x -timeout 60m ./db/
func BenchmarkVerifyLog_1M(b *testing.B) {
	url := os.Getenv("LOG_BENCH_DB")
	if url == "" {
		b.Skip("set LOG_BENCH_DB to a database (created and migrated if empty, reused after) to run")
	}
	total := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("LOG_BENCH_ENTRIES")); err == nil && v > 0 {
		total = v
	}
	ctx := context.Background()
	store, err := db.Open(ctx, url, "")
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if err := db.Migrate(ctx, store.SQL()); err != nil {
		b.Fatal(err)
	}
	if err := fillBenchLog(ctx, b, store, total); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		rep, err := store.VerifyLog(ctx)
		b.Logf("VerifyLog: %s", time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Problems) > 0 || rep.Events < int64(total) {
			b.Fatalf("%d events, problems %v", rep.Events, rep.Problems[:min(5, len(rep.Problems))])
		}
		b.ReportMetric(float64(rep.Events), "entries")
		b.ReportMetric(float64(rep.Records), "records")
	}
}

// fillBenchLog grows the log to total entries: per round, 2,000 influencers with 2 disclosures
// each and 1,000 brands, inserted by SQL and logged in the same import.
func fillBenchLog(ctx context.Context, b *testing.B, store *db.DB, total int) error {
	var agency int64
	_, err := store.Import(ctx, db.Operator, "importRecord", "bench", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO agency (slug, name, kind, jurisdiction) VALUES ('bench', 'Bench', 'MINISTRY', 'VN')
			ON CONFLICT (slug) DO NOTHING RETURNING id`).Scan(&agency)
		if errors.Is(err, sql.ErrNoRows) {
			if err := tx.QueryRowContext(ctx, `SELECT id FROM agency WHERE slug = 'bench'`).Scan(&agency); err != nil {
				return nil, err
			}
			return nil, db.ErrNothingToImport
		}
		return []db.Record{{Type: "Agency", ID: agency}}, err
	})
	if err != nil {
		return err
	}
	start := time.Now()
	for {
		h, err := store.AuditHead(ctx)
		if err != nil {
			return err
		}
		if h.TreeSize >= int64(total) {
			b.Logf("log of %d entries (built in %s)", h.TreeSize, time.Since(start).Round(time.Second))
			return nil
		}
		_, err = store.Import(ctx, db.Operator, "importRecord", "bench", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
			var recs []db.Record
			collect := func(typ, q string, args ...any) error {
				rows, err := tx.QueryContext(ctx, q, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					r := db.Record{Type: typ}
					if err := rows.Scan(&r.ID); err != nil {
						return err
					}
					recs = append(recs, r)
				}
				return rows.Err()
			}
			if err := collect("Influencer", `INSERT INTO influencer (display_name, aliases, province, categories)
				SELECT 'Bench KOL ' || g, ARRAY['bench' || g], 'VN-SG', '{BEAUTY,FOOD}' FROM generate_series(1, 2000) g RETURNING id`); err != nil {
				return nil, err
			}
			first := recs[0].ID
			if err := collect("Disclosure", `INSERT INTO disclosure (influencer_id, product_name, product_category, content_url, platform,
					published_at, label, label_timing, compensation, filed_by)
				SELECT $1 + (g % 2000), 'Sản phẩm thử ' || g, 'COSMETICS', 'https://www.tiktok.com/@bench/video/' || g, 'TIKTOK',
					now() - make_interval(days => g % 700), 'QUANG_CAO', 'BEFORE_AND_DURING', 'CASH_FEE', $2
				FROM generate_series(1, 4000) g RETURNING id`, first, agency); err != nil {
				return nil, err
			}
			if err := collect("Brand", `INSERT INTO brand (name, industry) SELECT 'Bench brand ' || g || ' ' || $1::bigint, 'COSMETICS'
				FROM generate_series(1, 1000) g RETURNING id`, first); err != nil {
				return nil, err
			}
			return recs, nil
		})
		if err != nil {
			return err
		}
	}
}
