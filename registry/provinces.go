package registry

import (
	"slices"
	"strings"
	"time"
)

// Province codes are ISO 3166-2:VN. Vietnam had 63 provincial-level units until 30 June 2025;
// from 1 July 2025 it has 34, 23 of them formed by merging the old ones (National Assembly
// Resolution 202/2025/QH15 on the arrangement of provincial-level administrative units). The
// merged unit keeps the code of the province whose name it took, so every code of the 34 is an
// old code too. See docs/legal.md, "Provinces".

// ProvinceReform is the first day of the 34 provincial units.
var ProvinceReform = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// provinces maps each of the 63 earlier codes to its name and the code of its successor among
// the 34 (itself when it continues).
var provinces = map[string]struct{ name, successor string }{
	"VN-HN": {"Hà Nội", "VN-HN"}, "VN-26": {"Huế", "VN-26"}, "VN-01": {"Lai Châu", "VN-01"},
	"VN-71": {"Điện Biên", "VN-71"}, "VN-05": {"Sơn La", "VN-05"}, "VN-09": {"Lạng Sơn", "VN-09"},
	"VN-13": {"Quảng Ninh", "VN-13"}, "VN-21": {"Thanh Hóa", "VN-21"}, "VN-22": {"Nghệ An", "VN-22"},
	"VN-23": {"Hà Tĩnh", "VN-23"}, "VN-04": {"Cao Bằng", "VN-04"},

	"VN-07": {"Tuyên Quang", "VN-07"}, "VN-03": {"Hà Giang", "VN-07"},
	"VN-02": {"Lào Cai", "VN-02"}, "VN-06": {"Yên Bái", "VN-02"},
	"VN-69": {"Thái Nguyên", "VN-69"}, "VN-53": {"Bắc Kạn", "VN-69"},
	"VN-68": {"Phú Thọ", "VN-68"}, "VN-70": {"Vĩnh Phúc", "VN-68"}, "VN-14": {"Hòa Bình", "VN-68"},
	"VN-56": {"Bắc Ninh", "VN-56"}, "VN-54": {"Bắc Giang", "VN-56"},
	"VN-66": {"Hưng Yên", "VN-66"}, "VN-20": {"Thái Bình", "VN-66"},
	"VN-HP": {"Hải Phòng", "VN-HP"}, "VN-61": {"Hải Dương", "VN-HP"},
	"VN-18": {"Ninh Bình", "VN-18"}, "VN-63": {"Hà Nam", "VN-18"}, "VN-67": {"Nam Định", "VN-18"},
	"VN-25": {"Quảng Trị", "VN-25"}, "VN-24": {"Quảng Bình", "VN-25"},
	"VN-DN": {"Đà Nẵng", "VN-DN"}, "VN-27": {"Quảng Nam", "VN-DN"},
	"VN-29": {"Quảng Ngãi", "VN-29"}, "VN-28": {"Kon Tum", "VN-29"},
	"VN-30": {"Gia Lai", "VN-30"}, "VN-31": {"Bình Định", "VN-30"},
	"VN-34": {"Khánh Hòa", "VN-34"}, "VN-36": {"Ninh Thuận", "VN-34"},
	"VN-35": {"Lâm Đồng", "VN-35"}, "VN-72": {"Đắk Nông", "VN-35"}, "VN-40": {"Bình Thuận", "VN-35"},
	"VN-33": {"Đắk Lắk", "VN-33"}, "VN-32": {"Phú Yên", "VN-33"},
	"VN-SG": {"Hồ Chí Minh", "VN-SG"}, "VN-57": {"Bình Dương", "VN-SG"}, "VN-43": {"Bà Rịa – Vũng Tàu", "VN-SG"},
	"VN-39": {"Đồng Nai", "VN-39"}, "VN-58": {"Bình Phước", "VN-39"},
	"VN-37": {"Tây Ninh", "VN-37"}, "VN-41": {"Long An", "VN-37"},
	"VN-CT": {"Cần Thơ", "VN-CT"}, "VN-52": {"Sóc Trăng", "VN-CT"}, "VN-73": {"Hậu Giang", "VN-CT"},
	"VN-49": {"Vĩnh Long", "VN-49"}, "VN-50": {"Bến Tre", "VN-49"}, "VN-51": {"Trà Vinh", "VN-49"},
	"VN-45": {"Đồng Tháp", "VN-45"}, "VN-46": {"Tiền Giang", "VN-45"},
	"VN-59": {"Cà Mau", "VN-59"}, "VN-55": {"Bạc Liêu", "VN-59"},
	"VN-44": {"An Giang", "VN-44"}, "VN-47": {"Kiên Giang", "VN-44"},
}

// ProvincesBefore lists the 63 codes in use before ProvinceReform; ProvincesFrom the 34 after.
var (
	ProvincesBefore = sortedKeys(func(string) bool { return true })
	ProvincesFrom   = sortedKeys(func(code string) bool { return provinces[code].successor == code })
)

func sortedKeys(keep func(string) bool) []string {
	var out []string
	for code := range provinces {
		if keep(code) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// SuccessorProvince maps a code to its unit among the 34 (itself when it continues; an unknown
// code is returned as it is).
func SuccessorProvince(code string) string {
	if p, ok := provinces[code]; ok {
		return p.successor
	}
	return code
}

// ProvinceName is the Vietnamese name of a code ("" when unknown).
func ProvinceName(code string) string { return provinces[code].name }

// ProvinceProblem says why code is not a province for a record dated on (nil date: no date,
// today's list), or the zero Message when it is one. A province written as a name is told its code.
func ProvinceProblem(code string, on *time.Time) Message {
	p, known := provinces[code]
	if !known {
		if c := provinceByName(code); c != "" {
			return Msg("PROVINCE_NAME_NOT_CODE", code, c)
		}
		return Msg("PROVINCE_CODE_FORMAT")
	}
	merged := p.successor != code
	if merged && (on == nil || !on.Before(ProvinceReform)) {
		return Msg("PROVINCE_MERGED", code, p.name, p.successor, provinces[p.successor].name)
	}
	return Message{}
}

// provinceByName finds the code of a province written by its name, with or without diacritics
// or a "Tỉnh"/"Thành phố" prefix ("" when none matches).
func provinceByName(s string) string {
	want := foldName(s)
	if want == "" {
		return ""
	}
	for _, code := range ProvincesBefore {
		if foldName(provinces[code].name) == want {
			return code
		}
	}
	return ""
}

var nameFold = strings.NewReplacer(
	"tinh ", "", "thanh pho ", "", "tp. ", "", "tp ", "", "–", "", "-", "", " ", "")

func foldName(s string) string {
	return nameFold.Replace(strings.ToLower(strings.TrimSpace(FoldVietnamese(s))))
}

// ProvinceGroup is what a province filter matches: every code, old or current, whose successor
// is the same unit among the 34 as code's (a code not in the list matches only itself).
func ProvinceGroup(code string) []string {
	if _, ok := provinces[code]; !ok {
		return []string{code}
	}
	s := SuccessorProvince(code)
	var out []string
	for _, c := range ProvincesBefore {
		if provinces[c].successor == s {
			out = append(out, c)
		}
	}
	return out
}

// ProvinceFilterProblem says why a filter value is not a province code ("" when it may be one):
// a name is told its code, so that "Hà Nội" is an error rather than an empty result.
func ProvinceFilterProblem(value string) string {
	if _, ok := provinces[value]; ok {
		return ""
	}
	if c := provinceByName(value); c != "" {
		return "province must be a code, not a name: " + value + " is " + c
	}
	return ""
}
