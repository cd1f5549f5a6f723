package db_test

import (
	"context"
	"os"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

var dbURL string

func TestMain(m *testing.M) {
	os.Exit(dbtest.Main(m, "db", &dbURL))
}

// openStore connects to the package's database.
func openStore(t testing.TB) *db.DB {
	t.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
