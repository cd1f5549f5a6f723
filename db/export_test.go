package db

// MigrateFS exposes the migration runner over a test's own migration files.
var MigrateFS = migrateFS
