package db

import "context"

// InRecoveryAs reports whether the reads of ctx run on a server in recovery (the replica).
func InRecoveryAs(ctx context.Context, s *DB) (bool, error) {
	var in bool
	err := s.queryRow(ctx, `SELECT pg_is_in_recovery()`, nil, &in)
	return in, err
}
