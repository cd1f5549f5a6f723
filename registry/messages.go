package registry

// The message catalogue (docs/pages.md, "Messages"): every sentence the registry says to a
// person about a refused write — a mutation's userErrors — is a Message: a stable code, named
// here once with its Vietnamese and English text, and its parameters. The API returns the text
// in the request's language and the code as UserError.messageCode; the code never changes
// when a sentence is reworded. A test walks the catalogue (both languages, same parameters)
// and every registry.Msg call of db/, registry/ and resolvers/ (the code is in the catalogue,
// with as many arguments as the text has parameters).
//
// Parameters are fmt verbs, indexed (%[2]s) when the languages order them differently. An
// argument with an In(Lang) method (a Term, a Day, a Label) is written in the message's
// language; any other argument as it is.

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// Message is a sentence for a person: a code of the catalogue and its arguments.
type Message struct {
	Code string
	Args []any
}

// Msg is the message code with args.
func Msg(code string, args ...any) Message { return Message{Code: code, Args: args} }

// Localized is an argument written in the message's language.
type Localized interface{ In(Lang) string }

// In writes the message in lang; an unknown code is written as itself (never empty).
func (m Message) In(lang Lang) string {
	t, ok := messages[m.Code]
	if !ok {
		return m.Code
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if l, ok := a.(Localized); ok {
			a = l.In(lang)
		}
		args[i] = a
	}
	return fmt.Sprintf(t.In(lang), args...)
}

// String is the message in English.
func (m Message) String() string { return m.In(EN) }

// MessageText is the text of a code in both languages.
type MessageText struct{ VI, EN string }

// In returns the text in lang.
func (t MessageText) In(lang Lang) string {
	if lang == EN {
		return t.EN
	}
	return t.VI
}

// MessageCodes lists the catalogue's codes, sorted.
func MessageCodes() []string {
	out := make([]string, 0, len(messages))
	for c := range messages {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// MessageTextOf returns the text of code; ok is false when the catalogue has none.
func MessageTextOf(code string) (MessageText, bool) {
	t, ok := messages[code]
	return t, ok
}

var verbRe = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0-9.]*[a-zA-Z%]`)

// MessageParams is the number of arguments text takes (the highest index its verbs use).
func MessageParams(text string) int {
	n, next := 0, 1
	for _, m := range verbRe.FindAllStringSubmatch(text, -1) {
		if m[0] == "%%" {
			continue
		}
		i := next
		if m[1] != "" {
			i, _ = strconv.Atoi(m[1])
		}
		next = i + 1
		n = max(n, i)
	}
	return n
}

// Term is a noun a message names (a kind of record, a list), written in the message's language.
type Term string

// In returns the term in lang (the key itself when the catalogue has none).
func (t Term) In(lang Lang) string {
	if l, ok := terms[t]; ok {
		return l.In(lang)
	}
	return string(t)
}

// Day is a date a message names (YYYY-MM-DD in English, DD/MM/YYYY in Vietnamese).
type Day string

// In writes the day in lang.
func (d Day) In(lang Lang) string {
	s := string(d)
	if lang == VI && len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return s[8:10] + "/" + s[5:7] + "/" + s[0:4]
	}
	return s
}

var terms = map[Term]MessageText{
	"the influencer":                   {"người có ảnh hưởng", "the influencer"},
	"the MCN":                          {"MCN", "the MCN"},
	"the brand":                        {"nhãn hàng", "the brand"},
	"the disclosure":                   {"bản công bố", "the disclosure"},
	"the sanction":                     {"quyết định xử phạt", "the sanction"},
	"the affiliation":                  {"quan hệ quản lý", "the affiliation"},
	"the platform account":             {"tài khoản nền tảng", "the platform account"},
	"the subject":                      {"đối tượng", "the subject"},
	"brands":                           {"nhãn hàng", "brands"},
	"aliases":                          {"tên gọi khác", "aliases"},
	"violations":                       {"hành vi vi phạm", "violations"},
	"related disclosures":              {"bản công bố liên quan", "related disclosures"},
	"sanctions citing one disclosure":  {"quyết định xử phạt dẫn chiếu một bản công bố", "sanctions citing one disclosure"},
	"status changes per sanction":      {"lần thay đổi trạng thái của một quyết định", "status changes per sanction"},
	"affiliations per influencer":      {"quan hệ quản lý của một người có ảnh hưởng", "affiliations per influencer"},
	"platform accounts per influencer": {"tài khoản nền tảng của một người có ảnh hưởng", "platform accounts per influencer"},
	"Influencer":                       {"người có ảnh hưởng", "Influencer"},
	"PlatformAccount":                  {"tài khoản nền tảng", "PlatformAccount"},
	"Mcn":                              {"MCN", "Mcn"},
	"Affiliation":                      {"quan hệ quản lý", "Affiliation"},
	"Brand":                            {"nhãn hàng", "Brand"},
	"Disclosure":                       {"bản công bố", "Disclosure"},
	"Agency":                           {"cơ quan", "Agency"},
	"Sanction":                         {"quyết định xử phạt", "Sanction"},
	"an individual":                    {"cá nhân", "an individual"},
	"an organisation":                  {"tổ chức", "an organisation"},
}

var messages = map[string]MessageText{
	// Text, dates and formats.
	"REQUIRED":         {"là bắt buộc", "is required"},
	"TOO_LONG":         {"dài quá %d ký tự", "is longer than %d characters"},
	"NOT_HTTP_URL":     {"phải là một địa chỉ URL http(s)", "must be an http(s) URL"},
	"TAX_CODE_FORMAT":  {"phải gồm 10 hoặc 13 chữ số", "must be 10 or 13 digits"},
	"SHA256_FORMAT":    {"phải gồm 64 ký tự thập lục phân", "must be 64 hexadecimal characters"},
	"IN_FUTURE":        {"là một ngày trong tương lai", "is in the future"},
	"FINE_RANGE":       {"phải nằm trong khoảng từ 0 đến 2^53-1 đồng", "must be between 0 and 2^53-1 VND"},
	"COUNT_RANGE":      {"phải nằm trong khoảng từ 0 đến 2^53-1", "must be between 0 and 2^53-1"},
	"AT_MOST":          {"tối đa %d %s", "at most %d %s"},
	"NOT_A_VALUE":      {"%q không phải là một giá trị hợp lệ", "%q is not a valid value"},
	"ONE_OF":           {"phải là một trong các giá trị %s", "must be one of %s"},
	"BEFORE_DECIDED":   {"trước ngày ra quyết định", "is before the decision date"},
	"BEFORE_DECIDEDON": {"trước decidedOn", "is before decidedOn"},
	"BEFORE_STARTEDON": {"trước startedOn", "is before startedOn"},
	"DECISION_NUMBER_FORMAT": {"phải có dạng 82/QĐ-XPHC (số/QĐ-mã cơ quan ban hành)",
		"must look like 82/QĐ-XPHC (number/QĐ-issuer code)"},
	"HANDLE_FORMAT": {"phải gồm 1–100 chữ cái, chữ số, '.', '_' hoặc '-' (ký tự @ ở đầu được bỏ đi)",
		"must be 1–100 letters, digits, '.', '_' or '-' (a leading @ is dropped)"},
	"LOOKS_LIKE_ID_NUMBER": {"trông giống số định danh hoặc số điện thoại; sổ đăng ký không lưu các số này (Nghị định 13/2023/NĐ-CP)",
		"looks like an ID or phone number; the registry stores none (Decree 13/2023/NĐ-CP)"},
	"LOOKS_LIKE_PHONE": {"trông giống số điện thoại; sổ đăng ký không lưu số điện thoại (Nghị định 13/2023/NĐ-CP)",
		"looks like a phone number; the registry stores none (Decree 13/2023/NĐ-CP)"},

	// Provinces.
	"PROVINCE_NAME_NOT_CODE": {"phải là mã tỉnh, không phải tên: mã của %s là %s", "must be a province code, not a name: %s is %s"},
	"PROVINCE_CODE_FORMAT": {"phải là mã tỉnh theo ISO 3166-2:VN, ví dụ VN-SG hoặc VN-HN",
		"must be an ISO 3166-2:VN province code such as VN-SG or VN-HN"},
	"PROVINCE_MERGED": {"%[1]s (%[2]s) đã được sáp nhập vào %[3]s (%[4]s) từ ngày 01/07/2025; hãy dùng %[3]s",
		"%[1]s (%[2]s) was merged into %[3]s (%[4]s) on 1 July 2025; use %[3]s"},

	// Records, owners and versions.
	"DOES_NOT_EXIST":     {"%s không tồn tại", "%s does not exist"},
	"INVALID_ID":         {"không phải là một ID hợp lệ", "is not a valid ID"},
	"NO_RECORD_WITH_ID":  {"không có %s nào mang ID này", "no %s has this ID"},
	"NO_SUBJECT_WITH_ID": {"không có người có ảnh hưởng, MCN hay nhãn hàng nào mang ID này", "no influencer, MCN or brand has this ID"},
	"ALREADY_REGISTERED": {"đã được đăng ký", "already registered"},
	"VERSION_CONFLICT":   {"%[1]s đang ở phiên bản %[2]d; hãy tải lại rồi thử lại", "%[1]s is at version %[2]d; reload it and retry"},
	"CHANGES_NOTHING":    {"không thay đổi gì: mọi trường được gửi đều bằng giá trị hiện tại", "changes nothing: every field given equals the current value"},
	"NOT_OWNER_INFLUENCER": {"chỉ cơ quan đã đăng ký người có ảnh hưởng này mới được cập nhật",
		"only the agency that registered this influencer may update it"},
	"NOT_OWNER_AFFILIATION": {"chỉ cơ quan đã ghi nhận quan hệ quản lý này mới được kết thúc nó",
		"only the agency that recorded this affiliation may end it"},
	"NOT_OWNER_DISCLOSURE_AMEND": {"chỉ cơ quan đã nộp bản công bố này mới được sửa đổi nó",
		"only the agency that filed this disclosure may amend it"},
	"NOT_OWNER_DISCLOSURE_RETRACT": {"chỉ cơ quan đã nộp bản công bố này mới được rút lại nó",
		"only the agency that filed this disclosure may retract it"},
	"NOT_OWNER_SANCTION": {"chỉ cơ quan đã ghi nhận quyết định xử phạt này mới được thay đổi nó; tòa án hoặc cơ quan cấp trên ghi nhận phán quyết của mình bằng reviewSanction",
		"only the agency that recorded this sanction may change it; a court or superior body records its ruling with reviewSanction"},
	"IDEMPOTENCY_KEY_LENGTH": {"phải dài từ 1 đến %d byte", "must be 1 to %d bytes"},
	"IDEMPOTENCY_KEY_OTHER_ACTION": {"khóa idempotency này đã được dùng cho %s; hãy dùng khóa mới cho một lần ghi mới",
		"this idempotency key was already used for %s; use a new key for a new write"},
	"IDEMPOTENCY_KEY_OTHER_INPUT": {"khóa idempotency này đã được dùng với một dữ liệu đầu vào khác; hãy dùng khóa mới cho một lần ghi mới",
		"this idempotency key was already used with a different input; use a new key for a new write"},

	// Affiliations.
	"EXCLUSIVE_OVERLAP": {"trùng với một thời kỳ quản lý độc quyền khác của người có ảnh hưởng này",
		"overlaps another exclusive management period of this influencer"},
	"EXCLUSIVE_OVERLAP_CURRENT": {"trùng với thời kỳ quản lý độc quyền người có ảnh hưởng này của %[1]s (quan hệ %[2]d, từ %[3]s, vẫn đang hiệu lực); mỗi lúc một người có ảnh hưởng chỉ thuộc một quản lý độc quyền: hãy kết thúc quan hệ đó trước hoặc sửa lại ngày",
		"overlaps the exclusive management of this influencer by %[1]s (affiliation %[2]d, since %[3]s, still current); an influencer is under one exclusive management at a time: end that one first or correct the dates"},
	"EXCLUSIVE_OVERLAP_PERIOD": {"trùng với thời kỳ quản lý độc quyền người có ảnh hưởng này của %[1]s (quan hệ %[2]d, từ %[3]s đến %[4]s); mỗi lúc một người có ảnh hưởng chỉ thuộc một quản lý độc quyền: hãy kết thúc quan hệ đó trước hoặc sửa lại ngày",
		"overlaps the exclusive management of this influencer by %[1]s (affiliation %[2]d, from %[3]s to %[4]s); an influencer is under one exclusive management at a time: end that one first or correct the dates"},
	"AFFILIATION_ENDED":        {"quan hệ quản lý đã kết thúc ngày %s", "the affiliation already ended on %s"},
	"BEFORE_AFFILIATION_START": {"trước ngày bắt đầu quan hệ quản lý (%s)", "is before the affiliation started (%s)"},

	// Disclosures.
	"LABEL_TIMING_MUST_BE_NONE": {"phải là NONE khi label là NONE", "must be NONE when label is NONE"},
	"LABEL_TIMING_NOT_NONE": {"không được là NONE khi bài đăng có nhãn; dùng NONE cho cả hai khi bài không có nhãn",
		"cannot be NONE when the post carries a label; use NONE for both when it carries none"},
	"PLATFORM_REQUIRED":         {"platform là bắt buộc khi không có accountId", "platform is required when accountId is not given"},
	"BRAND_REQUIRED":            {"cần ít nhất một nhãn hàng", "at least one brand is required"},
	"ACCOUNT_OF_ANOTHER":        {"là tài khoản của một người có ảnh hưởng khác", "is an account of another influencer"},
	"ACCOUNT_ON_OTHER_PLATFORM": {"tài khoản ở trên %[1]s; hãy bỏ trống platform hoặc ghi %[1]s", "the account is on %[1]s; leave platform out or give %[1]s"},
	"DISCLOSURE_RETRACTED_AMEND": {"bản công bố đã bị rút lại, là trạng thái cuối cùng; không thể sửa đổi",
		"the disclosure is retracted, which is final; it cannot be amended"},
	"DISCLOSURE_RETRACTED_RETRACT": {"bản công bố đã bị rút lại, là trạng thái cuối cùng; không thể rút lại lần nữa",
		"the disclosure is retracted, which is final; it cannot be retracted"},

	// Sanctions: violations and the legal basis.
	"VIOLATION_REQUIRED":       {"cần ít nhất một hành vi vi phạm", "at least one violation is required"},
	"INSTRUMENT_NUMBER_FORMAT": {"phải có dạng %s", "must look like %s"},
	"ARTICLE_FORMAT":           {"phải là số điều, từ 1", "must be an article number from 1"},
	"CLAUSE_FORMAT":            {"phải là số khoản, từ 1", "must be a clause number from 1"},
	"POINT_FORMAT":             {"phải là một chữ cái thường, ví dụ a hoặc đ", "must be one lowercase letter, e.g. a or đ"},
	"VIOLATION_REPEATED":       {"lặp lại hành vi vi phạm %d (cùng loại và cùng căn cứ pháp lý)", "repeats violation %d (same category and legal basis)"},
	"INSTRUMENT_AMENDING_ONLY": {"%[1]s chỉ sửa đổi %[2]s; hãy dẫn chiếu văn bản được sửa đổi với amendedBy %[1]s",
		"%[1]s only amends %[2]s; cite the amended instrument with amendedBy %[1]s"},
	"INSTRUMENT_NOT_YET_IN_FORCE": {"%[1]s có hiệu lực từ ngày %[2]s; quyết định ngày %[3]s không thể căn cứ vào văn bản này",
		"%[1]s took effect on %[2]s; a decision of %[3]s cannot rest on it"},
	"INSTRUMENT_NO_LONGER_IN_FORCE": {"%[1]s hết hiệu lực từ ngày %[2]s; quyết định ngày %[3]s không thể căn cứ vào văn bản này",
		"%[1]s ceased to be in force on %[2]s; a decision of %[3]s cannot rest on it"},
	"AMENDMENT_NOT_YET_IN_FORCE": {"%[1]s có hiệu lực từ ngày %[2]s; quyết định ngày %[3]s không thể dẫn chiếu văn bản này",
		"%[1]s took effect on %[2]s; a decision of %[3]s cannot cite it"},
	"AMENDMENT_NO_LONGER_IN_FORCE": {"%[1]s hết hiệu lực từ ngày %[2]s; quyết định ngày %[3]s không thể dẫn chiếu văn bản này",
		"%[1]s ceased to be in force on %[2]s; a decision of %[3]s cannot cite it"},
	"INSTRUMENT_NOT_IN_CATALOGUE": {"%s không có trong danh mục văn bản pháp luật", "%s is not in the legal catalogue"},
	"DOES_NOT_AMEND":              {"%s không sửa đổi %s", "%s does not amend %s"},
	"NO_SANCTIONING_PROVISION": {"không hành vi nào dẫn chiếu một quy định xử phạt: %s đặt ra quy tắc nhưng không quy định chế tài; hãy dẫn chiếu nghị định quy định mức phạt (ví dụ Điều 34 Nghị định 38/2021/NĐ-CP)",
		"no violation cites a sanctioning provision: %s sets rules but no penalty; cite the decree that sets the penalty (e.g. 38/2021/NĐ-CP Art. 34)"},

	// Sanctions: penalty, fine and dates.
	"PENALTY_KIND":           {"phải là FINE hoặc WARNING", "must be FINE or WARNING"},
	"NOT_ADDITIONAL_PENALTY": {"không phải là một hình thức xử phạt bổ sung", "is not an additional penalty"},
	"WARNING_NOTHING_TO_PAY": {"hình thức cảnh cáo không có khoản phải nộp", "a warning has nothing to pay"},
	"WARNING_HAS_NO_FINE":    {"hình thức cảnh cáo không kèm tiền phạt; hãy ghi 0", "a warning has no fine; record 0"},
	"WARNING_NOT_PROVIDED":   {"các quy định được dẫn chiếu không quy định hình thức cảnh cáo", "the cited provisions do not provide for a warning"},
	"FINE_OUTSIDE_RANGE": {"các quy định được dẫn chiếu (%[5]s) phạt %[1]s từ %[2]s đến %[3]s đồng; %[4]s nằm ngoài khung đó",
		"the cited provisions (%[5]s) fine %[1]s VND %[2]s to %[3]s; %[4]s is outside that range"},
	"DECIDED_BEFORE_FRAMEWORK": {"trước ngày %[1]s (Luật Xử lý vi phạm hành chính) có hiệu lực, %[2]s; quyết định xử phạt nào cũng căn cứ vào luật này",
		"is before %[1]s (the Law on Handling Administrative Violations) took effect on %[2]s; every sanction decision rests on it"},
	"DEADLINE_TOO_LATE": {"muộn hơn một năm sau ngày ra quyết định (Luật XLVPHC cho phép 10 ngày, hoãn đến 3 tháng, nộp nhiều lần đến 6 tháng)",
		"is more than a year after the decision (LHAV allows 10 days, postponement up to 3 months, instalments up to 6)"},
	"EFFECTIVE_TOO_LATE": {"muộn hơn một năm sau ngày ra quyết định; quyết định có hiệu lực từ ngày ký hoặc ngày ghi trong quyết định",
		"is more than a year after the decision; a decision takes effect when signed or on the day it states"},
	"DECISION_NUMBER_TAKEN": {"cơ quan này đã ghi nhận quyết định %[1]s trong năm %[2]d (số quyết định bắt đầu lại mỗi năm dương lịch)",
		"this agency already recorded decision %[1]s in %[2]d (numbers restart each calendar year)"},
	"OUTSIDE_JURISDICTION": {"cơ quan của %[1]s chỉ ghi nhận quyết định xử phạt đối với đối tượng ở %[1]s",
		"a %[1]s agency records sanctions only on subjects in %[1]s"},
	"NOT_SUBJECTS_DISCLOSURE": {"không liên quan đến đối tượng của quyết định xử phạt", "does not concern the sanction's subject"},

	// Sanctions: status, standing and execution.
	"STATUS_OR_FACTS": {"hãy gửi status, hoặc standing và execution, không gửi cả hai", "give status, or standing and execution, not both"},
	"NEW_SANCTION_STATUS": {"quyết định mới phải ở trạng thái IN_FORCE, COMPLIED, UNDER_COMPLAINT hoặc UNDER_LITIGATION",
		"a new sanction is IN_FORCE, COMPLIED, UNDER_COMPLAINT or UNDER_LITIGATION"},
	"NEW_SANCTION_STANDING": {"quyết định mới phải ở tình trạng IN_FORCE, UNDER_COMPLAINT hoặc UNDER_LITIGATION; việc sửa đổi hay hủy bỏ được ghi trên quyết định bị thay đổi",
		"a new sanction is IN_FORCE, UNDER_COMPLAINT or UNDER_LITIGATION; record an amendment or annulment on the decision it changes"},
	"NOT_A_STANDING":     {"không phải là một tình trạng pháp lý của quyết định", "is not a standing"},
	"NOT_AN_EXECUTION":   {"không phải là một trạng thái thi hành", "is not an execution state"},
	"DECISION_ALREADY":   {"quyết định đã ở tình trạng %s", "the decision is already %s"},
	"DECISION_FINAL":     {"quyết định ở tình trạng %s, là tình trạng cuối cùng", "the decision is %s, which is final"},
	"CANNOT_GO":          {"không thể chuyển từ %s sang %s", "cannot go from %s to %s"},
	"EXECUTED_FOR_GOOD":  {"quyết định đã được thi hành (%s); không thể đảo ngược", "the decision was executed (%s); that cannot be undone"},
	"NOTHING_TO_EXECUTE": {"quyết định ở tình trạng %s: không còn gì để thi hành", "the decision is %s: there is nothing to execute"},
	"SANCTION_ALREADY":   {"quyết định xử phạt đã ở trạng thái %s", "the sanction is already %s"},
	"STATUS_FINAL":       {"%s là trạng thái cuối cùng; không thể thay đổi trạng thái", "%s is final; the status cannot change"},
	"REVIEW_OUTCOME":     {"việc xem xét lại ghi nhận quyết định bị hủy (ANNULLED), được sửa đổi (AMENDED) hoặc được giữ nguyên (IN_FORCE)", "a review records the decision ANNULLED, AMENDED or upheld (IN_FORCE)"},
	"REVIEW_OWN_DECISION": {"cơ quan xem xét lại quyết định của chính mình bằng changeSanctionStanding; reviewSanction ghi kết quả xem xét quyết định của cơ quan khác",
		"an agency reconsiders its own decision with changeSanctionStanding; reviewSanction records the review of another agency's decision"},
	"REVIEW_NOT_SUPERIOR": {"cơ quan này (%s) không phải là tòa án hay cơ quan cấp trên của cơ quan đã ra quyết định",
		"this agency (%s) is neither a court nor a superior body of the agency that issued the decision"},
	"REVIEW_NOT_A_REVIEWER": {"chỉ tòa án, bộ hoặc Ủy ban nhân dân cấp tỉnh ghi nhận kết quả xem xét lại quyết định của cơ quan khác",
		"only a court, a ministry or a provincial People's Committee records the review of another agency's decision"},
	"REVIEW_NEEDS_DOCUMENT": {"việc xem xét lại được ghi cùng bản án hoặc quyết định đã đưa ra kết quả đó", "a review is recorded with the ruling or decision that made it"},
	"BEFORE_LAST_CHANGE":    {"trước lần thay đổi trạng thái gần nhất (%s)", "is before the last status change (%s)"},

	// Watchlists and webhooks.
	"AT_MOST_WATCHLISTS":    {"mỗi người theo dõi có tối đa %d danh sách theo dõi", "at most %d watchlists per subscriber"},
	"WATCHLIST_NAME_TAKEN":  {"bạn đã có một danh sách theo dõi mang tên này", "you have a watchlist with this name"},
	"NO_SUCH_WATCHLIST":     {"bạn không có danh sách theo dõi này", "no such watchlist of yours"},
	"WATCHLIST_RECORD_KIND": {"danh sách theo dõi chỉ theo dõi người có ảnh hưởng, MCN và nhãn hàng", "a watchlist follows influencers, MCNs and brands"},
	"NO_SUCH_RECORD":        {"không có hồ sơ này", "no such record"},
	"AT_MOST_ITEMS":         {"mỗi danh sách theo dõi có tối đa %d mục", "at most %d items per watchlist"},
	"NO_SUCH_ITEM":          {"không có mục này trong các danh sách theo dõi của bạn", "no such item in your watchlists"},
	"AT_MOST_ENDPOINTS":     {"mỗi người theo dõi có tối đa %d điểm nhận webhook", "at most %d webhook endpoints per subscriber"},
	"NO_SUCH_ENDPOINT":      {"bạn không có điểm nhận webhook này", "no such endpoint of yours"},
	"WEBHOOK_URL_TOO_LONG":  {"URL dài quá %d byte", "the URL is longer than %d bytes"},
	"WEBHOOK_URL_NOT_HTTPS": {"URL phải là một địa chỉ https:// tuyệt đối", "the URL must be an absolute https:// URL"},
	"WEBHOOK_URL_USERINFO":  {"URL không được chứa tên người dùng hay mật khẩu", "the URL must not carry a user name or password"},
	"WEBHOOK_HOST_UNKNOWN":  {"không phân giải được tên máy %q", "the host %q does not resolve"},
	"WEBHOOK_URL_PRIVATE":   {"điểm nhận trỏ tới một địa chỉ không công khai", "the endpoint resolves to an address that is not public"},
}
