package seed

// The word lists and fixed records the generator draws from. Everything here is invented except the
// agencies (real public bodies, as the demo data may use) and the legal instruments they cite.

// agencySpec is a demo agency. Slugs double as stable keys: an agency that already exists with the
// same slug (e.g. added with `kolregistry agency add`) is reused, not duplicated.
type agencySpec struct {
	Slug, Name, NameEn, Kind, Jurisdiction string
	// DecisionSuffix is what follows "QĐ-" in the agency's sanction decision numbers.
	DecisionSuffix string
	// SourceBase is where the agency publishes decisions (the paths under it are invented).
	SourceBase string
}

// Indexes into demoAgencies, used by the generator's rules.
const (
	agBroadcasting = iota
	agInspectorate
	agCultureHCM
	agCultureHN
	agFoodSafety
	agTaxHCM
	agMarket
	agAssociation
	agCourtHN // reviews decisions (reviewSanction); never issues one
)

var demoAgencies = []agencySpec{
	{"cuc-ptth-ttdt", "Cục Phát thanh, truyền hình và thông tin điện tử", "Authority of Broadcasting and Electronic Information",
		"BROADCASTING_AUTHORITY", "VN", "XPHC", "https://abei.gov.vn/van-ban/xu-ly-vi-pham"},
	{"thanh-tra-bvhttdl", "Thanh tra Bộ Văn hóa, Thể thao và Du lịch", "Inspectorate of the Ministry of Culture, Sports and Tourism",
		"INSPECTORATE", "VN", "XPVPHC", "https://bvhttdl.gov.vn/thanh-tra/quyet-dinh"},
	{"so-vhtt-hcm", "Sở Văn hóa và Thể thao Thành phố Hồ Chí Minh", "Ho Chi Minh City Department of Culture and Sports",
		"PROVINCIAL_DEPARTMENT", "VN-SG", "XPHC", "https://svhtt.hochiminhcity.gov.vn/quyet-dinh-xu-phat"},
	{"so-vhtt-hn", "Sở Văn hóa và Thể thao Hà Nội", "Hanoi Department of Culture and Sports",
		"PROVINCIAL_DEPARTMENT", "VN-HN", "XPVPHC", "https://sovhtt.hanoi.gov.vn/xu-phat-hanh-chinh"},
	{"cuc-attp", "Cục An toàn thực phẩm", "Vietnam Food Administration",
		"FOOD_SAFETY", "VN", "ATTP", "https://vfa.gov.vn/xu-ly-vi-pham"},
	{"cuc-thue-hcm", "Cục Thuế TP. Hồ Chí Minh", "Ho Chi Minh City Tax Department",
		"TAX", "VN-SG", "CTHCM", "https://hcmtax.gdt.gov.vn/quyet-dinh"},
	{"cuc-qltt", "Cục Quản lý thị trường", "Department of Market Surveillance",
		"MARKET_SURVEILLANCE", "VN", "XPHC", "https://dms.gov.vn/quyet-dinh"},
	{"hiep-hoi-tts", "Hiệp hội Truyền thông số Việt Nam", "Vietnam Digital Communication Association",
		"ASSOCIATION", "VN", "HTTS", "https://vdca.org.vn/van-ban"},
	{"tand-tp-ha-noi", "Tòa án nhân dân Thành phố Hà Nội", "Hanoi People's Court",
		"COURT", "VN-HN", "HC", "https://toaan.gov.vn/ban-an"},
}

// amendedBy is the instrument whose amendment the current text of a cited provision comes from
// ("38/2021/NĐ-CP Art. 34(5) as amended by 129/2021/NĐ-CP"), as the legal catalogue has it.
var amendedBy = map[string]string{
	"38/2021/NĐ-CP 34(5)":  "129/2021/NĐ-CP",
	"38/2021/NĐ-CP 52":     "129/2021/NĐ-CP",
	"15/2020/NĐ-CP 101(1)": "14/2022/NĐ-CP",
}

// weighted is a value with a relative weight.
type weighted struct {
	V string
	W float64
}

// Family names, roughly by frequency.
var familyNames = []weighted{
	{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9.5}, {"Phạm", 7}, {"Hoàng", 4}, {"Huỳnh", 3}, {"Phan", 4.5}, {"Vũ", 3},
	{"Võ", 3}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 1.5}, {"Hồ", 1.3}, {"Ngô", 1.3}, {"Dương", 1}, {"Lý", 0.6},
	{"Trương", 0.8}, {"Đinh", 0.7}, {"Lâm", 0.6}, {"Mai", 0.5}, {"Tô", 0.4}, {"Cao", 0.5}, {"Châu", 0.3},
}

// Middle names a person uses in public; legal names may add Thị or Văn in front.
var middleNames = map[byte][]string{
	'F': {"Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Bảo", "Khánh", "Thảo", "Kim", "Mỹ", "Diệu", "Hoài", "Tường", "Quỳnh", "Như"},
	'M': {"Minh", "Đức", "Quốc", "Hoàng", "Thanh", "Gia", "Anh", "Hữu", "Công", "Tuấn", "Bảo", "Nhật", "Trọng", "Đình", "Xuân"},
}

var givenNames = map[byte][]string{
	'F': {"Mai", "Lan", "Hương", "Linh", "Trang", "Thảo", "Vy", "Ngân", "Anh", "Nhung", "Yến", "Hạnh", "Trinh", "Quyên",
		"Uyên", "Chi", "Giang", "Thư", "My", "Nhi", "Phương", "Tiên", "Huyền", "Loan", "Oanh", "Duyên", "Diệp", "Ánh",
		"Ly", "Trâm", "Hiền", "Ngọc", "Thủy", "Vân", "Hoa", "Nga", "Dung", "Tâm"},
	'M': {"Tùng", "Nam", "Hùng", "Dũng", "Minh", "Huy", "Long", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt",
		"Hải", "Bảo", "Đạt", "Lộc", "Trung", "Hiếu", "Kiên", "Nghĩa", "Phong", "Tài", "Thịnh", "Vinh", "Toàn",
		"Duy", "Hào", "Khôi", "Lâm", "Nhân", "Quang", "Thiện", "Vũ"},
}

// Kin words for "Bếp Của Ngoại"-style names.
var kinWords = []string{"Ngoại", "Nội", "Mẹ", "Dì Ba", "Cô Út", "Chị Hai", "Má", "Bà Tư"}

// nameTemplate makes a stage name: {G} is the given name, {K} a kin word. Gender 0 fits anyone.
type nameTemplate struct {
	T      string
	Gender byte
}

// Stage-name templates by primary content category. credentialedTemplates claim a profession; the
// generator uses one only for an influencer whose profession's Claim it contains.
var stageTemplates = map[string][]nameTemplate{
	"BEAUTY": {{"{G} Làm Đẹp", 'F'}, {"Chị Đẹp {G}", 'F'}, {"{G} Beauty", 0}, {"Góc Làm Đẹp Của {G}", 'F'},
		{"{G} Skincare", 0}, {"Da Đẹp Cùng {G}", 'F'}, {"{G} Makeup", 0}, {"Xinh Cùng {G}", 'F'}},
	"FASHION": {{"{G} Mặc Gì", 0}, {"{G} Style", 0}, {"Tủ Đồ Của {G}", 0}, {"{G} Outfit", 0}, {"{G} Phối Đồ", 0}},
	"FOOD": {{"{G} Ăn Gì", 0}, {"Bếp Của {K}", 0}, {"{G} Food Tour", 0}, {"{G} Ăn Khắp Nơi", 0}, {"Bếp Nhà {G}", 0},
		{"{G} Mukbang", 0}, {"Ẩm Thực Cùng {G}", 0}, {"Mâm Cơm {K}", 0}, {"{G} Nấu Gì", 0}},
	"TRAVEL":        {{"{G} Đi Đâu", 0}, {"{G} Travel", 0}, {"{G} Xách Balo", 0}, {"Lang Thang Cùng {G}", 0}, {"{G} Phượt", 0}},
	"TECH":          {{"{G} Review", 0}, {"{G} Công Nghệ", 0}, {"{G} Tech", 0}, {"Đập Hộp Cùng {G}", 0}, {"{G} Unbox", 0}},
	"GAMING":        {{"{G} Gaming", 0}, {"{G} Stream", 0}, {"{G} Chơi Game", 0}, {"Team {G} Esports", 0}},
	"FINANCE":       {{"{G} Tài Chính", 0}, {"{G} Đầu Tư", 0}, {"{G} Money", 0}, {"Làm Giàu Cùng {G}", 0}, {"{G} Chứng Khoán", 0}},
	"HEALTH":        {{"{G} Sống Khỏe", 0}, {"Khỏe Đẹp Cùng {G}", 0}, {"{G} Healthy", 0}, {"{G} Fitness", 0}, {"{G} Eat Clean", 0}},
	"EDUCATION":     {{"Học Cùng {G}", 0}, {"{G} English", 0}, {"{G} Học Giỏi", 0}},
	"LAW":           {{"Hỏi Luật Cùng {G}", 0}, {"{G} Pháp Lý", 0}},
	"PARENTING":     {{"Mẹ {G} Nuôi Con", 'F'}, {"Nhà Có {G}", 0}, {"Mẹ Bỉm {G}", 'F'}, {"Bố {G} Kể Chuyện", 'M'}, {"Bố Bỉm {G}", 'M'}},
	"ENTERTAINMENT": {{"{G} Official", 0}, {"{G} TV", 0}, {"{G} Hài Hước", 0}, {"{G} Channel", 0}, {"{G} Vlog", 0}},
	"LIFESTYLE":     {{"{G} Vlog", 0}, {"{G} Daily", 0}, {"Cuộc Sống Của {G}", 0}, {"{G} Ở Quê", 0}, {"{G} Lifestyle", 0}},
	"NEWS":          {{"{G} Điểm Tin", 0}, {"{G} Bình Luận", 0}, {"Tin Nhanh Cùng {G}", 0}},
}

var credentialedTemplates = map[string][]nameTemplate{
	"HEALTH": {{"Bác Sĩ {G}", 0}, {"Dược Sĩ {G}", 0}},
	"LAW":    {{"Luật Sư {G}", 0}},
	"EDUCATION": {{"Cô {G} Dạy Tiếng Anh", 'F'}, {"Thầy {G} Dạy Tiếng Anh", 'M'}, {"Thầy {G} Dạy Toán", 'M'},
		{"Cô {G} Dạy Toán", 'F'}, {"Cô {G} Dạy Văn", 'F'}, {"Thầy {G} Dạy Văn", 'M'}},
	"FINANCE": {{"{G} Phân Tích Chứng Khoán", 0}},
}

// anchorInfluencer is one of the fixed first influencers the documentation and demos refer to.
type anchorInfluencer struct {
	Display, Given, Category, Province string
	Gender                             byte
	Aliases                            []string
}

var anchorInfluencers = []anchorInfluencer{
	{"Mai Vlog", "Mai", "LIFESTYLE", "VN-SG", 'F', []string{"Mai Vlogs", "mai vlog official"}},
	{"Bếp Của Ngoại", "Hạnh", "FOOD", "VN-39", 'F', []string{"bep cua ngoai", "Bếp Ngoại"}},
	{"Tùng Review", "Tùng", "TECH", "VN-HN", 'M', []string{"tung review"}},
	{"Chị Đẹp Làm Đẹp", "Trang", "BEAUTY", "VN-SG", 'F', nil},
}

// Stage names of well-known real influencers (folded): generated names containing one are redrawn, so
// no invented record can be mistaken for a real person.
var realNamesToAvoid = []string{
	"quang linh", "ha linh", "hang du muc", "khoa pug", "ninh tito", "do mixi", "pham thoai", "tuan khang",
	"huan hoa hong", "sang vlog", "ba tan", "loc fuho", "thuy tien", "tran thanh", "ngoc trinh", "xuan bac",
	"khoai lang thang", "color man", "trinh pham", "le tuan khang", "minh quan", "ba nha van",
}

// Provinces (ISO 3166-2:VN) with weights; "" is an influencer whose province is not known.
var provinces = []weighted{
	{"VN-SG", 34}, {"VN-HN", 27}, {"VN-DN", 7}, {"VN-HP", 4}, {"VN-CT", 4}, {"VN-57", 4}, {"VN-39", 3},
	{"VN-34", 3}, {"VN-26", 3}, {"VN-43", 2}, {"VN-13", 2}, {"VN-44", 1.5}, {"VN-35", 1.5}, {"VN-22", 1.5},
	{"VN-21", 1}, {"", 2.5},
}

// Primary content categories with weights, and the categories a second or third one is drawn from.
var primaryCategories = []weighted{
	{"BEAUTY", 17}, {"FOOD", 14}, {"LIFESTYLE", 9}, {"FASHION", 8}, {"TECH", 8}, {"ENTERTAINMENT", 7},
	{"HEALTH", 9}, {"PARENTING", 6}, {"TRAVEL", 5}, {"GAMING", 4}, {"FINANCE", 6}, {"EDUCATION", 4},
	{"LAW", 2}, {"NEWS", 1},
}

var relatedCategories = map[string][]string{
	"BEAUTY": {"FASHION", "LIFESTYLE", "HEALTH"}, "FASHION": {"BEAUTY", "LIFESTYLE", "TRAVEL"},
	"FOOD": {"TRAVEL", "LIFESTYLE", "PARENTING", "HEALTH"}, "TRAVEL": {"FOOD", "LIFESTYLE", "ENTERTAINMENT"},
	"TECH": {"GAMING", "EDUCATION", "FINANCE"}, "GAMING": {"ENTERTAINMENT", "TECH"},
	"FINANCE": {"EDUCATION", "NEWS", "TECH"}, "HEALTH": {"BEAUTY", "FOOD", "PARENTING", "LIFESTYLE"},
	"EDUCATION": {"PARENTING", "TECH", "LIFESTYLE"}, "LAW": {"NEWS", "FINANCE", "EDUCATION"},
	"PARENTING": {"FOOD", "HEALTH", "LIFESTYLE"}, "ENTERTAINMENT": {"LIFESTYLE", "GAMING", "FOOD"},
	"LIFESTYLE": {"FOOD", "TRAVEL", "BEAUTY", "FASHION"}, "NEWS": {"LAW", "FINANCE", "ENTERTAINMENT"},
}

// Chance that an influencer whose primary category is the key holds a professional credential.
// Health is deliberately 50%: the other half promote supplements and medicine without one.
var credentialChance = map[string]float64{"HEALTH": 0.5, "FINANCE": 0.5, "LAW": 0.9, "EDUCATION": 0.6}

type credentialSpec struct {
	Title, Issuer string
	// ValidYears: 0 for a degree that does not expire, else the years a practice certificate runs.
	ValidYears int
}

// profession is what a credentialed influencer is: the credentials they hold (the first always,
// the others sometimes) and the words a stage name may use to claim it ("" claims nothing).
type profession struct {
	Claim       string
	Credentials []credentialSpec
}

var professions = map[string][]profession{
	"HEALTH": {
		{"Bác Sĩ", []credentialSpec{
			{"Bác sĩ Y khoa", "Trường Đại học Y Dược TP. Hồ Chí Minh", 0},
			{"Chứng chỉ hành nghề khám bệnh, chữa bệnh", "Sở Y tế TP. Hồ Chí Minh", 5}}},
		{"Bác Sĩ", []credentialSpec{
			{"Chứng chỉ hành nghề khám bệnh, chữa bệnh", "Sở Y tế Hà Nội", 5}}},
		{"Dược Sĩ", []credentialSpec{
			{"Dược sĩ đại học", "Trường Đại học Dược Hà Nội", 0},
			{"Chứng chỉ hành nghề dược", "Sở Y tế Hà Nội", 5}}},
		{"", []credentialSpec{
			{"Cử nhân Dinh dưỡng", "Trường Đại học Y tế công cộng", 0}}},
	},
	"FINANCE": {
		{"Phân Tích", []credentialSpec{
			{"Chứng chỉ hành nghề chứng khoán: Phân tích tài chính", "Ủy ban Chứng khoán Nhà nước", 0}}},
		{"", []credentialSpec{
			{"Chứng chỉ đại lý bảo hiểm", "Hiệp hội Bảo hiểm Việt Nam", 3}}},
	},
	"LAW": {
		{"Luật Sư", []credentialSpec{
			{"Thẻ luật sư", "Liên đoàn Luật sư Việt Nam", 5},
			{"Chứng chỉ hành nghề luật sư", "Bộ Tư pháp", 0}}},
	},
	"EDUCATION": {
		{"Dạy Toán", []credentialSpec{
			{"Thạc sĩ Lý luận và phương pháp dạy học bộ môn Toán", "Trường Đại học Sư phạm Hà Nội", 0}}},
		{"Dạy Văn", []credentialSpec{
			{"Cử nhân Sư phạm Ngữ văn", "Trường Đại học Sư phạm TP. Hồ Chí Minh", 0}}},
		{"Tiếng Anh", []credentialSpec{
			{"Chứng chỉ giảng dạy tiếng Anh TESOL", "Trường Đại học Sư phạm TP. Hồ Chí Minh", 4}}},
	},
}

// Platforms: how likely an influencer is to have an account there, how big it is next to the
// influencer's TikTok, and how often disclosures are posted there.
type platformSpec struct {
	Name                  string
	HaveWeight, Scale     float64
	DisclosureWeight      float64
	VerificationByWeights []weighted
}

var (
	verifyDomestic = []weighted{{"PERSONAL_ID", 35}, {"VN_PHONE", 45}, {"UNVERIFIED", 8}, {"UNKNOWN", 12}}
	verifyForeign  = []weighted{{"PERSONAL_ID", 10}, {"VN_PHONE", 35}, {"UNVERIFIED", 20}, {"UNKNOWN", 35}}
	verifySeller   = []weighted{{"PERSONAL_ID", 70}, {"VN_PHONE", 20}, {"UNKNOWN", 10}}
	verifyZalo     = []weighted{{"VN_PHONE", 80}, {"PERSONAL_ID", 20}}
)

var platforms = []platformSpec{
	{"TIKTOK", 160, 1.0, 5, verifyDomestic},
	{"FACEBOOK", 120, 0.7, 4, verifyDomestic},
	{"YOUTUBE", 45, 0.35, 2, verifyForeign},
	{"INSTAGRAM", 35, 0.2, 2, verifyForeign},
	{"THREADS", 10, 0.08, 0.5, verifyForeign},
	{"X", 3, 0.02, 0.3, verifyForeign},
	{"SHOPEE", 12, 0.1, 2, verifySeller},
	{"LAZADA", 4, 0.05, 1, verifySeller},
	{"ZALO", 8, 0.03, 0, verifyZalo},
}

// mcnSpec is an invented multi-channel network; Size weighs how many creators it manages.
type mcnSpec struct {
	Name, Website, Province string
	Size                    float64
	// Branch: the tax code is a 13-digit branch code rather than a 10-digit head-office one.
	Branch bool
}

var demoMcns = []mcnSpec{
	{"Công ty TNHH Truyền thông Sao Mai Việt", "https://saomaivietmedia.vn", "VN-SG", 10, false},
	{"Công ty Cổ phần Giải trí Ánh Dương Network", "https://anhduongnetwork.vn", "VN-HN", 9, false},
	{"Lotus Bloom Network JSC", "https://lotusbloom.com.vn", "VN-SG", 8, false},
	{"Công ty TNHH Sáng Tạo Số Phương Nam", "https://sangtaosophuongnam.vn", "VN-SG", 6, false},
	{"Công ty TNHH Truyền thông Mây Xanh", "https://mayxanhmedia.vn", "VN-HN", 6, false},
	{"BeeStar Creator Network JSC", "https://beestarcreator.vn", "VN-SG", 5, false},
	{"Công ty Cổ phần Mạng Đa Kênh Hồng Hà", "https://hongha-mcn.vn", "VN-HN", 5, false},
	{"Công ty TNHH Truyền thông Biển Xanh Đà Nẵng", "https://bienxanhdanang.vn", "VN-DN", 3, false},
	{"Orchid Digital Network JSC", "https://orchiddigital.vn", "VN-SG", 4, false},
	{"Công ty TNHH Giải trí Số Tre Việt", "https://treviet-ent.vn", "VN-HN", 3, false},
	{"Công ty TNHH MTV Truyền thông Cánh Cam", "https://canhcammedia.vn", "VN-SG", 2, false},
	{"Công ty Cổ phần Kết Nối Sáng Tạo Miền Tây", "https://sangtaomientay.vn", "VN-CT", 2, false},
	{"Starlight Việt Network JSC", "https://starlightviet.vn", "VN-SG", 4, false},
	{"Công ty TNHH Truyền thông Đa Kênh Hải Âu", "https://haiau-mcn.vn", "VN-HP", 2, false},
	{"Công ty TNHH Nội Dung Số Bình Minh", "https://noidungsobinhminh.vn", "VN-57", 1.5, false},
	{"Công ty Cổ phần Giải trí Kim Cương Network", "https://kimcuongnetwork.vn", "VN-SG", 3, false},
	{"Công ty TNHH Truyền thông Sen Hồng", "https://senhongmedia.vn", "VN-HN", 2, false},
	{"EastAsia Creator Hub JSC - Chi nhánh Hà Nội", "https://eastasiacreatorhub.vn", "VN-HN", 2, true},
	{"Công ty TNHH Truyền thông Núi Ngọc", "https://nuingocmedia.vn", "VN-34", 1, false},
	{"Công ty TNHH Quản lý Nhà sáng tạo Tinh Tú - Chi nhánh TP.HCM", "https://tinhtu-creators.vn", "VN-SG", 2, true},
}

// brandSpec is an invented brand and what it sells; Short is how product names mention it.
// Offshore brands have no Vietnamese tax code.
type brandSpec struct {
	Name, Short, Industry string
	Offshore              bool
	Products              []string
}

var demoBrands = []brandSpec{
	{"Mỹ phẩm Thảo Mộc Xanh", "Thảo Mộc Xanh", "COSMETICS", false, []string{"Sữa rửa mặt trà xanh", "Dầu gội thảo dược", "Tinh chất phục hồi da", "Kem chống nắng SPF50+"}},
	{"Lumière Skin Việt Nam", "Lumière Skin", "COSMETICS", false, []string{"Serum Vitamin C 15%", "Kem chống nắng SPF50+", "Tinh chất phục hồi da"}},
	{"Kem Sâm Ngọc Bích", "Ngọc Bích", "COSMETICS", false, []string{"Kem dưỡng trắng da ban đêm", "Kem sâm dưỡng ẩm", "Kem trị nám"}},
	{"Belle Rosé Cosmetics", "Belle Rosé", "COSMETICS", false, []string{"Son kem lì", "Phấn nước che khuyết điểm", "Mặt nạ ngủ collagen"}},
	{"Son Môi Mộc Lan", "Mộc Lan", "COSMETICS", false, []string{"Son kem lì", "Son dưỡng môi có màu"}},
	{"DermaPure Việt Nam", "DermaPure", "COSMETICS", false, []string{"Kem trị mụn cấp tốc", "Sữa rửa mặt dịu nhẹ", "Kem chống nắng SPF50+"}},
	{"Nhan Sắc Việt", "Nhan Sắc Việt", "COSMETICS", false, []string{"Kem dưỡng trắng da ban đêm", "Kem trị nám", "Mặt nạ ngủ collagen"}},
	{"Aqua Bloom Beauty", "Aqua Bloom", "COSMETICS", false, []string{"Nước tẩy trang", "Serum cấp ẩm", "Mặt nạ giấy"}},
	{"Hoa Trà Organic", "Hoa Trà", "COSMETICS", false, []string{"Dầu gội thảo dược", "Dầu dưỡng tóc", "Sữa tắm hoa trà"}},
	{"VitaLife Việt", "VitaLife", "FOOD_SUPPLEMENT", false, []string{"Viên uống tăng cân", "Viên uống giảm cân", "Viên uống xương khớp"}},
	{"Sâm Tố Nữ Minh Châu", "Minh Châu", "FOOD_SUPPLEMENT", false, []string{"Viên sâm tố nữ", "Viên uống trắng da", "Viên uống cân bằng nội tiết"}},
	{"Canxi Nano Kids+", "Kids+", "FOOD_SUPPLEMENT", false, []string{"Canxi nano cho trẻ", "Siro ăn ngon cho bé"}},
	{"Collagen Ngọc Trai Việt", "Ngọc Trai Việt", "FOOD_SUPPLEMENT", false, []string{"Collagen dạng nước", "Viên uống trắng da"}},
	{"Đông Trùng Tây Bắc Xanh", "Tây Bắc Xanh", "FOOD_SUPPLEMENT", false, []string{"Viên đông trùng hạ thảo", "Nước đông trùng hạ thảo"}},
	{"Bổ Gan An Khang", "An Khang", "FOOD_SUPPLEMENT", false, []string{"Viên bổ gan", "Trà giải độc gan"}},
	{"Keto Slim Việt", "Keto Slim", "FOOD_SUPPLEMENT", false, []string{"Viên uống giảm cân", "Trà giảm cân thảo mộc"}},
	{"Omega VitaGold", "VitaGold", "FOOD_SUPPLEMENT", false, []string{"Viên dầu cá Omega-3", "Men vi sinh", "Viên uống bổ mắt"}},
	{"Nông Sản Sạch Đồng Quê", "Đồng Quê", "FOOD", false, []string{"Gạo ST25", "Hạt dinh dưỡng mix", "Mật ong rừng"}},
	{"Trà Sữa Mây Hồng", "Mây Hồng", "FOOD", false, []string{"Trà sữa đóng chai", "Trà sữa trân châu"}},
	{"Cà Phê Đồi Xanh", "Đồi Xanh", "FOOD", false, []string{"Cà phê rang xay", "Cà phê hòa tan 3 trong 1"}},
	{"Nước Mắm Làng Chài Xưa", "Làng Chài Xưa", "FOOD", false, []string{"Nước mắm nhĩ", "Mắm tép chưng thịt"}},
	{"Snack Giòn Tan", "Giòn Tan", "FOOD", false, []string{"Snack khoai tây", "Mì cay cấp độ 7", "Khô gà lá chanh", "Bánh tráng trộn"}},
	{"Yến Sào Hòn Mun", "Hòn Mun", "FOOD", false, []string{"Yến chưng sẵn", "Tổ yến tinh chế"}},
	{"Sữa Hạt Mẹ Thương", "Mẹ Thương", "FOOD", false, []string{"Sữa hạt óc chó", "Sữa hạt sen"}},
	{"Urban Sài Gòn Wear", "Urban Sài Gòn", "FASHION", false, []string{"Áo thun oversize", "Quần jean ống rộng", "Áo khoác dù"}},
	{"Áo Dài Ngọc Lan", "Ngọc Lan", "FASHION", false, []string{"Áo dài cách tân", "Áo dài lụa"}},
	{"Mộc Linen Studio", "Mộc Linen", "FASHION", false, []string{"Váy linen", "Đồ bộ mặc nhà"}},
	{"Giày Bước Nhanh", "Bước Nhanh", "FASHION", false, []string{"Giày sneaker", "Giày chạy bộ"}},
	{"Velora Fashion Việt Nam", "Velora", "FASHION", false, []string{"Túi xách da", "Kính mát", "Váy dạ hội"}},
	{"NovaPhone Việt Nam", "NovaPhone", "ELECTRONICS", false, []string{"Điện thoại", "Đồng hồ thông minh", "Sạc dự phòng"}},
	{"Điện máy Tia Chớp", "Tia Chớp", "ELECTRONICS", false, []string{"Tivi 4K", "Máy lạnh inverter", "Tủ lạnh"}},
	{"SóngÂm Audio", "SóngÂm", "ELECTRONICS", false, []string{"Tai nghe không dây", "Loa bluetooth"}},
	{"HomeMate Smart Living", "HomeMate", "ELECTRONICS", false, []string{"Nồi chiên không dầu", "Máy lọc không khí", "Robot hút bụi"}},
	{"Kairo Electronics Vietnam", "Kairo", "ELECTRONICS", false, []string{"Máy tính bảng", "Laptop học tập"}},
	{"Ví điện tử PayNhanh", "PayNhanh", "FINANCIAL_SERVICE", false, []string{"Ứng dụng ví điện tử", "Ví trả sau"}},
	{"Tài Chính Tiện Lợi", "Tiện Lợi", "FINANCIAL_SERVICE", false, []string{"Khoản vay tiêu dùng online", "Thẻ tín dụng hoàn tiền"}},
	{"Bảo hiểm An Tâm Life", "An Tâm Life", "FINANCIAL_SERVICE", false, []string{"Gói bảo hiểm sức khỏe", "Bảo hiểm liên kết đầu tư"}},
	{"CoinViet Exchange", "CoinViet", "CRYPTO", true, []string{"Sàn giao dịch tiền số", "Gói đầu tư coin"}},
	{"LuckyStar Token", "LuckyStar", "CRYPTO", true, []string{"Token", "Gói đào coin"}},
	{"Dược phẩm Phúc An", "Phúc An", "MEDICINE", false, []string{"Siro ho thảo dược", "Thuốc bổ gan", "Thuốc giảm đau"}},
	{"HealthMate Medical", "HealthMate", "MEDICAL_DEVICE", false, []string{"Máy đo huyết áp", "Máy massage cổ vai gáy", "Máy xông mũi họng"}},
	{"Bia Sóng Biển", "Sóng Biển", "ALCOHOL", false, []string{"Bia thủ công", "Bia lon"}},
	{"Vang Đồi Thông", "Đồi Thông", "ALCOHOL", false, []string{"Rượu vang đỏ", "Rượu vang trắng"}},
	{"CloudPuff Vape", "CloudPuff", "TOBACCO", true, []string{"Thuốc lá điện tử", "Tinh dầu pod"}},
	{"Win88 Sports", "Win88", "GAMBLING", true, []string{"Ứng dụng cá cược thể thao"}},
	{"Khu đô thị Bình Minh Riverside", "Bình Minh Riverside", "REAL_ESTATE", false, []string{"Căn hộ 2 phòng ngủ", "Nhà phố liền kề"}},
	{"Anh ngữ Sunrise", "Sunrise", "EDUCATION", false, []string{"Khóa học IELTS online", "Khóa tiếng Anh giao tiếp"}},
	{"Học viện Kỹ năng số Edumi", "Edumi", "EDUCATION", false, []string{"Khóa học lập trình", "Khóa học livestream bán hàng"}},
	{"Du lịch Cánh Diều", "Cánh Diều", "TRAVEL", false, []string{"Tour Phú Quốc 3N2Đ", "Combo vé máy bay và khách sạn"}},
	{"Resort Biển Ngọc Phú Quốc", "Biển Ngọc", "TRAVEL", false, []string{"Voucher nghỉ dưỡng", "Gói nghỉ dưỡng trăng mật"}},
}

// Product categories disclosures are about, with their base weight.
var productCategories = []weighted{
	{"COSMETICS", 24}, {"FOOD_SUPPLEMENT", 18}, {"FOOD", 15}, {"FASHION", 12}, {"ELECTRONICS", 9},
	{"FINANCIAL_SERVICE", 4}, {"TRAVEL", 4}, {"EDUCATION", 3}, {"MEDICINE", 2}, {"MEDICAL_DEVICE", 2},
	{"CRYPTO", 2}, {"ALCOHOL", 2}, {"REAL_ESTATE", 1.5}, {"GAMBLING", 0.5}, {"TOBACCO", 0.5},
}

// How much more an influencer of a content category promotes a product category than the base weight.
var categoryAffinity = map[string]map[string]float64{
	"BEAUTY":        {"COSMETICS": 4, "FOOD_SUPPLEMENT": 2},
	"FASHION":       {"FASHION": 4, "COSMETICS": 1.5},
	"FOOD":          {"FOOD": 4, "ALCOHOL": 2, "FOOD_SUPPLEMENT": 1.5},
	"TRAVEL":        {"TRAVEL": 6, "FOOD": 1.5},
	"TECH":          {"ELECTRONICS": 5, "CRYPTO": 1.5},
	"GAMING":        {"ELECTRONICS": 2, "GAMBLING": 4},
	"FINANCE":       {"FINANCIAL_SERVICE": 6, "CRYPTO": 4, "REAL_ESTATE": 3},
	"HEALTH":        {"FOOD_SUPPLEMENT": 4, "MEDICINE": 5, "MEDICAL_DEVICE": 5},
	"EDUCATION":     {"EDUCATION": 6},
	"LAW":           {"FINANCIAL_SERVICE": 2, "REAL_ESTATE": 2},
	"PARENTING":     {"FOOD_SUPPLEMENT": 3, "FOOD": 2},
	"ENTERTAINMENT": {"ALCOHOL": 1.5, "TOBACCO": 2},
	"LIFESTYLE":     {"FOOD": 1.3, "FASHION": 1.3, "COSMETICS": 1.3},
	"NEWS":          {"FINANCIAL_SERVICE": 1.5},
}

// How risky a disclosure looks to a regulator: the generator picks sanction subjects by it.
var categoryRisk = map[string]float64{
	"FOOD_SUPPLEMENT": 3, "MEDICINE": 3, "CRYPTO": 3, "GAMBLING": 4, "TOBACCO": 4, "COSMETICS": 2,
	"MEDICAL_DEVICE": 2, "FINANCIAL_SERVICE": 2,
}

// Disclosure labels: the weights before the Advertising Law amendment took effect (1 Jan 2026) and
// after, when unlabelled and ambiguous posts get rarer. Overall the mix is about 30% explicit
// Vietnamese labels, 20% platform label, 15% hashtag, 5% affiliate, 12% ambiguous, 18% none.
var (
	labelsBefore2026 = []weighted{{"QUANG_CAO", 12}, {"TAI_TRO", 8}, {"HOP_TAC_THUONG_MAI", 8},
		{"PLATFORM_PAID_PARTNERSHIP", 19}, {"HASHTAG_AD", 16}, {"AFFILIATE_NOTICE", 5}, {"AMBIGUOUS", 13}, {"NONE", 20}}
	labelsFrom2026 = []weighted{{"QUANG_CAO", 18}, {"TAI_TRO", 8}, {"HOP_TAC_THUONG_MAI", 9},
		{"PLATFORM_PAID_PARTNERSHIP", 23}, {"HASHTAG_AD", 13}, {"AFFILIATE_NOTICE", 6}, {"AMBIGUOUS", 10}, {"NONE", 13}}
)

// Label timings by label; NONE alone has NONE timing.
var labelTimings = map[string][]weighted{
	"QUANG_CAO":                 {{"BEFORE_AND_DURING", 50}, {"DURING_ONLY", 25}, {"CAPTION_ONLY", 25}},
	"TAI_TRO":                   {{"BEFORE_AND_DURING", 50}, {"DURING_ONLY", 25}, {"CAPTION_ONLY", 25}},
	"HOP_TAC_THUONG_MAI":        {{"BEFORE_AND_DURING", 50}, {"DURING_ONLY", 25}, {"CAPTION_ONLY", 25}},
	"PLATFORM_PAID_PARTNERSHIP": {{"BEFORE_AND_DURING", 60}, {"DURING_ONLY", 40}},
	"HASHTAG_AD":                {{"CAPTION_ONLY", 80}, {"DURING_ONLY", 20}},
	"AFFILIATE_NOTICE":          {{"CAPTION_ONLY", 70}, {"DURING_ONLY", 30}},
	"AMBIGUOUS":                 {{"CAPTION_ONLY", 85}, {"DURING_ONLY", 15}},
	"NONE":                      {{"NONE", 1}},
}

var compensations = []weighted{
	{"CASH_FEE", 42}, {"AFFILIATE_COMMISSION", 16}, {"FREE_PRODUCT", 12}, {"DISCOUNT_CODE", 8},
	{"GIFT_OR_TRAVEL", 3}, {"EQUITY_OR_CO_OWNER", 2}, {"UNDISCLOSED", 12},
}

var disclosureStatuses = []weighted{{"ACTIVE", 88}, {"AMENDED", 8}, {"RETRACTED", 4}}

var affiliationSources = []string{
	"Danh sách nhà sáng tạo do MCN báo cáo Bộ Văn hóa, Thể thao và Du lịch",
	"Hợp đồng quản lý công bố trên trang của MCN",
	"Thông cáo báo chí của MCN",
	"Hồ sơ kênh trên nền tảng (mục quản lý bởi)",
	"Biên bản làm việc với MCN",
}

// legalRef is the provision a violation category is cited under in the demo data. Articles and
// clauses beyond those docs/legal.md lists are plausible, not researched: this is synthetic data.
// Where the legal catalogue has a range (38/2021 Art. 34(5), 15/2020 Art. 101(1)) the fines lie
// inside it; an amending law (75/2025/QH15) is never the basis.
type legalRef struct {
	Instrument string
	Article    int
	Clause     int // 0: none
	Point      string
	// Fine range for an individual, whole VND; organisations pay double.
	MinFine, MaxFine int64
	Remedies         []string
	DescVI, DescEN   string // %s is the product
}

var violationRefs = map[string]legalRef{
	"MISLEADING_CLAIMS": {"38/2021/NĐ-CP", 34, 5, "", 60_000_000, 80_000_000, []string{"CORRECT_INFORMATION", "REMOVE_CONTENT"},
		"Quảng cáo %s gây nhầm lẫn về chất lượng, công dụng của sản phẩm.",
		"Advertised %s with misleading claims about its quality and uses."},
	"AD_NOT_MATCHING_DOSSIER": {"38/2021/NĐ-CP", 52, 0, "", 20_000_000, 40_000_000, []string{"REMOVE_CONTENT", "CORRECT_INFORMATION"},
		"Nội dung quảng cáo %s không đúng với hồ sơ công bố sản phẩm đã đăng ký.",
		"The advertisement for %s did not match the registered product dossier."},
	"HEALTH_PROFESSIONAL_IMAGE_MISUSE": {"38/2021/NĐ-CP", 52, 0, "", 20_000_000, 30_000_000, []string{"REMOVE_CONTENT"},
		"Sử dụng hình ảnh, trang phục nhân viên y tế để quảng cáo %s.",
		"Used the image and uniform of health professionals to advertise %s."},
	"BANNED_PRODUCT": {"38/2021/NĐ-CP", 34, 0, "", 50_000_000, 70_000_000, []string{"REMOVE_CONTENT", "PROFIT_DISGORGEMENT"},
		"Quảng cáo sản phẩm, dịch vụ bị cấm quảng cáo (%s).",
		"Advertised a product or service that may not be advertised (%s)."},
	"UNDISCLOSED_ADVERTISING": {"38/2021/NĐ-CP", 34, 0, "", 10_000_000, 20_000_000, []string{"CORRECT_INFORMATION"},
		"Không gắn nhãn quảng cáo khi giới thiệu %s, không phân biệt nội dung quảng cáo với nội dung thông thường.",
		"Promoted %s without labelling it as advertising."},
	"UNVERIFIED_ADVERTISER": {"38/2021/NĐ-CP", 34, 0, "", 10_000_000, 20_000_000, []string{"REMOVE_CONTENT"},
		"Không kiểm tra tư cách pháp lý của người quảng cáo trước khi nhận quảng cáo %s.",
		"Did not check the advertiser's legal status before promoting %s."},
	"PRODUCT_NOT_USED": {"38/2021/NĐ-CP", 34, 0, "", 10_000_000, 20_000_000, []string{"REMOVE_CONTENT", "PUBLIC_APOLOGY"},
		"Giới thiệu công dụng của %s khi chưa trực tiếp sử dụng sản phẩm.",
		"Vouched for %s without having used it."},
	"FALSE_INFORMATION": {"15/2020/NĐ-CP", 101, 1, "a", 10_000_000, 10_000_000, []string{"REMOVE_CONTENT"}, // an individual's maximum (5–10 m)
		"Cung cấp, chia sẻ thông tin sai sự thật trên mạng xã hội về %s.",
		"Shared false information on social networks about %s."},
	"TAX_NON_COMPLIANCE": {"125/2020/NĐ-CP", 16, 1, "", 0, 0, nil, // a wrong return: 20 % of the tax understated
		"Khai sai dẫn đến thiếu số thuế phải nộp đối với thu nhập từ quảng cáo, bán hàng trực tuyến (%s).",
		"Under-declared tax on income from advertising and online sales (%s)."},
}

// Status histories a sanction can have had, with weights; each step follows the previous after a delay.
var statusPaths = []struct {
	Steps []string
	W     float64
}{
	{[]string{"IN_FORCE"}, 20},
	{[]string{"IN_FORCE", "COMPLIED"}, 40},
	{[]string{"IN_FORCE", "UNDER_COMPLAINT"}, 7},
	{[]string{"IN_FORCE", "UNDER_COMPLAINT", "IN_FORCE"}, 5},
	{[]string{"IN_FORCE", "UNDER_COMPLAINT", "IN_FORCE", "COMPLIED"}, 6},
	{[]string{"IN_FORCE", "UNDER_COMPLAINT", "ANNULLED"}, 4},
	{[]string{"IN_FORCE", "UNDER_COMPLAINT", "IN_FORCE", "UNDER_LITIGATION"}, 5},
	{[]string{"IN_FORCE", "UNDER_LITIGATION"}, 3},
	{[]string{"IN_FORCE", "AMENDED"}, 4},
	{[]string{"IN_FORCE", "ANNULLED"}, 2},
	{[]string{"IN_FORCE", "WITHDRAWN_DATA_ERROR"}, 1},
}

// Why a sanction moved to a status; the second entry is for IN_FORCE after a complaint was decided.
var statusReasons = map[string]string{
	"IN_FORCE":                 "Quyết định xử phạt có hiệu lực thi hành.",
	"COMPLIED":                 "Đã nộp phạt và thực hiện biện pháp khắc phục hậu quả.",
	"UNDER_COMPLAINT":          "Đối tượng bị xử phạt khiếu nại quyết định.",
	"UNDER_LITIGATION":         "Đối tượng bị xử phạt khởi kiện quyết định tại Tòa án nhân dân.",
	"AMENDED":                  "Quyết định được sửa đổi, đính chính bằng quyết định khác.",
	"ANNULLED":                 "Quyết định bị hủy bỏ do chưa đủ căn cứ xác định vi phạm.",
	"WITHDRAWN_DATA_ERROR":     "Bản ghi nhập sai thông tin, rút lại.",
	"IN_FORCE_AFTER_COMPLAINT": "Giải quyết khiếu nại: giữ nguyên quyết định xử phạt.",
}
