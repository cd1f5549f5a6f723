package db

import "context"

// Test hooks of prepared.go (this file is compiled into the package's tests only).

// PreparedForTest reports whether text is kept prepared for the read pool.
func (d *DB) PreparedForTest(text string) bool {
	c := d.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[stmtKey{d.read, text}]
	return ok && e.stmt != nil
}

// PreparedCountForTest is how many texts the store keeps.
func (d *DB) PreparedCountForTest() int {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	return d.stmts.lru.Len()
}

// QueryIntsForTest reads text as the store reads (query), the first column of every row as int.
func (d *DB) QueryIntsForTest(ctx context.Context, text string) (cols int, firsts []int64, err error) {
	rows, cancel, err := d.query(ctx, text)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return 0, nil, err
	}
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, nil, err
		}
		n, _ := vals[0].(int64)
		firsts = append(firsts, n)
	}
	return len(names), firsts, rows.Err()
}

// QueryRowIntForTest reads one int as the store reads one row (queryRow).
func (d *DB) QueryRowIntForTest(ctx context.Context, text string) (n int, err error) {
	err = d.queryRow(ctx, text, nil, &n)
	return n, err
}
