import Foundation
import HotlineCore

/// Words the synthetic city is made of ([scale]): the city's departments and public-service
/// companies, and request topics written the way 12345 agents record them. Street offices come
/// from `Resources/synthetic/beijing-streets.csv` (NBS 2023 statistical division codes, WTFPL).
/// Nothing is fetched at run time.
enum SyntheticVocabulary {
    /// Level-2 departments and enterprises: code, name, kind, level-3 offices under it.
    static let departments: [(code: String, name: String, kind: String, offices: [String])] = [
        ("fgw", "市发展和改革委员会", "department", ["价格监督检查处"]), ("jw", "市教育委员会", "department", ["基础教育处", "校外教育培训监管处"]),
        ("kw", "市科学技术委员会", "department", []), ("jxj", "市经济和信息化局", "department", ["无线电管理处"]),
        ("mzw", "市民族宗教事务委员会", "department", []), ("gaj", "市公安局", "department", ["人口管理总队", "治安管理总队", "交通管理局"]),
        ("mzj", "市民政局", "department", ["养老服务处", "社会救助处", "婚姻登记处"]), ("sfj", "市司法局", "department", ["法律援助中心"]),
        ("czj", "市财政局", "department", []), ("rsj", "市人力资源和社会保障局", "department", ["劳动保障监察总队", "社会保险基金管理中心"]),
        ("ghzrzyw", "市规划和自然资源委员会", "department", ["不动产登记中心"]), ("sthjj", "市生态环境局", "department", ["生态环境执法总队"]),
        ("zjw", "市住房和城乡建设委员会", "department", ["物业管理处", "房屋安全处", "建设工程安全质量监督总站"]),
        ("cgw", "市城市管理委员会", "department", ["环境卫生管理处", "市政市容管理处", "供热管理处"]),
        ("jtw", "市交通委员会", "department", ["公交运营管理处", "出租汽车管理处", "停车管理中心"]), ("swj", "市水务局", "department", ["排水管理处"]),
        ("nyncj", "市农业农村局", "department", []), ("swuj", "市商务局", "department", ["预付卡管理处"]),
        ("whlyj", "市文化和旅游局", "department", ["旅游市场监管处"]), ("wjw", "市卫生健康委员会", "department", ["医政医管处", "疾病预防控制中心"]),
        ("tyjrswj", "市退役军人事务局", "department", []), ("yjglj", "市应急管理局", "department", []),
        ("scjgj", "市市场监督管理局", "department", ["食品安全监督管理处", "消费者权益保护处", "价格监督处"]),
        ("gzw", "市人民政府国有资产监督管理委员会", "department", []), ("tjj", "市统计局", "department", []),
        ("ylbzj", "市医疗保障局", "department", ["医保中心"]), ("yllhj", "市园林绿化局", "department", []),
        ("rfb", "市人民防空办公室", "department", []), ("xfj", "市信访办", "department", []), ("zwfwj", "市政务服务和数据管理局", "department", ["政务服务中心"]),
        ("wwj", "市文物局", "department", []), ("tyj", "市体育局", "department", []), ("gbdsj", "市广播电视局", "department", []),
        ("xfjy", "市消防救援总队", "department", ["防火监督处"]), ("sw", "市税务局", "department", ["纳税服务处"]), ("yjj", "市药品监督管理局", "department", []),
        ("cgzf", "市城市管理综合行政执法局", "department", ["执法总队"]), ("zgh", "市总工会", "department", []), ("fl", "市妇联", "department", []),
        ("cl", "市残联", "department", []), ("gjj", "市住房公积金管理中心", "department", ["归集管理处"]), ("dzj", "市地震局", "department", []),
        ("qxj", "市气象局", "department", []), ("yzglj", "市邮政管理局", "department", []), ("txglj", "市通信管理局", "department", []),
        ("jrj", "市地方金融管理局", "department", []), ("zscqj", "市知识产权局", "department", []), ("lsj", "市粮食和物资储备局", "department", []),
        ("jgj", "市机关事务管理局", "department", []), ("dag", "市档案馆", "department", []), ("gyj", "市公园管理中心", "department", []),
        ("hbj", "市红十字会", "department", []), ("kxh", "市科学技术协会", "department", []), ("qlj", "市侨务办公室", "department", []),
        ("ybj", "市医保基金监管所", "department", []), ("crj", "市出入境管理总队", "department", []), ("jjzd", "市交通执法总队", "department", []),
        ("jgw", "市机构编制委员会办公室", "department", []), ("xzw", "市乡村振兴局", "department", []), ("gxj", "市供销合作总社", "department", []),
        ("lyj", "市林业保护站", "department", []), ("hyj", "市海关", "department", []),
        ("water", "市自来水集团", "enterprise", ["城区供水分公司", "郊区供水分公司"]), ("power", "国网市电力公司", "enterprise", ["城区供电公司", "郊区供电公司"]),
        ("gas", "市燃气集团", "enterprise", ["客户服务中心"]), ("heat", "市热力集团", "enterprise", ["城区热力分公司"]),
        ("drainage", "市排水集团", "enterprise", []), ("bus", "市公共交通集团", "enterprise", ["客运一分公司", "客运二分公司"]),
        ("metro", "市地铁运营公司", "enterprise", []), ("mobile", "中国移动市分公司", "enterprise", []), ("unicom", "中国联通市分公司", "enterprise", []),
        ("telecom", "中国电信市分公司", "enterprise", []), ("post", "中国邮政市分公司", "enterprise", []), ("sanitation", "市环境卫生集团", "enterprise", []),
        ("highway", "市首发高速公路公司", "enterprise", []), ("parking", "市静态交通投资公司", "enterprise", []), ("bike", "共享单车运营企业联络组", "enterprise", []),
        ("cable", "市歌华有线公司", "enterprise", []),
    ]

    /// Who handles a topic: the district of the place (often passed on to its street office), or
    /// a department or company by code.
    enum Handler { case local, department(String) }

    struct Topic {
        var category: String
        var type: RequestType
        var handler: Handler
        var titles: [String]
        var problems: [String]
        var courses: [String]
        var outcomes: [String]
        /// How often it comes in, relative to the others.
        var weight: Int
    }

    static let topics: [Topic] = [
        .init(category: "010101", type: .complaint, handler: .local, titles: ["路灯不亮", "小区门口路灯不亮", "路灯损坏无人维修", "路灯夜间不亮影响出行"],
              problems: ["路段多盏路灯连续多日不亮, 夜间漆黑一片", "路灯杆倾斜且灯罩破损, 晚上路灯不亮", "整条路的路灯时亮时不亮, 老人孩子夜间出行不安全"],
              courses: ["已向物业反映两次, 物业称不归其管理", "一周前曾拨打热线反映, 至今未修复", "附近居民多次反映无果"], outcomes: ["尽快修复路灯", "希望相关部门尽快维修并定期巡查"], weight: 30),
        .init(category: "040101", type: .complaint, handler: .local, titles: ["工地夜间施工噪音扰民", "夜间施工噪声大", "工地违规夜间施工"],
              problems: ["附近工地每晚22点后仍在施工, 噪音扰民严重", "工地凌晨使用大型机械作业, 噪声很大无法入睡", "渣土车夜间进出工地, 噪音扰民"],
              courses: ["连续一周夜间施工, 影响休息", "曾到工地交涉, 对方称有夜间施工许可但未出示", "家中有高考学生, 严重影响学习"], outcomes: ["依法查处夜间违规施工", "核实是否办理夜间施工许可, 停止扰民"], weight: 40),
        .init(category: "040102", type: .complaint, handler: .local, titles: ["广场舞噪音扰民", "楼下商铺噪音扰民", "邻居装修噪音扰民"],
              problems: ["小区广场每晚有人跳广场舞, 音响音量过大, 噪音扰民", "楼下商铺用大喇叭循环播放广告, 噪音扰民", "邻居周末早上7点开始装修, 电钻噪音很大"],
              courses: ["与对方沟通无效", "物业出面劝说后仍然继续", "已持续一个多月"], outcomes: ["协调降低音量, 规定活动时间", "制止噪音扰民行为"], weight: 25),
        .init(category: "020102", type: .complaint, handler: .local, titles: ["垃圾清运不及时", "小区垃圾堆放无人清理", "垃圾桶满溢"],
              problems: ["小区垃圾桶满溢多日无人清运, 气味难闻", "路边堆放大量建筑垃圾和生活垃圾", "垃圾站周边污水横流, 招引蚊蝇"],
              courses: ["夏季天热, 异味严重", "已向社区反映, 未见处理", "多次拍照反映给物业"], outcomes: ["及时清运垃圾", "清理垃圾并加强日常管理"], weight: 20),
        .init(category: "020101", type: .report, handler: .local, titles: ["占道经营影响通行", "商贩占道摆摊", "早市占道经营"],
              problems: ["路口早晚有多个摊贩占用人行道经营", "地铁站出口周边流动商贩聚集, 堵塞通道", "商户将货物摆放到门前人行道上"],
              courses: ["行人被迫走机动车道, 存在安全隐患", "城管来时离开, 走后又回来", "已持续数月"], outcomes: ["清理占道摊贩", "加强巡查, 长效管理"], weight: 15),
        .init(category: "010201", type: .help, handler: .department("water"), titles: ["突然停水无通知", "小区停水", "停水时间过长"],
              problems: ["家中自今晨起停水, 未见任何停水通知", "整栋楼停水超过12小时, 生活受到严重影响", "小区频繁停水, 每次持续数小时"],
              courses: ["拨打物业电话无人接听", "询问物业称是管线维修, 不知何时恢复", "家中有老人和婴儿, 急需用水"], outcomes: ["尽快恢复供水并说明原因", "提前公告停水信息"], weight: 12),
        .init(category: "010202", type: .complaint, handler: .department("water"), titles: ["自来水发黄", "水质浑浊有异味"],
              problems: ["家中自来水发黄, 放水很久仍不清澈", "自来水有明显异味, 不敢饮用"], courses: ["楼内多户都有此情况", "已持续三天"], outcomes: ["检测水质并查明原因"], weight: 5),
        .init(category: "010301", type: .help, handler: .department("power"), titles: ["小区频繁停电", "突然停电", "电压不稳"],
              problems: ["本周小区已停电三次, 每次数小时", "夜间突然停电, 至今未恢复", "家中电压不稳, 电器频繁跳闸"], courses: ["未见停电通知", "拨打供电服务电话一直占线"], outcomes: ["查明原因并尽快恢复供电"], weight: 8),
        .init(category: "010402", type: .help, handler: .department("heat"), titles: ["暖气不热室温过低", "供暖温度不达标", "暖气漏水"],
              problems: ["供暖开始后家中暖气不热, 室温仅14度", "暖气片上热下凉, 室温达不到18度", "暖气管道漏水, 已泡坏地板"], courses: ["已报修热力公司, 尚未上门", "热力公司上门放气后仍不热", "家中有老人, 已感冒"], outcomes: ["尽快上门检修, 保证室温达标", "退还部分供暖费"], weight: 18),
        .init(category: "010401", type: .help, handler: .department("gas"), titles: ["燃气表故障", "燃气开通申请无人处理"],
              problems: ["燃气表显示异常, 无法充值", "新房申请开通燃气半个月无人上门"], courses: ["多次拨打燃气客服"], outcomes: ["尽快处理"], weight: 4),
        .init(category: "010501", type: .complaint, handler: .local, titles: ["物业不作为", "物业服务差", "物业乱收费"],
              problems: ["小区电梯频繁故障, 物业维修不及时", "物业不打扫楼道, 绿地无人养护", "物业强制收取停车管理费, 无收费依据"], courses: ["多次报修, 物业推诿", "业主委员会协商未果"], outcomes: ["督促物业履行维修责任", "规范物业收费"], weight: 18),
        .init(category: "010502", type: .help, handler: .local, titles: ["电梯故障困人", "电梯频繁停运"],
              problems: ["单元电梯频繁停运, 高层老人无法下楼", "电梯运行中异响, 多次困人"], courses: ["物业称需要动用维修资金"], outcomes: ["尽快维修电梯, 保障安全"], weight: 8),
        .init(category: "010601", type: .report, handler: .local, titles: ["楼顶违法建设", "小区内私搭乱建", "一层住户违建"],
              problems: ["顶层住户在楼顶私自搭建房屋", "一层住户在公共绿地上扩建院墙", "有人在小区内私搭乱建彩钢房"], courses: ["物业制止无效", "施工仍在进行"], outcomes: ["依法拆除违法建设"], weight: 10),
        .init(category: "010102", type: .complaint, handler: .local, titles: ["道路坑洼不平", "路面塌陷", "人行道砖破损"],
              problems: ["道路多处坑洼积水, 车辆通行困难", "路面出现塌陷, 存在安全隐患", "人行道砖松动破损, 下雨溅水"], courses: ["已有行人摔倒"], outcomes: ["尽快修复路面"], weight: 10),
        .init(category: "010103", type: .report, handler: .local, titles: ["井盖缺失", "井盖破损"],
              problems: ["路边井盖缺失, 夜间极易发生危险", "井盖破损下陷, 车辆经过声响很大"], courses: ["现场已有人放置树枝提醒"], outcomes: ["立即补装井盖"], weight: 5),
        .init(category: "010104", type: .help, handler: .department("drainage"), titles: ["下水道堵塞", "雨后积水严重"],
              problems: ["小区下水道堵塞, 污水外溢", "每逢下雨路口积水严重, 无法通行"], courses: ["物业疏通后很快又堵"], outcomes: ["彻底疏通, 改造排水管网"], weight: 6),
        .init(category: "0203", type: .complaint, handler: .local, titles: ["车辆乱停乱放", "停车收费不合理", "消防通道被占用"],
              problems: ["小区内车辆乱停, 占用消防通道", "路边停车收费员不出具票据", "车辆长期停放在人行道上"], courses: ["物业管理不力"], outcomes: ["规范停车秩序"], weight: 12),
        .init(category: "020201", type: .help, handler: .local, titles: ["树木遮挡采光", "树枝刮碰电线", "树木修剪"],
              problems: ["楼前树木过高, 遮挡低层住户采光", "树枝刮碰电线, 存在安全隐患"], courses: ["多次向社区反映"], outcomes: ["修剪树木"], weight: 6),
        .init(category: "030101", type: .suggestion, handler: .department("bus"), titles: ["建议增设公交线路", "建议调整公交站位置", "公交车间隔时间长"],
              problems: ["新建小区周边没有公交站点", "公交站距离路口过远, 换乘不便", "早高峰公交车间隔超过20分钟"], courses: ["居民出行需步行2公里到地铁站"], outcomes: ["建议增设社区公交接驳线", "缩短发车间隔"], weight: 8),
        .init(category: "030102", type: .suggestion, handler: .department("metro"), titles: ["地铁站增设出入口", "地铁早高峰拥挤"],
              problems: ["地铁站只有一个出入口, 早高峰排队进站", "地铁扶梯经常停运"], courses: ["多次向车站反映"], outcomes: ["建议增设出入口"], weight: 4),
        .init(category: "0302", type: .complaint, handler: .department("jtw"), titles: ["出租车拒载", "网约车乱收费"],
              problems: ["出租车司机拒载短途乘客", "网约车绕路多收费"], courses: ["已保留行程记录"], outcomes: ["查处并退还多收费用"], weight: 5),
        .init(category: "030301", type: .suggestion, handler: .department("gaj"), titles: ["红绿灯时间不合理", "路口信号灯故障"],
              problems: ["路口红绿灯时间过短, 老人过不去马路", "路口信号灯故障一直黄闪"], courses: ["高峰期拥堵严重"], outcomes: ["调整信号灯配时"], weight: 5),
        .init(category: "0304", type: .complaint, handler: .department("bike"), titles: ["共享单车乱停放", "共享单车堆积"],
              problems: ["地铁口共享单车大量堆积, 堵塞人行道", "小区门口共享单车乱停放"], courses: ["影响出行"], outcomes: ["清理单车"], weight: 5),
        .init(category: "0404", type: .complaint, handler: .local, titles: ["餐饮油烟扰民", "烧烤油烟扰民"],
              problems: ["楼下餐馆油烟直排, 影响楼上住户", "露天烧烤油烟很大, 噪音扰民"], courses: ["向店家反映无效"], outcomes: ["督促安装油烟净化设施"], weight: 8),
        .init(category: "0402", type: .report, handler: .department("sthjj"), titles: ["工厂排放异味", "焚烧垃圾冒黑烟"],
              problems: ["附近工厂夜间排放刺鼻气味", "有人露天焚烧垃圾, 黑烟很大"], courses: ["已持续多日"], outcomes: ["查处违法排放"], weight: 5),
        .init(category: "0501", type: .complaint, handler: .department("scjgj"), titles: ["餐馆卫生状况差", "超市出售过期食品", "外卖食品有异物"],
              problems: ["某餐馆后厨卫生差, 就餐后出现腹泻", "超市出售过期食品", "外卖食品中吃出异物"], courses: ["与店家协商未果", "已保留购物小票"], outcomes: ["查处并赔偿"], weight: 10),
        .init(category: "0502", type: .complaint, handler: .department("scjgj"), titles: ["商家拒绝退货", "购买商品质量问题"],
              problems: ["网购商品有质量问题, 商家拒绝退货", "购买的家电出现故障, 商家推诿"], courses: ["多次联系商家无果"], outcomes: ["协调退货退款"], weight: 8),
        .init(category: "0504", type: .complaint, handler: .department("swuj"), titles: ["健身房关门无法退费", "预付卡商家跑路"],
              problems: ["办理的健身卡商家突然关门, 无法退费", "美发店预付卡余额无法使用, 店铺关闭"], courses: ["还有数千元余额未消费"], outcomes: ["协调退还预付款"], weight: 8),
        .init(category: "060101", type: .help, handler: .department("rsj"), titles: ["公司拖欠工资", "拖欠农民工工资", "离职后不发工资"],
              problems: ["所在公司拖欠员工三个月工资未发", "工地拖欠农民工工资", "离职后公司拒绝结算工资"], courses: ["多次找公司协商未果", "公司负责人联系不上"], outcomes: ["帮助追讨欠薪"], weight: 12),
        .init(category: "060201", type: .consultation, handler: .department("rsj"), titles: ["咨询养老保险转移", "咨询退休手续"],
              problems: ["咨询外地养老保险如何转移到本市", "咨询办理退休需要的材料"], courses: ["网上未查询到明确说明"], outcomes: ["告知办理流程"], weight: 10),
        .init(category: "060202", type: .consultation, handler: .department("ylbzj"), titles: ["咨询医保报销", "医保卡无法使用"],
              problems: ["咨询异地就医医保报销比例", "医保卡在药店无法结算"], courses: ["医院和药店说法不一"], outcomes: ["告知政策"], weight: 10),
        .init(category: "0701", type: .consultation, handler: .department("jw"), titles: ["咨询入学政策", "咨询幼儿园入园"],
              problems: ["咨询非本市户籍子女入学需要的材料", "咨询公办幼儿园报名时间"], courses: ["学校说法不明确"], outcomes: ["告知政策"], weight: 8),
        .init(category: "0702", type: .complaint, handler: .department("jw"), titles: ["校外培训机构不退费"],
              problems: ["校外培训机构停课后拒绝退还剩余课时费"], courses: ["多次协商无果"], outcomes: ["协调退费"], weight: 4),
        .init(category: "0801", type: .complaint, handler: .department("wjw"), titles: ["医院服务态度差", "医院挂号难"],
              problems: ["医院工作人员服务态度差", "医院号源紧张, 挂不上号"], courses: ["已向医院投诉未回复"], outcomes: ["改进服务"], weight: 6),
        .init(category: "0901", type: .report, handler: .local, titles: ["楼道堆放杂物", "电动车楼道充电"],
              problems: ["楼道内堆放大量杂物, 堵塞消防通道", "有住户在楼道内给电动车充电"], courses: ["存在火灾隐患"], outcomes: ["清理杂物, 消除隐患"], weight: 8),
        .init(category: "1001", type: .consultation, handler: .department("mzj"), titles: ["咨询养老补贴", "咨询养老驿站服务"],
              problems: ["咨询80岁以上老人高龄津贴如何申领", "咨询社区养老驿站助餐服务"], courses: ["社区工作人员说法不一"], outcomes: ["告知申领流程"], weight: 8),
        .init(category: "1101", type: .consultation, handler: .department("zwfwj"), titles: ["咨询居住证办理", "咨询营业执照办理", "咨询办事地点"],
              problems: ["咨询外地户籍人员办理居住证需要的材料", "咨询个体工商户营业执照网上办理流程", "咨询政务服务中心办公时间和地点"], courses: ["在网上查询未找到明确说明"], outcomes: ["告知办理材料和地点"], weight: 20),
        .init(category: "1103", type: .consultation, handler: .department("gaj"), titles: ["咨询户口迁移", "咨询身份证补办"],
              problems: ["咨询子女户口随迁需要的材料", "咨询身份证丢失后如何补办"], courses: ["派出所电话无人接听"], outcomes: ["告知办理流程"], weight: 8),
        .init(category: "1104", type: .help, handler: .department("ghzrzyw"), titles: ["房产证办理困难", "不动产登记进度慢"],
              problems: ["购房多年仍未办理房产证", "不动产登记申请提交后长时间没有进展"], courses: ["开发商称正在办理"], outcomes: ["督促尽快办理"], weight: 6),
        .init(category: "1105", type: .praise, handler: .local, titles: ["表扬街道工作人员", "表扬社区工作者"],
              problems: ["街道工作人员热心帮助办理老人补贴", "社区工作者冒雨帮助疏通积水"], courses: ["主动上门服务"], outcomes: ["希望给予表扬"], weight: 4),
        .init(category: "1301", type: .help, handler: .department("swuj"), titles: ["企业诉求", "企业办事难"],
              problems: ["企业办理经营许可需要多个部门盖章, 耗时很长", "企业申请补贴资金迟迟未到账"], courses: ["已多次提交材料"], outcomes: ["帮助协调解决"], weight: 4),
        .init(category: "99", type: .suggestion, handler: .local, titles: ["建议增设健身设施", "建议增设便民菜站"],
              problems: ["小区周边缺少健身设施", "周边没有菜市场, 买菜不方便"], courses: ["居民需求强烈"], outcomes: ["建议尽快增设"], weight: 4),
    ]

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
    static let given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "玉兰", "立新", "子轩", "欣怡", "浩然", "雨涵", "宇航", "思琪"]
    static let roads = ["路", "大街", "胡同", "东路", "西路", "南路", "北路", "中路", "里", "巷"]
    static let roadRoots = ["建国", "朝阳", "中关村", "学院", "东四", "长安", "望京", "酒仙桥", "三里屯", "新街口", "安定门", "鼓楼", "西直门", "阜成", "复兴", "广渠", "劲松", "双井", "团结湖", "北苑", "回龙观", "天通苑", "亦庄", "黄村", "良乡", "长阳", "梨园", "马驹桥", "石门", "仁和", "龙山", "新城", "府前", "滨河", "光明", "和平", "幸福", "育才", "振兴", "文化"]
    static let estates = ["小区", "家园", "花园", "公寓", "新村", "嘉园", "苑", "社区"]
    static let estateRoots = ["阳光", "金色", "绿地", "华润", "万科", "远洋", "富力", "首开", "和谐", "美丽", "康乐", "枫林", "翠微", "丽景", "锦绣", "幸福", "碧水", "怡然", "永安", "长青"]
    static let times = ["今天上午", "今天下午", "昨天晚上", "近一周", "近期", "本月以来", "上周末", "每天夜间", "最近三天", "今晨"]
    static let feedbacks = [
        "经现场核实, 问题属实, 已协调相关单位处理完毕, 并已向市民说明情况。",
        "接诉后工作人员当日到现场查看, 已督促责任方整改, 市民表示认可。",
        "已联系市民了解诉求, 对相关政策进行了解释说明, 市民表示理解。",
        "经核查, 该问题已纳入年度改造计划, 预计下月完成, 已向市民反馈。",
        "已责令相关单位限期整改, 并将持续跟踪督办。",
    ]
}
