package registry

// The bilingual label catalogue (docs/pages.md, "Labels"): every value of every GraphQL enum has a
// Vietnamese and an English label and a one-line description in each language. The API
// (Query.enumLabels), the public pages and the exports (lang=vi|en) read it from here and
// nowhere else. Keys are the GraphQL enum and value names exactly as the schema spells them; a
// test walks the schema and fails on a value without both labels.

import (
	"sort"
	"strings"
)

// Lang is a language of the catalogue.
type Lang string

// The catalogue's languages; Vietnamese is the default everywhere.
const (
	VI Lang = "vi"
	EN Lang = "en"
)

// ParseLang reads "vi", "en" (any case, or a tag such as "en-GB"); anything else is Vietnamese.
func ParseLang(s string) Lang {
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') && (s[1] == 'n' || s[1] == 'N') && (len(s) == 2 || s[2] == '-' || s[2] == '_') {
		return EN
	}
	return VI
}

// AcceptLanguage is the first of the catalogue's languages an Accept-Language header names
// (its tags in order, weights ignored); ok is false when it names neither.
func AcceptLanguage(header string) (lang Lang, ok bool) {
	for part := range strings.SplitSeq(header, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch {
		case strings.HasPrefix(strings.ToLower(tag), "vi"):
			return VI, true
		case strings.HasPrefix(strings.ToLower(tag), "en"):
			return EN, true
		}
	}
	return VI, false
}

// Label is one enum value in both languages.
type Label struct {
	VI, EN         string // the label a person reads
	DescVI, DescEN string // a one-line description
}

// In returns the label in lang.
func (l Label) In(lang Lang) string {
	if lang == EN {
		return l.EN
	}
	return l.VI
}

// DescriptionIn returns the description in lang.
func (l Label) DescriptionIn(lang Lang) string {
	if lang == EN {
		return l.DescEN
	}
	return l.DescVI
}

// LabelOf returns the label of value of enum; ok is false when the catalogue has none.
func LabelOf(enum, value string) (Label, bool) {
	l, ok := labels[enum][value]
	return l, ok
}

// Text is value's label in lang, or value itself when the catalogue has none (a value added
// to the schema before its label: shown, never hidden).
func Text(enum, value string, lang Lang) string {
	if l, ok := labels[enum][value]; ok {
		return l.In(lang)
	}
	return value
}

// Enums lists the enums of the catalogue, sorted.
func Enums() []string {
	out := make([]string, 0, len(labels))
	for e := range labels {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Values returns the labelled values of enum, keyed by value.
func Values(enum string) map[string]Label { return labels[enum] }

var labels = map[string]map[string]Label{
	"Language": {
		"VI": {"Tiếng Việt", "Vietnamese", "Nhãn và trang bằng tiếng Việt (mặc định).", "Labels and pages in Vietnamese (the default)."},
		"EN": {"Tiếng Anh", "English", "Nhãn và trang bằng tiếng Anh.", "Labels and pages in English."},
	},
	"OrderDirection": {
		"ASC":  {"Tăng dần", "Ascending", "Từ nhỏ đến lớn, cũ đến mới, A đến Z.", "Smallest, oldest or A first."},
		"DESC": {"Giảm dần", "Descending", "Từ lớn đến nhỏ, mới đến cũ, Z đến A.", "Largest, newest or Z first."},
	},
	"Platform": {
		"FACEBOOK":  {"Facebook", "Facebook", "Mạng xã hội Facebook (Meta).", "Meta's Facebook."},
		"TIKTOK":    {"TikTok", "TikTok", "Nền tảng video ngắn TikTok.", "The TikTok short-video platform."},
		"YOUTUBE":   {"YouTube", "YouTube", "Nền tảng video YouTube (Google).", "Google's YouTube."},
		"INSTAGRAM": {"Instagram", "Instagram", "Mạng xã hội Instagram (Meta).", "Meta's Instagram."},
		"ZALO":      {"Zalo", "Zalo", "Ứng dụng nhắn tin và mạng xã hội Zalo (VNG).", "VNG's Zalo messenger and social network."},
		"THREADS":   {"Threads", "Threads", "Mạng xã hội Threads (Meta).", "Meta's Threads."},
		"X":         {"X (Twitter)", "X (Twitter)", "Mạng xã hội X, trước đây là Twitter.", "X, formerly Twitter."},
		"SHOPEE":    {"Shopee", "Shopee", "Sàn thương mại điện tử Shopee (kể cả Shopee Live).", "The Shopee marketplace (Shopee Live included)."},
		"LAZADA":    {"Lazada", "Lazada", "Sàn thương mại điện tử Lazada.", "The Lazada marketplace."},
		"OTHER":     {"Nền tảng khác", "Other platform", "Một nền tảng không có trong danh sách.", "A platform not in this list."},
	},
	"ContentCategory": {
		"BEAUTY":        {"Làm đẹp", "Beauty", "Mỹ phẩm, chăm sóc da, trang điểm.", "Cosmetics, skin care, make-up."},
		"FASHION":       {"Thời trang", "Fashion", "Quần áo, phụ kiện, phong cách.", "Clothing, accessories, style."},
		"FOOD":          {"Ẩm thực", "Food", "Món ăn, nhà hàng, nấu nướng.", "Dishes, restaurants, cooking."},
		"TRAVEL":        {"Du lịch", "Travel", "Điểm đến, khách sạn, trải nghiệm.", "Destinations, hotels, experiences."},
		"TECH":          {"Công nghệ", "Technology", "Thiết bị, phần mềm, đánh giá sản phẩm công nghệ.", "Devices, software, tech reviews."},
		"GAMING":        {"Trò chơi", "Gaming", "Trò chơi điện tử, phát trực tiếp.", "Video games and live streams."},
		"FINANCE":       {"Tài chính", "Finance", "Đầu tư, tiết kiệm, tiền số; cần chứng chỉ chuyên môn.", "Investing, saving, crypto; needs a professional credential."},
		"HEALTH":        {"Sức khỏe", "Health", "Y tế, dinh dưỡng, thể dục; cần chứng chỉ chuyên môn.", "Medicine, nutrition, fitness; needs a professional credential."},
		"EDUCATION":     {"Giáo dục", "Education", "Học tập, kỹ năng, khóa học.", "Learning, skills, courses."},
		"LAW":           {"Pháp luật", "Law", "Tư vấn pháp luật; cần chứng chỉ chuyên môn.", "Legal advice; needs a professional credential."},
		"PARENTING":     {"Nuôi dạy con", "Parenting", "Mẹ và bé, gia đình.", "Mothers, babies and family."},
		"ENTERTAINMENT": {"Giải trí", "Entertainment", "Hài, âm nhạc, phim ảnh.", "Comedy, music, film."},
		"LIFESTYLE":     {"Phong cách sống", "Lifestyle", "Đời sống hằng ngày, nhà cửa.", "Everyday life and home."},
		"NEWS":          {"Tin tức", "News", "Thời sự, bình luận.", "Current affairs and commentary."},
		"OTHER":         {"Khác", "Other", "Một chủ đề không có trong danh sách.", "A topic not in this list."},
	},
	"ProductCategory": {
		"COSMETICS":         {"Mỹ phẩm", "Cosmetics", "Sản phẩm làm đẹp và chăm sóc cá nhân.", "Beauty and personal-care products."},
		"FOOD":              {"Thực phẩm", "Food", "Thực phẩm và đồ uống thông thường.", "Ordinary food and drink."},
		"FOOD_SUPPLEMENT":   {"Thực phẩm chức năng", "Food supplement", "Thực phẩm bảo vệ sức khỏe; quảng cáo phải khớp hồ sơ đã đăng ký.", "Health-protection food; ads must match the registered dossier."},
		"MEDICINE":          {"Thuốc", "Medicine", "Thuốc chữa bệnh; quảng cáo bị hạn chế chặt.", "Medicines; advertising is tightly restricted."},
		"MEDICAL_DEVICE":    {"Thiết bị y tế", "Medical device", "Trang thiết bị y tế.", "Medical equipment and devices."},
		"FINANCIAL_SERVICE": {"Dịch vụ tài chính", "Financial service", "Ngân hàng, bảo hiểm, chứng khoán, cho vay.", "Banking, insurance, securities, lending."},
		"CRYPTO":            {"Tiền mã hóa", "Crypto-asset", "Tài sản mã hóa, sàn giao dịch tiền số.", "Crypto-assets and crypto exchanges."},
		"REAL_ESTATE":       {"Bất động sản", "Real estate", "Nhà ở, đất, dự án.", "Housing, land, developments."},
		"EDUCATION":         {"Giáo dục", "Education", "Khóa học, trường học.", "Courses and schools."},
		"ALCOHOL":           {"Đồ uống có cồn", "Alcohol", "Rượu, bia; quảng cáo bị hạn chế.", "Wine, beer and spirits; advertising is restricted."},
		"TOBACCO":           {"Thuốc lá", "Tobacco", "Sản phẩm thuốc lá; cấm quảng cáo.", "Tobacco products; advertising is banned."},
		"GAMBLING":          {"Cờ bạc, cá cược", "Gambling", "Cờ bạc, cá cược trực tuyến; cấm quảng cáo.", "Gambling and online betting; advertising is banned."},
		"ELECTRONICS":       {"Điện tử", "Electronics", "Điện thoại, máy tính, đồ gia dụng điện.", "Phones, computers, appliances."},
		"FASHION":           {"Thời trang", "Fashion", "Quần áo, giày dép, phụ kiện.", "Clothing, shoes, accessories."},
		"TRAVEL":            {"Du lịch", "Travel", "Tour, vé, khách sạn.", "Tours, tickets, hotels."},
		"OTHER":             {"Khác", "Other", "Một loại sản phẩm không có trong danh sách.", "A product type not in this list."},
	},
	"DisclosureLabel": {
		"QUANG_CAO":                 {"\"Quảng cáo\"", "\"Quảng cáo\" (advertisement)", "Nhãn rõ ràng \"Quảng cáo\".", "The clear label \"Quảng cáo\" (advertisement)."},
		"TAI_TRO":                   {"\"Được tài trợ\"", "\"Được tài trợ\" (sponsored)", "Nhãn rõ ràng \"Được tài trợ\".", "The clear label \"Được tài trợ\" (sponsored)."},
		"HOP_TAC_THUONG_MAI":        {"\"Hợp tác thương mại\"", "\"Hợp tác thương mại\" (commercial partnership)", "Nhãn rõ ràng \"Hợp tác thương mại\".", "The clear label \"Hợp tác thương mại\" (commercial partnership)."},
		"PLATFORM_PAID_PARTNERSHIP": {"Nhãn hợp tác có trả phí của nền tảng", "Platform paid-partnership label", "Công cụ gắn nhãn của chính nền tảng.", "The platform's own paid-partnership tool."},
		"HASHTAG_AD":                {"#quangcao, #ad", "#ad, #quangcao", "Thẻ hashtag quảng cáo rõ ràng.", "A clear advertising hashtag."},
		"AFFILIATE_NOTICE":          {"Thông báo tiếp thị liên kết", "Affiliate notice", "Thông báo có nhận hoa hồng tiếp thị liên kết.", "A notice that affiliate commission is earned."},
		"AMBIGUOUS":                 {"Không rõ ràng (#spon, #collab)", "Ambiguous (#spon, #collab)", "Nhãn mơ hồ, không đủ rõ là quảng cáo.", "A vague tag that does not clearly say advertising."},
		"NONE":                      {"Không gắn nhãn", "No label", "Nội dung quảng cáo không có nhãn.", "Sponsored content without any label."},
	},
	"LabelTiming": {
		"BEFORE_AND_DURING": {"Trước và trong nội dung", "Before and during", "Nhãn hiện trước và suốt nội dung.", "Shown before and throughout the content."},
		"DURING_ONLY":       {"Chỉ trong nội dung", "During only", "Nhãn chỉ hiện trong lúc phát nội dung.", "Shown only while the content plays."},
		"CAPTION_ONLY":      {"Chỉ trong chú thích", "Caption only", "Nhãn chỉ có trong phần chú thích.", "Only in the caption."},
		"NONE":              {"Không có", "None", "Không có nhãn vào lúc nào.", "No label at any time."},
	},
	"CompensationType": {
		"CASH_FEE":             {"Thù lao bằng tiền", "Cash fee", "Nhận tiền để đăng nội dung.", "Paid money for the content."},
		"AFFILIATE_COMMISSION": {"Hoa hồng tiếp thị liên kết", "Affiliate commission", "Nhận phần trăm trên doanh số.", "A share of the sales made."},
		"FREE_PRODUCT":         {"Sản phẩm miễn phí", "Free product", "Nhận sản phẩm không mất tiền.", "Given the product for free."},
		"DISCOUNT_CODE":        {"Mã giảm giá", "Discount code", "Mã giảm giá riêng cho người theo dõi.", "A personal discount code for followers."},
		"EQUITY_OR_CO_OWNER":   {"Cổ phần hoặc đồng sở hữu", "Equity or co-owner", "Có cổ phần hoặc là đồng chủ sở hữu thương hiệu.", "Holds shares in or co-owns the brand."},
		"GIFT_OR_TRAVEL":       {"Quà tặng hoặc chuyến đi", "Gift or trip", "Nhận quà hoặc chuyến đi được tài trợ.", "Given a gift or a sponsored trip."},
		"UNDISCLOSED":          {"Không công bố", "Undisclosed", "Hình thức thù lao không được công bố.", "The kind of compensation is not disclosed."},
	},
	"DisclosureStatus": {
		"ACTIVE":    {"Hiệu lực", "Active", "Bản công bố đang có hiệu lực.", "The disclosure stands as filed."},
		"AMENDED":   {"Đã sửa đổi", "Amended", "Bản công bố đã được sửa sau khi nộp.", "The disclosure was corrected after filing."},
		"RETRACTED": {"Đã rút", "Retracted", "Bản công bố đã bị rút; vẫn được lưu.", "The disclosure was withdrawn; it stays on record."},
	},
	"AffiliationKind": {
		"EXCLUSIVE_MANAGEMENT": {"Quản lý độc quyền", "Exclusive management", "Hợp đồng quản lý độc quyền; chỉ một tại một thời điểm.", "An exclusive management contract; one at a time."},
		"NON_EXCLUSIVE":        {"Không độc quyền", "Non-exclusive", "Hợp tác không độc quyền.", "A non-exclusive arrangement."},
		"EMPLOYEE":             {"Nhân viên", "Employee", "Người có ảnh hưởng là nhân viên của MCN.", "The influencer is employed by the MCN."},
		"CO_OWNER":             {"Đồng sở hữu", "Co-owner", "Người có ảnh hưởng là đồng chủ sở hữu MCN.", "The influencer co-owns the MCN."},
	},
	"AgencyKind": {
		"BROADCASTING_AUTHORITY": {"Cục Phát thanh, truyền hình và thông tin điện tử", "Broadcasting and electronic information authority", "Cơ quan quản lý nội dung số và phát thanh, truyền hình.", "Regulates digital content and broadcasting."},
		"MINISTRY":               {"Bộ", "Ministry", "Một bộ của Chính phủ.", "A government ministry."},
		"INSPECTORATE":           {"Thanh tra", "Inspectorate", "Cơ quan thanh tra chuyên ngành.", "A specialised inspectorate."},
		"PROVINCIAL_DEPARTMENT":  {"Sở cấp tỉnh", "Provincial department", "Sở thuộc Ủy ban nhân dân tỉnh, thành phố.", "A department of a provincial People's Committee."},
		"FOOD_SAFETY":            {"Cơ quan an toàn thực phẩm", "Food safety authority", "Cơ quan quản lý an toàn thực phẩm.", "Regulates food safety."},
		"HEALTH":                 {"Cơ quan y tế", "Health authority", "Cơ quan quản lý y tế, dược.", "Regulates health and medicines."},
		"TAX":                    {"Cơ quan thuế", "Tax authority", "Cơ quan quản lý thuế.", "Administers taxes."},
		"MARKET_SURVEILLANCE":    {"Quản lý thị trường", "Market surveillance", "Cơ quan quản lý thị trường.", "Market surveillance authority."},
		"POLICE":                 {"Công an", "Police", "Cơ quan công an.", "The police."},
		"PEOPLES_COMMITTEE":      {"Ủy ban nhân dân", "People's Committee", "Ủy ban nhân dân các cấp.", "A People's Committee."},
		"ASSOCIATION":            {"Hiệp hội", "Association", "Hiệp hội nghề nghiệp được công nhận.", "A recognised professional association."},
		"COURT":                  {"Tòa án", "Court", "Tòa án nhân dân xét xử khiếu kiện quyết định xử phạt (ghi kết quả bằng quyền sanctions:review).", "A people's court ruling on lawsuits against sanction decisions (records its rulings with sanctions:review)."},
	},
	"AgencyStatus": {
		"ACTIVE":    {"Đang hoạt động", "Active", "Cơ quan được phép ghi dữ liệu.", "The agency may write to the registry."},
		"SUSPENDED": {"Bị đình chỉ", "Suspended", "Cơ quan tạm thời không được ghi dữ liệu.", "The agency may not write for now."},
	},
	"ViolationCategory": {
		"MISLEADING_CLAIMS":                {"Quảng cáo gây nhầm lẫn", "Misleading claims", "Nói sai hoặc phóng đại công dụng sản phẩm.", "False or exaggerated claims about a product."},
		"AD_NOT_MATCHING_DOSSIER":          {"Quảng cáo không đúng hồ sơ", "Ad not matching its dossier", "Nội dung quảng cáo khác với hồ sơ đã được xác nhận.", "The ad differs from the approved dossier."},
		"HEALTH_PROFESSIONAL_IMAGE_MISUSE": {"Lợi dụng hình ảnh nhân viên y tế", "Misuse of health professionals' image", "Dùng hình ảnh, danh nghĩa nhân viên y tế để quảng cáo.", "Uses the image or title of health workers in ads."},
		"BANNED_PRODUCT":                   {"Quảng cáo sản phẩm bị cấm", "Banned product", "Quảng cáo sản phẩm, dịch vụ cấm quảng cáo.", "Advertises a product that may not be advertised."},
		"UNDISCLOSED_ADVERTISING":          {"Không công bố là quảng cáo", "Undisclosed advertising", "Không gắn nhãn rõ ràng nội dung quảng cáo.", "Sponsored content without a clear label."},
		"UNVERIFIED_ADVERTISER":            {"Không kiểm tra người quảng cáo", "Unverified advertiser", "Không kiểm tra tư cách, giấy tờ của người quảng cáo.", "Did not check the advertiser's papers."},
		"PRODUCT_NOT_USED":                 {"Chưa sử dụng sản phẩm", "Product not used", "Giới thiệu sản phẩm mà chưa trực tiếp sử dụng.", "Endorses a product never used."},
		"FALSE_INFORMATION":                {"Thông tin sai sự thật", "False information", "Đăng tải thông tin sai sự thật.", "Publishes false information."},
		"TAX_NON_COMPLIANCE":               {"Vi phạm nghĩa vụ thuế", "Tax non-compliance", "Không kê khai, nộp thuế thu nhập từ quảng cáo.", "Did not declare or pay tax on ad income."},
		"AD_NEXT_TO_ILLEGAL_CONTENT":       {"Quảng cáo cạnh nội dung vi phạm", "Ad next to illegal content", "Đặt quảng cáo cạnh nội dung vi phạm pháp luật.", "Places ads next to unlawful content."},
		"OTHER":                            {"Vi phạm khác", "Other violation", "Một hành vi vi phạm không có trong danh sách.", "A violation not in this list."},
	},
	"Remedy": {
		"CORRECT_INFORMATION":    {"Buộc cải chính thông tin", "Correct the information", "Buộc cải chính thông tin sai.", "Must publish a correction."},
		"REMOVE_CONTENT":         {"Buộc gỡ bỏ nội dung", "Remove the content", "Buộc gỡ bỏ nội dung vi phạm.", "Must take the content down."},
		"ACCOUNT_SUSPENSION":     {"Tạm khóa tài khoản", "Account suspension", "Tài khoản bị tạm đình chỉ.", "The account is suspended."},
		"PROFIT_DISGORGEMENT":    {"Buộc nộp lại số lợi bất hợp pháp", "Disgorge illegal profit", "Buộc nộp lại khoản thu có được do vi phạm.", "Must pay back the profit of the violation."},
		"PUBLIC_APOLOGY":         {"Xin lỗi công khai", "Public apology", "Buộc xin lỗi công khai.", "Must apologise publicly."},
		"APPEARANCE_RESTRICTION": {"Hạn chế xuất hiện", "Appearance restriction", "Hạn chế xuất hiện trên sóng và nền tảng.", "Kept off air and off platforms."},
		"CRIMINAL_REFERRAL":      {"Chuyển cơ quan điều tra", "Criminal referral", "Hồ sơ được chuyển cơ quan tiến hành tố tụng.", "The case was sent to criminal investigators."},
	},
	"SanctionStatus": {
		"IN_FORCE":             {"Đang có hiệu lực", "In force", "Quyết định đang được thi hành.", "The decision applies now."},
		"COMPLIED":             {"Đã chấp hành", "Complied with", "Đối tượng đã chấp hành xong quyết định.", "The subject has complied."},
		"UNDER_COMPLAINT":      {"Đang khiếu nại", "Under complaint", "Quyết định đang bị khiếu nại.", "An administrative complaint is pending."},
		"UNDER_LITIGATION":     {"Đang khởi kiện", "Under litigation", "Quyết định đang bị khởi kiện tại tòa án.", "A court case against it is pending."},
		"AMENDED":              {"Đã sửa đổi", "Amended", "Quyết định đã được sửa đổi bằng quyết định khác.", "Changed by a later decision."},
		"ANNULLED":             {"Đã hủy bỏ", "Annulled", "Quyết định đã bị hủy bỏ.", "The decision was annulled."},
		"WITHDRAWN_DATA_ERROR": {"Rút do lỗi dữ liệu", "Withdrawn (data error)", "Bản ghi bị rút vì nhập sai; vẫn được lưu.", "Withdrawn as an entry error; it stays on record."},
	},
	"SanctionStanding": {
		"IN_FORCE":             {"Đang có hiệu lực", "In force", "Quyết định có hiệu lực, không bị khiếu nại, khởi kiện, sửa đổi hay hủy bỏ.", "The decision stands: not contested, amended or annulled."},
		"UNDER_COMPLAINT":      {"Đang khiếu nại", "Under complaint", "Quyết định đang bị khiếu nại; vẫn phải thi hành.", "A complaint is pending; the decision is still to be executed."},
		"UNDER_LITIGATION":     {"Đang khởi kiện", "Under litigation", "Quyết định đang bị khởi kiện tại tòa án; vẫn phải thi hành.", "A lawsuit is pending; the decision is still to be executed."},
		"AMENDED":              {"Đã sửa đổi", "Amended", "Quyết định đã được sửa đổi; có hiệu lực theo nội dung sửa đổi.", "Amended by a later decision or ruling; it stands as amended."},
		"ANNULLED":             {"Đã hủy bỏ", "Annulled", "Quyết định đã bị hủy bỏ; không còn được tính.", "The decision was annulled; it no longer counts."},
		"WITHDRAWN_DATA_ERROR": {"Rút do lỗi dữ liệu", "Withdrawn (data error)", "Bản ghi bị rút vì nhập sai; vẫn được lưu.", "Withdrawn as an entry error; it stays on record."},
	},
	"SanctionExecution": {
		"NOT_DUE":  {"Chưa đến hạn thi hành", "Not yet due", "Quyết định chưa có hiệu lực, hoặc được hoãn, tạm đình chỉ thi hành.", "Not in effect yet, or execution postponed or suspended."},
		"DUE":      {"Phải thi hành", "Due", "Phải nộp phạt, thực hiện biện pháp khắc phục trong thời hạn.", "The fine is due and the remedies to be carried out."},
		"COMPLIED": {"Đã chấp hành", "Complied with", "Đối tượng đã nộp phạt và thực hiện biện pháp khắc phục.", "The subject paid and carried out the remedies."},
		"ENFORCED": {"Đã cưỡng chế thi hành", "Enforced", "Quyết định đã được cưỡng chế thi hành.", "The decision was executed by enforcement."},
	},
	"IdentityVerification": {
		"VN_PHONE":    {"Xác thực bằng số điện thoại Việt Nam", "Verified by a Vietnamese phone number", "Xác thực theo Nghị định 147/2024/NĐ-CP bằng số điện thoại.", "Verified under Decree 147/2024 by phone number."},
		"PERSONAL_ID": {"Xác thực bằng định danh cá nhân", "Verified by personal ID", "Xác thực theo Nghị định 147/2024/NĐ-CP bằng định danh cá nhân.", "Verified under Decree 147/2024 by personal ID."},
		"UNVERIFIED":  {"Chưa xác thực", "Unverified", "Tài khoản chưa được xác thực danh tính.", "The account's identity is not verified."},
		"UNKNOWN":     {"Không rõ", "Unknown", "Sổ đăng ký không biết tình trạng xác thực.", "The registry does not know."},
	},
	"UserErrorCode": {
		"INVALID":                {"Không hợp lệ", "Invalid", "Một giá trị nhập vào không hợp lệ.", "An input value is not valid."},
		"NOT_FOUND":              {"Không tìm thấy", "Not found", "Không có bản ghi với mã đã cho.", "No record has that ID."},
		"DUPLICATE":              {"Trùng lặp", "Duplicate", "Bản ghi đã tồn tại.", "The record exists already."},
		"VERSION_CONFLICT":       {"Xung đột phiên bản", "Version conflict", "Bản ghi đã thay đổi kể từ lần đọc.", "The record changed since it was read."},
		"NOT_OWNER":              {"Không phải chủ bản ghi", "Not the owner", "Chỉ cơ quan đã ghi mới được sửa.", "Only the agency that filed it may change it."},
		"OUTSIDE_JURISDICTION":   {"Ngoài thẩm quyền", "Outside jurisdiction", "Cơ quan cấp tỉnh hành động ngoài địa bàn.", "A provincial agency acted outside its province."},
		"IDEMPOTENCY_KEY_REUSED": {"Khóa chống lặp đã được dùng", "Idempotency key reused", "Khóa chống lặp đã được dùng cho một yêu cầu khác.", "The idempotency key was already used for another request."},
	},
	"InfluencerOrderField": {
		"DISPLAY_NAME": {"Tên hiển thị", "Display name", "Sắp theo tên hiển thị.", "By display name."},
		"CREATED_AT":   {"Ngày đăng ký", "Registered", "Sắp theo thời điểm ghi vào sổ.", "By when it was registered."},
		"UPDATED_AT":   {"Ngày cập nhật", "Updated", "Sắp theo lần sửa gần nhất.", "By the latest change."},
	},
	"DisclosureOrderField": {
		"PUBLISHED_AT": {"Ngày đăng", "Published", "Sắp theo thời điểm đăng nội dung.", "By when the content was published."},
		"CREATED_AT":   {"Ngày nộp", "Filed", "Sắp theo thời điểm nộp bản công bố.", "By when the disclosure was filed."},
	},
	"SanctionOrderField": {
		"DECIDED_ON":  {"Ngày quyết định", "Decided", "Sắp theo ngày ra quyết định.", "By decision date."},
		"FINE_VND":    {"Số tiền phạt", "Fine", "Sắp theo số tiền phạt.", "By the fine."},
		"RECORDED_AT": {"Ngày ghi sổ", "Recorded", "Sắp theo thời điểm ghi vào sổ.", "By when it was recorded."},
	},
	"SearchKind": {
		"INFLUENCER":       {"Người có ảnh hưởng", "Influencer", "Tìm theo tên hiển thị, tên thật, biệt danh.", "By display name, legal name and aliases."},
		"PLATFORM_ACCOUNT": {"Tài khoản mạng xã hội", "Platform account", "Tìm theo tên tài khoản và đường dẫn hồ sơ.", "By handle and profile URL."},
		"MCN":              {"MCN", "MCN", "Tìm mạng đa kênh theo tên.", "Multi-channel networks, by name."},
		"BRAND":            {"Nhãn hàng", "Brand", "Tìm nhãn hàng theo tên.", "Brands, by name."},
	},
	"SearchField": {
		"DISPLAY_NAME": {"Tên hiển thị", "Display name", "Khớp với tên hiển thị.", "Matched the display name."},
		"LEGAL_NAME":   {"Tên thật", "Legal name", "Khớp với tên thật.", "Matched the legal name."},
		"ALIAS":        {"Biệt danh", "Alias", "Khớp với một biệt danh.", "Matched an alias."},
		"HANDLE":       {"Tên tài khoản", "Handle", "Khớp với tên tài khoản.", "Matched a handle."},
		"PROFILE_URL":  {"Đường dẫn hồ sơ", "Profile URL", "Khớp với đường dẫn hồ sơ.", "Matched a profile URL."},
		"NAME":         {"Tên", "Name", "Khớp với tên MCN hoặc nhãn hàng.", "Matched an MCN's or brand's name."},
	},
	"WebhookDeliveryStatus": {
		"PENDING":   {"Đang chờ gửi", "Pending", "Đang chờ gửi hoặc đang thử lại.", "Queued or being retried."},
		"DELIVERED": {"Đã gửi", "Delivered", "Điểm nhận đã trả lời 2xx.", "The endpoint answered 2xx."},
		"PARKED":    {"Tạm dừng", "Parked", "Thử lại hơn một ngày không thành công; có thể gửi lại.", "Retried for over a day without success; can be replayed."},
	},
	"ScreenDecision": {
		"MATCH":          {"Khớp", "Match", "Người này có trong sổ: điểm từ 0,85 và không ai khác gần điểm.", "This person is on record: score 0.85 or more and nobody else close."},
		"POSSIBLE_MATCH": {"Có thể khớp", "Possible match", "Có hồ sơ gần giống; cần kiểm tra trước khi dựa vào.", "A record resembles the person; check it before relying on it."},
		"NO_MATCH":       {"Không khớp", "No match", "Không có hồ sơ nào trong sổ đạt 0,5 điểm.", "No record in the registry scores 0.5 or more."},
	},
	"RiskLevel": {
		"LOW":    {"Thấp", "Low", "Không có gì đáng lo trong hồ sơ.", "Nothing of concern on record."},
		"MEDIUM": {"Trung bình", "Medium", "Có điểm cần xem xét trước khi hợp tác.", "Worth a look before hiring."},
		"HIGH":   {"Cao", "High", "Có chế tài đang hiệu lực hoặc vi phạm nghiêm trọng.", "An active sanction or a serious concern."},
	},
	"RiskFactorCode": {
		"SANCTION_IN_FORCE":           {"Có chế tài đang hiệu lực", "Sanction in force", "Ít nhất một quyết định xử phạt đang có hiệu lực.", "At least one sanction in force."},
		"OPEN_APPEAL":                 {"Đang khiếu nại hoặc khởi kiện", "Open appeal", "Ít nhất một quyết định đang bị khiếu nại hoặc khởi kiện.", "At least one sanction under complaint or litigation."},
		"RECENT_PAST_SANCTION":        {"Từng bị xử phạt gần đây", "Recent past sanction", "Đã thi hành, chưa hết thời hạn được coi là chưa bị xử lý (Điều 7 Luật XLVPHC).", "Executed; not yet deemed never sanctioned (LHAV Art. 7)."},
		"OLD_PAST_SANCTION":           {"Được coi là chưa bị xử lý", "Deemed never sanctioned", "Đã thi hành và hết thời hạn theo Điều 7 Luật XLVPHC.", "Executed long enough ago to be deemed never sanctioned (LHAV Art. 7)."},
		"ANNULLED_SANCTION":           {"Quyết định đã hủy", "Annulled sanction", "Quyết định đã bị hủy hoặc rút; chỉ liệt kê, không tính.", "Annulled or withdrawn: listed, never counted."},
		"UNCLEAR_LABELS":              {"Nhãn quảng cáo không rõ", "Unclear labels", "Một phần bản công bố không gắn nhãn rõ ràng.", "Some disclosures lack a clear label."},
		"MISSING_CREDENTIAL":          {"Thiếu chứng chỉ chuyên môn", "Missing credential", "Quảng cáo lĩnh vực cần chứng chỉ mà không có.", "Promotes a field that needs a credential not held."},
		"BANNED_CATEGORY":             {"Sản phẩm cấm quảng cáo", "Banned category", "Quảng cáo loại sản phẩm bị cấm quảng cáo.", "Promotes a product that may not be advertised."},
		"MCN_SANCTIONED":              {"MCN đang bị xử phạt", "MCN sanctioned", "MCN hiện tại có chế tài đang hiệu lực.", "The current MCN has active sanctions."},
		"CLEAN_RECORD":                {"Hồ sơ sạch", "Clean record", "Không có gì trong sổ làm tăng rủi ro.", "Nothing on record raises the risk."},
		"HEALTH_PROFESSIONAL_FOOD_AD": {"Nhân viên y tế quảng cáo thực phẩm", "Health professional in a food ad", "Người có chứng chỉ y tế quảng cáo thực phẩm (Điều 27 Nghị định 15/2018/NĐ-CP).", "A health professional promotes food (Decree 15/2018/NĐ-CP Art. 27)."},
		"LABEL_TIMING":                {"Nhãn quảng cáo không đúng thời điểm", "Label timing", "Từ 01/01/2026 nhãn phải có trước và trong khi quảng cáo (Luật 75/2025/QH15).", "From 1 Jan 2026 the label must come before and during the promotion (Law 75/2025/QH15)."},
		"UNVERIFIED_LIVESTREAM":       {"Livestream trên tài khoản chưa định danh", "Unverified livestream account", "Livestream bán hàng trên tài khoản chưa xác thực bằng số định danh cá nhân (Nghị định 147/2024/NĐ-CP).", "A commercial livestream on an account not identified by personal ID (Decree 147/2024/NĐ-CP)."},
	},
	"Penalty": {
		"FINE":    {"Phạt tiền", "Fine", "Hình thức xử phạt chính là phạt tiền.", "The main penalty is a fine."},
		"WARNING": {"Cảnh cáo", "Warning", "Hình thức xử phạt chính là cảnh cáo, không phạt tiền.", "The main penalty is a warning, with no fine."},
	},
	"AdditionalPenalty": {
		"LICENCE_SUSPENSION":  {"Tước quyền sử dụng giấy phép", "Licence suspension", "Tước quyền sử dụng giấy phép, chứng chỉ hành nghề có thời hạn.", "A licence or practising certificate suspended for a time."},
		"ACTIVITY_SUSPENSION": {"Đình chỉ hoạt động", "Activity suspension", "Đình chỉ hoạt động có thời hạn.", "An activity suspended for a time."},
		"CONFISCATION":        {"Tịch thu tang vật", "Confiscation", "Tịch thu tang vật, phương tiện vi phạm.", "The exhibits and means of the violation confiscated."},
	},
	"InstrumentKind": {
		"LAW":        {"Luật", "Law", "Luật của Quốc hội.", "A law of the National Assembly."},
		"DECREE":     {"Nghị định", "Decree", "Nghị định của Chính phủ.", "A decree of the Government."},
		"CIRCULAR":   {"Thông tư", "Circular", "Thông tư của bộ.", "A circular of a ministry."},
		"RESOLUTION": {"Nghị quyết", "Resolution", "Nghị quyết.", "A resolution."},
	},
	"TimelineEventKind": {
		"REGISTERED":              {"Được ghi vào sổ", "Registered", "Bản ghi được tạo trong sổ đăng ký.", "The record was created in the registry."},
		"CORRECTED":               {"Được cải chính", "Corrected", "Bản ghi được sửa; xem lịch sử thay đổi.", "The record was corrected; see its history."},
		"ACCOUNT_ADDED":           {"Thêm tài khoản", "Account added", "Một tài khoản mạng xã hội được ghi nhận.", "A platform account was recorded."},
		"AFFILIATION_STARTED":     {"Bắt đầu hợp tác MCN", "MCN affiliation started", "Bắt đầu hợp đồng với một MCN.", "A contract with an MCN began."},
		"AFFILIATION_ENDED":       {"Kết thúc hợp tác MCN", "MCN affiliation ended", "Hợp đồng với một MCN kết thúc.", "A contract with an MCN ended."},
		"DISCLOSURE_PUBLISHED":    {"Đăng nội dung quảng cáo", "Sponsored content published", "Nội dung quảng cáo được đăng (theo bản công bố).", "Sponsored content went out (per its disclosure)."},
		"DISCLOSURE_AMENDED":      {"Sửa bản công bố", "Disclosure amended", "Một bản công bố được sửa.", "A disclosure was amended."},
		"DISCLOSURE_RETRACTED":    {"Rút bản công bố", "Disclosure retracted", "Một bản công bố bị rút.", "A disclosure was retracted."},
		"SANCTION_DECIDED":        {"Ra quyết định xử phạt", "Sanction decided", "Cơ quan có thẩm quyền ra quyết định xử phạt.", "An agency decided a sanction."},
		"SANCTION_STATUS_CHANGED": {"Thay đổi tình trạng quyết định", "Sanction status changed", "Tình trạng của một quyết định xử phạt thay đổi.", "A sanction's status changed."},
		"SANCTION_AMENDED":        {"Cải chính quyết định", "Sanction record corrected", "Bản ghi quyết định xử phạt được cải chính.", "A sanction's record was corrected."},
	},
}
