package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/registry"
)

func staticFiles() http.Handler {
	sub, _ := fs.Sub(files, "static")
	fsrv := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// ui holds the pages' own words (not enum values: those are in registry/labels.go).
var ui = map[string][2]string{ // key → {vi, en}
	"siteName":           {"Sổ đăng ký người có ảnh hưởng", "KOL Registry"},
	"tagline":            {"Hồ sơ công khai về quảng cáo của người có ảnh hưởng tại Việt Nam", "The public record of influencer advertising in Vietnam"},
	"skip":               {"Bỏ qua, đến nội dung chính", "Skip to the main content"},
	"home":               {"Trang chủ", "Home"},
	"inForceList":        {"Danh sách quyết định đang hiệu lực", "Sanctions in force"},
	"explorer":           {"API GraphQL", "GraphQL API"},
	"switchLang":         {"English", "Tiếng Việt"},
	"searchLabel":        {"Tìm người có ảnh hưởng, tài khoản, MCN hoặc nhãn hàng", "Search influencers, accounts, MCNs or brands"},
	"searchHint":         {"Gõ không dấu cũng được; tên tài khoản, @handle hoặc đường dẫn hồ sơ.", "Diacritics optional; a handle, @handle or profile URL works too."},
	"searchButton":       {"Tìm", "Search"},
	"searchResults":      {"Kết quả tìm kiếm", "Search results"},
	"noResults":          {"Không có kết quả.", "No results."},
	"counts":             {"Sổ đăng ký hôm nay", "The registry today"},
	"influencers":        {"Người có ảnh hưởng", "Influencers"},
	"mcns":               {"MCN", "MCNs"},
	"brands":             {"Nhãn hàng", "Brands"},
	"disclosures":        {"Bản công bố quảng cáo", "Disclosures"},
	"sanctions":          {"Quyết định xử phạt", "Sanctions"},
	"sanctionsInForce":   {"Quyết định đang hiệu lực", "Sanctions in force"},
	"latestDecisions":    {"Quyết định mới nhất", "Latest decisions"},
	"decision":           {"Quyết định", "Decision"},
	"decidedOn":          {"Ngày quyết định", "Decided on"},
	"effectiveOn":        {"Ngày hiệu lực", "Effective on"},
	"subject":            {"Đối tượng", "Subject"},
	"agency":             {"Cơ quan", "Agency"},
	"fine":               {"Tiền phạt", "Fine"},
	"status":             {"Tình trạng", "Status"},
	"remedies":           {"Biện pháp khắc phục", "Remedies"},
	"violations":         {"Hành vi vi phạm", "Violations"},
	"legalBasis":         {"Căn cứ pháp lý", "Legal basis"},
	"statusHistory":      {"Lịch sử tình trạng", "Status history"},
	"document":           {"Văn bản", "Document"},
	"reason":             {"Lý do", "Reason"},
	"source":             {"Nguồn", "Source"},
	"sourceDocument":     {"Văn bản gốc", "Source document"},
	"sha256":             {"SHA-256 của văn bản gốc", "SHA-256 of the source document"},
	"relatedDisclosures": {"Bản công bố liên quan", "Related disclosures"},
	"cite":               {"Trích dẫn bản ghi này", "Cite this record"},
	"permalink":          {"Đường dẫn cố định", "Permalink"},
	"retrieved":          {"Ngày truy cập", "Retrieved"},
	"auditSeq":           {"Số thứ tự nhật ký của lần thay đổi gần nhất", "Audit sequence of its latest change"},
	"json":               {"Dữ liệu JSON", "JSON data"},
	"historyLink":        {"Lịch sử thay đổi (JSON)", "Change history (JSON)"},
	"identity":           {"Thông tin nhận dạng", "Identity"},
	"displayName":        {"Tên hiển thị", "Display name"},
	"legalName":          {"Tên thật", "Legal name"},
	"aliases":            {"Biệt danh", "Aliases"},
	"province":           {"Tỉnh, thành phố", "Province"},
	"categories":         {"Lĩnh vực nội dung", "Content categories"},
	"accounts":           {"Tài khoản", "Accounts"},
	"platform":           {"Nền tảng", "Platform"},
	"handle":             {"Tên tài khoản", "Handle"},
	"followers":          {"Người theo dõi", "Followers"},
	"verification":       {"Xác thực danh tính", "Identity verification"},
	"mcnHistory":         {"Lịch sử MCN", "MCN history"},
	"kind":               {"Hình thức", "Kind"},
	"from":               {"Từ", "From"},
	"to":                 {"Đến", "To"},
	"present":            {"nay", "present"},
	"credentials":        {"Chứng chỉ chuyên môn", "Credentials"},
	"vetting":            {"Đánh giá rủi ro khi hợp tác", "Vetting"},
	"riskLevel":          {"Mức rủi ro", "Risk level"},
	"vettingAsOf":        {"theo hồ sơ đến hết ngày", "on the record as of the end of"},
	"vettingHow":         {"Đánh giá theo các quy tắc công khai của sổ đăng ký, cùng kết quả với truy vấn vettingReport của API.", "By the registry's published rules; the same report as the API's vettingReport query."},
	"factor":             {"Yếu tố", "Factor"},
	"level":              {"Mức", "Level"},
	"raisedBy":           {"Bản ghi làm phát sinh", "Raised by"},
	"registryRule":       {"Quy tắc riêng của sổ đăng ký", "The registry's own rule"},
	"validUntil":         {"Hiệu lực đến", "Valid until"},
	"timeline":           {"Dòng thời gian", "Timeline"},
	"older":              {"Sự kiện cũ hơn", "Older events"},
	"newer":              {"Sự kiện mới hơn", "Newer events"},
	"none":               {"Không có.", "None."},
	"taxCode":            {"Mã số thuế", "Tax code"},
	"website":            {"Trang web", "Website"},
	"industry":           {"Ngành hàng", "Industry"},
	"members":            {"Thành viên hiện tại", "Current members"},
	"nameVi":             {"Tên", "Name"},
	"nameEn":             {"Tên tiếng Anh", "English name"},
	"jurisdiction":       {"Thẩm quyền", "Jurisdiction"},
	"product":            {"Sản phẩm", "Product"},
	"productCategory":    {"Loại sản phẩm", "Product category"},
	"contentUrl":         {"Nội dung", "Content"},
	"publishedAt":        {"Thời điểm đăng", "Published"},
	"label":              {"Nhãn quảng cáo", "Label"},
	"labelTiming":        {"Thời điểm gắn nhãn", "Label timing"},
	"compensation":       {"Hình thức thù lao", "Compensation"},
	"filedBy":            {"Cơ quan nộp", "Filed by"},
	"influencer":         {"Người có ảnh hưởng", "Influencer"},
	"mcn":                {"MCN", "MCN"},
	"brand":              {"Nhãn hàng", "Brand"},
	"account":            {"Tài khoản", "Account"},
	"affiliation":        {"Hợp tác MCN", "MCN affiliation"},
	"current":            {"Đang hiệu lực", "Current"},
	"filters":            {"Lọc", "Filter"},
	"apply":              {"Áp dụng", "Apply"},
	"allStatuses":        {"Mọi tình trạng", "Any status"},
	"activeOnly":         {"Chỉ quyết định đang hiệu lực", "Only sanctions in force"},
	"any":                {"Tất cả", "Any"},
	"minFine":            {"Tiền phạt tối thiểu (đồng)", "Minimum fine (VND)"},
	"maxFine":            {"Tiền phạt tối đa (đồng)", "Maximum fine (VND)"},
	"decidedFrom":        {"Quyết định từ ngày", "Decided from"},
	"decidedTo":          {"Quyết định đến ngày", "Decided to"},
	"provinceCode":       {"Mã tỉnh (ví dụ VN-SG)", "Province code (e.g. VN-SG)"},
	"violation":          {"Hành vi vi phạm", "Violation"},
	"downloadCsv":        {"Tải về CSV (cùng bộ lọc)", "Download CSV (same filter)"},
	"matching":           {"quyết định phù hợp", "matching sanctions"},
	"next":               {"Trang sau", "Next page"},
	"notFound":           {"Không tìm thấy", "Not found"},
	"notFoundText":       {"Không có bản ghi nào ở địa chỉ này.", "No record has this address."},
	"badRequest":         {"Yêu cầu không hợp lệ", "Bad request"},
	"internalError":      {"Lỗi máy chủ", "Server error"},
	"internalErrorText":  {"Đã có lỗi. Vui lòng thử lại sau.", "Something went wrong. Please try again later."},
	"unavailable":        {"Máy chủ đang quá tải", "Server busy"},
	"unavailableText":    {"Máy chủ đang bận. Vui lòng thử lại sau ít giây.", "The server is busy. Please try again in a few seconds."},
	"errSearchShort":     {"Hãy gõ ít nhất 2 chữ cái hoặc chữ số để tìm.", "Type at least 2 letters or digits to search."},
	"errCursor":          {"Liên kết trang này không còn hợp lệ; hãy mở lại trang đầu của danh sách.", "This page link is not valid; open the first page of the list again."},
	"errRange":           {"Giá trị “đến” nhỏ hơn giá trị “từ” (ngày hoặc số tiền).", "The “to” value is before the “from” one (a date or an amount)."},
	"errDate":            {"Ngày phải có dạng năm-tháng-ngày, ví dụ 2025-03-20.", "A date must look like year-month-day, e.g. 2025-03-20."},
	"errNumber":          {"Số tiền phải là một số nguyên, không có dấu chấm hay chữ.", "An amount must be a whole number, without dots or letters."},
	"errValue":           {"Một giá trị lọc không có trong danh mục; hãy chọn trong biểu mẫu.", "A filter value is not one of the listed values; pick one in the form."},
	"errParam":           {"Một tham số của địa chỉ này không hợp lệ.", "A parameter of this address is not valid."},
	"howToCite":          {"Trích dẫn: tên cơ quan, số và ngày quyết định, đường dẫn cố định, ngày truy cập.", "Cite as: agency, decision number and date, permalink, date retrieved."},
	"sanctionOf":         {"Quyết định xử phạt", "Sanction decision"},
	"vnd":                {"đồng", "VND"},
	"type":               {"Loại", "Type"},
	"about":              {"Dữ liệu công khai; mọi thay đổi được ghi vào nhật ký kiểm toán.", "Public data; every change is recorded in the audit trail."},
}

// t is a UI string in lang.
func t(lang registry.Lang, key string) string {
	s, ok := ui[key]
	if !ok {
		return key
	}
	if lang == registry.EN {
		return s[1]
	}
	return s[0]
}

var funcs = template.FuncMap{
	"t":     t,
	"label": func(lang registry.Lang, enum string, v any) string { return registry.Text(enum, str(v), lang) },
	"desc": func(lang registry.Lang, enum string, v any) string {
		if l, ok := registry.LabelOf(enum, str(v)); ok {
			return l.DescriptionIn(lang)
		}
		return ""
	},
	"str":      str,
	"date":     fmtDate,
	"datetime": fmtDateTime,
	"vnd":      fmtVND,
	"num":      fmtNum,
	"link":     link,
	"legal":    legalText,
	"basis":    vettingBasis,
	"legalTitle": func(lang registry.Lang, v any) string {
		m, _ := v.(map[string]any)
		if lang == registry.EN {
			return str(m["titleEn"])
		}
		return str(m["titleVi"])
	},
	"agencyName": func(lang registry.Lang, a any) string {
		m, _ := a.(map[string]any)
		if lang == registry.EN && str(m["nameEn"]) != "" {
			return str(m["nameEn"])
		}
		return str(m["name"])
	},
	"subjectName": subjectName,
	"langURL": func(v *view) string {
		q := url.Values{}
		for k, vs := range v.Query {
			q[k] = vs
		}
		if v.Lang == registry.EN {
			q.Set("lang", "vi")
		} else {
			q.Set("lang", "en")
		}
		return v.Path + "?" + q.Encode()
	},
	"withLang": func(lang registry.Lang, path string) string {
		if lang != registry.EN {
			return path
		}
		if strings.Contains(path, "?") {
			return path + "&lang=en"
		}
		return path + "?lang=en"
	},
	"otherLang": func(lang registry.Lang) string {
		if lang == registry.EN {
			return "vi"
		}
		return "en"
	},
	"list": func(v any) []any { l, _ := v.([]any); return l },
	"get": func(v any, keys ...string) any {
		for _, k := range keys {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		return v
	},
	"selected": func(q url.Values, key, val string) bool {
		for _, v := range q[key] {
			if v == val {
				return true
			}
		}
		return false
	},
	"enumValues": func(enum string) []string {
		var out []string
		for v := range registry.Values(enum) {
			out = append(out, v)
		}
		sortStrings(out)
		return out
	},
	"historyLink": func(v any) string { return historyLink(str(v)) },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[str(kv[i])] = kv[i+1]
		}
		return m
	},
	"qget":  func(q url.Values, k string) string { return q.Get(k) },
	"query": func(q url.Values) string { return q.Encode() },
}

func sortStrings(s []string) { sort.Strings(s) }

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// fmtDate shows "2025-03-20" as 20/03/2025 (vi) or 20 Mar 2025 (en).
func fmtDate(lang registry.Lang, v any) string {
	s := str(v)
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	if lang == registry.EN {
		return d.Format("2 Jan 2006")
	}
	return d.Format("02/01/2006")
}

var vietnam = time.FixedZone("ICT", 7*3600)

func fmtDateTime(lang registry.Lang, v any) string {
	s := str(v)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	tm = tm.In(vietnam)
	if lang == registry.EN {
		return tm.Format("2 Jan 2006 15:04 (UTC+7)")
	}
	return tm.Format("02/01/2006 15:04 (UTC+7)")
}

// fmtNum groups digits: 1.000.000 (vi) or 1,000,000 (en).
func fmtNum(lang registry.Lang, v any) string {
	s := str(v)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	sep := "."
	if lang == registry.EN {
		sep = ","
	}
	digits := strconv.FormatInt(max(n, -n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtVND(lang registry.Lang, v any) string { return fmtNum(lang, v) + " " + t(lang, "vnd") }

// link is the page path of a node (a map with __typename and id).
func link(lang registry.Lang, v any) string {
	m, _ := v.(map[string]any)
	p := permalink.Path(str(m["__typename"]), str(m["id"]))
	if p == "" {
		return "#"
	}
	if lang == registry.EN {
		p += "?lang=en"
	}
	return p
}

func subjectName(v any) string {
	m, _ := v.(map[string]any)
	if n := str(m["displayName"]); n != "" {
		return n
	}
	return str(m["name"])
}

// Instruments are cited by number and type: 38/2021/NĐ-CP is a decree, 16/2012/QH13 a law.
var instrumentKinds = []struct {
	re     *regexp.Regexp
	vi, en string
}{
	{regexp.MustCompile(`/NĐ-CP$`), "Nghị định", "Decree"},
	{regexp.MustCompile(`/QH\d+$`), "Luật", "Law"},
	{regexp.MustCompile(`/TT-`), "Thông tư", "Circular"},
	{regexp.MustCompile(`/QĐ-`), "Quyết định", "Decision"},
}

// legalText writes a legal reference out in the page's language: "Điểm a khoản 5 Điều 34
// Nghị định 38/2021/NĐ-CP" or "Decree 38/2021/NĐ-CP, Article 34, clause 5, point a".
func legalText(lang registry.Lang, v any) string {
	m, _ := v.(map[string]any)
	inst, art, cl, pt := str(m["instrument"]), str(m["article"]), str(m["clause"]), str(m["point"])
	if lang == registry.EN {
		s := instrumentName(lang, inst) + ", Article " + art
		if cl != "" {
			s += ", clause " + cl
		}
		if pt != "" {
			s += ", point " + pt
		}
		return s
	}
	var parts []string
	if pt != "" {
		parts = append(parts, "Điểm "+pt)
	}
	if cl != "" {
		parts = append(parts, "khoản "+cl)
	}
	parts = append(parts, "Điều "+art, instrumentName(lang, inst))
	return capitalize(strings.Join(parts, " "))
}
