package registry

// Owns is the ownership rule: only the agency that filed a record may change it. A record
// without an owner (owner nil: seeded or imported before agencies wrote) may be changed by any
// agency holding the write scope.
func Owns(actor int64, owner *int64) bool { return owner == nil || *owner == actor }

// National is the jurisdiction of a national agency.
const National = "VN"

// InJurisdiction is the jurisdiction rule: a national agency (jurisdiction VN) may record
// sanctions on any subject, a provincial one (a province code) only on subjects in its own
// province. A subject without a province (a brand, or an influencer of unknown province) is
// only within a national agency's reach. Province codes compare by their successor, so a
// record in a province merged on 1 July 2025 is within the merged province's reach.
func InJurisdiction(jurisdiction string, subjectProvince *string) bool {
	if jurisdiction == National {
		return true
	}
	if subjectProvince == nil {
		return false
	}
	return SuccessorProvince(*subjectProvince) == SuccessorProvince(jurisdiction)
}
