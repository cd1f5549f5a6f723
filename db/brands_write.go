package db

import (
	"context"
	"fmt"
)

// registerBrand (ARCHITECTURE.md §4), one DB.Write.

var productCategoryValues = []string{"COSMETICS", "FOOD", "FOOD_SUPPLEMENT", "MEDICINE", "MEDICAL_DEVICE", "FINANCIAL_SERVICE",
	"CRYPTO", "REAL_ESTATE", "EDUCATION", "ALCOHOL", "TOBACCO", "GAMBLING", "ELECTRONICS", "FASHION", "TRAVEL", "OTHER"}

// NewBrand is an advertiser to register. Industry is a ProductCategory.
type NewBrand struct {
	Name     string
	TaxCode  *string
	Industry *string
}

// RegisterBrand registers a brand, created by actor. A tax code already registered is DUPLICATE.
func (d *DB) RegisterBrand(ctx context.Context, actor Agency, key *string, in NewBrand) (WriteResult, error) {
	var c checks
	in.Name = c.requireText(in.Name, maxNameLen, "name")
	in.TaxCode = c.taxCode(in.TaxCode, "taxCode")
	if in.Industry != nil {
		c.enumValue(*in.Industry, productCategoryValues, "industry")
	}
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "registerBrand", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO brand (name, tax_code, industry, created_by)
			VALUES ($1, $2, $3, $4) RETURNING id`, in.Name, in.TaxCode, in.Industry, actor.ID).Scan(&id)
		if err != nil {
			if uerr := constraintError(err, []string{"taxCode"}); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("insert brand: %w", err)
		}
		return Event{SubjectType: "Brand", SubjectID: id, Diff: map[string]any{
			"name": in.Name, "taxCode": in.TaxCode, "industry": in.Industry,
		}}, nil
	})
}
