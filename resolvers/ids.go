package resolvers

import (
	"strconv"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Global IDs are opaque to clients: base64url("Type:123"). The type lets node(id:) find the table,
// and keeps an ID of one type from being read as another.
const (
	typeInfluencer  = "Influencer"
	typeAccount     = "PlatformAccount"
	typeMcn         = "Mcn"
	typeAffiliation = "Affiliation"
	typeBrand       = "Brand"
	typeDisclosure  = "Disclosure"
	typeAgency      = "Agency"
	typeSanction    = "Sanction"
)

// globalID is the encoding of db.GlobalID, the one the transparency log's entries carry too.
func globalID(typ string, id int64) string { return db.GlobalID(typ, id) }

// parseID splits a global ID into its type and database id. A string that is not a global ID
// this API issued is BAD_USER_INPUT.
func parseID(field, s string) (string, int64, error) {
	if typ, id, ok := db.ParseGlobalID(s); ok {
		return typ, id, nil
	}
	return "", 0, errcode.BadInput(field, "%s is not a valid ID", field)
}

// idOf returns the database id of a global ID of type typ; ok is false for a well-formed ID of
// another type (callers answer null for it).
func idOf(field, s, typ string) (id int64, ok bool, err error) {
	t, id, err := parseID(field, s)
	if err != nil {
		return 0, false, err
	}
	return id, t == typ, nil
}

// idsOf decodes a filter's list of global IDs, all of which must be of type typ.
func idsOf(field string, ss []string, typ string) ([]int64, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	out := make([]int64, len(ss))
	for i, s := range ss {
		t, id, err := parseID(field, s)
		if err != nil {
			return nil, err
		}
		if t != typ {
			return nil, errcode.BadInput(field, "%s must hold %s IDs; %q is a %s ID", field, typ, s, t)
		}
		out[i] = id
	}
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
