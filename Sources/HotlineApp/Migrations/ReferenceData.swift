import HotlineCore

/// The default dictionaries a new centre starts with (R-ADM-1). Admins edit them through the
/// API; migrations only insert them once.
enum ReferenceData {
    /// A realistic 12345 subject tree: two-digit top level, two digits per level below.
    static let categories: [(code: String, name: String, nameEn: String)] = [
        ("01", "城乡建设", "Urban and rural construction"),
        ("0101", "市政设施", "Municipal facilities"), ("010101", "路灯", "Street lights"), ("010102", "道路桥梁", "Roads and bridges"),
        ("010103", "井盖", "Manhole covers"), ("010104", "排水管网", "Drainage"),
        ("0102", "供水", "Water supply"), ("010201", "停水", "Water outage"), ("010202", "水质", "Water quality"), ("010203", "水费", "Water bills"),
        ("0103", "供电", "Power supply"), ("010301", "停电", "Power outage"), ("010302", "电费", "Power bills"),
        ("0104", "供气供热", "Gas and heating"), ("010401", "燃气", "Gas"), ("010402", "供暖", "Heating"),
        ("0105", "物业管理", "Property management"), ("010501", "物业服务", "Property services"), ("010502", "电梯", "Lifts"),
        ("010503", "维修资金", "Maintenance fund"),
        ("0106", "房屋管理", "Housing"), ("010601", "违法建设", "Illegal construction"), ("010602", "房屋安全", "Building safety"),
        ("010603", "老旧小区改造", "Old neighbourhood renewal"),
        ("02", "城市管理", "City management"),
        ("0201", "市容环境", "City appearance"), ("020101", "占道经营", "Street vending"), ("020102", "垃圾清运", "Garbage collection"),
        ("020103", "垃圾分类", "Waste sorting"),
        ("0202", "园林绿化", "Parks and greening"), ("020201", "树木修剪", "Tree trimming"),
        ("0203", "停车管理", "Parking"), ("0204", "广告招牌", "Billboards and signs"),
        ("03", "交通运输", "Transport"),
        ("0301", "公共交通", "Public transport"), ("030101", "公交线路", "Bus routes"), ("030102", "地铁", "Metro"),
        ("0302", "出租车网约车", "Taxis and ride-hailing"),
        ("0303", "道路交通", "Road traffic"), ("030301", "交通信号", "Traffic signals"), ("030302", "交通拥堵", "Congestion"),
        ("0304", "共享单车", "Shared bicycles"),
        ("04", "生态环境", "Environment"),
        ("0401", "噪声污染", "Noise"), ("040101", "施工噪声", "Construction noise"), ("040102", "社会生活噪声", "Neighbourhood noise"),
        ("0402", "大气污染", "Air pollution"), ("0403", "水污染", "Water pollution"), ("0404", "餐饮油烟", "Cooking fumes"),
        ("05", "市场监管", "Market regulation"),
        ("0501", "食品安全", "Food safety"), ("0502", "消费维权", "Consumer rights"), ("0503", "价格监管", "Prices"), ("0504", "预付卡", "Prepaid cards"),
        ("06", "劳动和社会保障", "Labour and social security"),
        ("0601", "劳动关系", "Labour relations"), ("060101", "拖欠工资", "Unpaid wages"),
        ("0602", "社会保险", "Social insurance"), ("060201", "养老保险", "Pensions"), ("060202", "医疗保险", "Medical insurance"),
        ("0603", "就业创业", "Employment"),
        ("07", "教育", "Education"),
        ("0701", "入学招生", "School admissions"), ("0702", "校外培训", "Private tutoring"), ("0703", "校园安全", "School safety"),
        ("08", "卫生健康", "Health"),
        ("0801", "医疗服务", "Medical services"), ("0802", "疾病防控", "Disease control"), ("0803", "药品管理", "Medicines"),
        ("09", "公共安全", "Public safety"),
        ("0901", "消防安全", "Fire safety"), ("0902", "安全生产", "Work safety"), ("0903", "社会治安", "Public order"),
        ("10", "民政", "Civil affairs"),
        ("1001", "养老服务", "Elderly care"), ("1002", "社会救助", "Social assistance"), ("1003", "婚姻登记", "Marriage registration"),
        ("1004", "殡葬管理", "Funerals"),
        ("11", "政务服务", "Government services"),
        ("1101", "办事指南", "Service guides"), ("1102", "证照办理", "Licences and permits"), ("1103", "户籍管理", "Household registration"),
        ("1104", "不动产登记", "Property registration"), ("1105", "工作作风", "Conduct of officials"),
        ("12", "农业农村", "Agriculture and rural affairs"),
        ("1201", "农村基础设施", "Rural infrastructure"), ("1202", "土地承包", "Land contracts"),
        ("13", "经济发展", "Economy"),
        ("1301", "营商环境", "Business environment"), ("1302", "企业诉求", "Company requests"),
        ("99", "其他", "Other"),
    ]

    /// R-IN-1 不予受理 reasons (seeds/001 三(二)).
    static let declineReasons: [(String, String, String)] = [
        ("noSubstance", "无实质性内容或事实不清、无法核实", "No substance, or facts unclear and unverifiable"),
        ("otherOrgan", "涉及党委、人大、政协、纪委监委、法院、检察院、军队职能", "Party, congress, CPPCC, discipline, courts, procuratorate or military matters"),
        ("secrets", "涉及国家秘密、工作秘密、商业秘密或个人隐私", "State, work or business secrets, or private matters"),
        ("legalProcedure", "已通过或应当通过诉讼、仲裁、行政复议或信访解决", "In or for litigation, arbitration, reconsideration or petition procedures"),
        ("emergency", "属110、119、120等紧急救助系统受理", "Emergencies for 110/119/120"),
        ("personal", "纯属个人问题, 与政府职责无关", "Purely personal, unrelated to government"),
        ("other", "其他不予受理事项", "Other"),
    ]

    /// R-IN-1 引导 targets.
    static let guideTargets: [(String, String, String)] = [
        ("110", "110 报警服务台", "Police 110"), ("119", "119 消防", "Fire 119"), ("120", "120 急救", "Ambulance 120"),
        ("122", "122 交通事故", "Traffic accidents 122"), ("12315", "12315 消费者投诉", "Consumer complaints 12315"),
        ("petition", "信访部门", "Petition office"), ("court", "人民法院", "People's court"), ("other", "其他渠道", "Other channel"),
    ]

    static let unitKinds: [(String, String, String)] = [
        ("platform", "热线平台", "Hotline platform"), ("district", "区县政府", "District government"),
        ("department", "市直部门", "City department"), ("enterprise", "公共服务企业", "Public-service enterprise"),
        ("street", "街道乡镇", "Street or town"), ("station", "所站队", "Station"), ("office", "科室", "Office"),
    ]

    static let englishRequestTypes: [RequestType: String] = [
        .consultation: "Consultation", .help: "Help", .suggestion: "Suggestion", .complaint: "Complaint", .report: "Report", .praise: "Praise",
    ]
}
