import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The demo city: units on three levels, an account for every role (password `demo1234`,
/// listed in docs/demo.md), and a few hundred orders in every state of the lifecycle, made by
/// running the real rules at back-dated times, so every timeline is one the system could write.
enum DemoCity {
    static let password = "demo1234"

    struct UnitSpec {
        var code: String, name: String, kind: String, division: String?, children: [(String, String, String)]
    }

    static let level2: [UnitSpec] = [
        .init(code: "chaoyang", name: "朝阳区人民政府", kind: "district", division: "110105", children: [
            ("jianwai", "建外街道办事处", "street"), ("hujialou", "呼家楼街道办事处", "street"), ("wangjing", "望京街道办事处", "street"),
            ("jiuxianqiao", "酒仙桥街道办事处", "street"), ("sanlitun", "三里屯街道办事处", "street"),
        ]),
        .init(code: "haidian", name: "海淀区人民政府", kind: "district", division: "110108", children: [
            ("zhongguancun", "中关村街道办事处", "street"), ("xueyuanlu", "学院路街道办事处", "street"), ("haidianjd", "海淀街道办事处", "street"),
            ("qinghe", "清河街道办事处", "street"), ("wenquan", "温泉镇人民政府", "street"),
        ]),
        .init(code: "dongcheng", name: "东城区人民政府", kind: "district", division: "110101", children: [
            ("donghuamen", "东华门街道办事处", "street"), ("jingshan", "景山街道办事处", "street"), ("andingmen", "安定门街道办事处", "street"),
        ]),
        .init(code: "xicheng", name: "西城区人民政府", kind: "district", division: "110102", children: [
            ("xichangan", "西长安街街道办事处", "street"), ("xinjiekou", "新街口街道办事处", "street"), ("financialst", "金融街街道办事处", "street"),
        ]),
        .init(code: "zjw", name: "市住房和城乡建设委员会", kind: "department", division: nil, children: [("zjw-wy", "物业管理处", "office")]),
        .init(code: "cgw", name: "市城市管理委员会", kind: "department", division: nil, children: [("cgw-hw", "环境卫生管理处", "office")]),
        .init(code: "jtw", name: "市交通委员会", kind: "department", division: nil, children: [("jtw-gj", "公交运营管理处", "office")]),
        .init(code: "sthjj", name: "市生态环境局", kind: "department", division: nil, children: []),
        .init(code: "scjgj", name: "市市场监督管理局", kind: "department", division: nil, children: []),
        .init(code: "rsj", name: "市人力资源和社会保障局", kind: "department", division: nil, children: []),
        .init(code: "water", name: "市自来水集团", kind: "enterprise", division: nil, children: [("water-cy", "朝阳供水营业所", "station")]),
        .init(code: "power", name: "市供电公司", kind: "enterprise", division: nil, children: [("power-hd", "海淀供电中心", "station")]),
        .init(code: "gas", name: "市燃气集团", kind: "enterprise", division: nil, children: []),
        .init(code: "heat", name: "市热力集团", kind: "enterprise", division: nil, children: []),
    ]

    /// Request templates: category, type, the unit that handles it, and the words of it.
    struct Template {
        var category: String, type: RequestType, unit: String, title: String, matter: String, course: String, outcome: String, people: String
    }

    static let templates: [Template] = [
        .init(category: "010101", type: .complaint, unit: "chaoyang", title: "小区门口路灯不亮", matter: "小区南门外路灯连续多日不亮, 夜间出行不便", course: "已向物业反映两次, 物业称不归其管理", outcome: "尽快修复路灯", people: "来电人及小区居民"),
        .init(category: "010201", type: .help, unit: "water", title: "突然停水无通知", matter: "家中自今晨起停水, 未见任何停水通知", course: "拨打物业电话无人接听", outcome: "尽快恢复供水并说明原因", people: "来电人一家"),
        .init(category: "040101", type: .complaint, unit: "haidian", title: "工地夜间施工噪声扰民", matter: "附近工地每晚22点后仍在施工, 噪声很大", course: "连续一周夜间施工, 影响休息", outcome: "依法查处夜间违规施工", people: "周边居民"),
        .init(category: "020101", type: .report, unit: "dongcheng", title: "占道经营影响通行", matter: "路口早晚有多个摊贩占用人行道经营", course: "行人被迫走机动车道, 存在安全隐患", outcome: "清理占道摊贩", people: "来电人"),
        .init(category: "010402", type: .help, unit: "heat", title: "暖气不热室温过低", matter: "供暖开始后家中暖气不热, 室温仅14度", course: "已报修热力公司, 尚未上门", outcome: "尽快上门检修, 保证室温达标", people: "来电人及老人"),
        .init(category: "060101", type: .help, unit: "rsj", title: "公司拖欠三个月工资", matter: "所在公司拖欠员工三个月工资未发", course: "多次找公司协商未果", outcome: "帮助追讨欠薪", people: "来电人及20余名同事"),
        .init(category: "030101", type: .suggestion, unit: "jtw", title: "建议增设公交线路", matter: "新建小区周边没有公交站点", course: "居民出行需步行2公里到地铁站", outcome: "建议增设社区公交接驳线", people: "小区居民"),
        .init(category: "0501", type: .complaint, unit: "scjgj", title: "餐馆卫生状况差", matter: "某餐馆后厨卫生差, 就餐后出现腹泻", course: "与店家协商未果", outcome: "查处并赔偿", people: "来电人及家人"),
        .init(category: "010501", type: .complaint, unit: "zjw", title: "物业不作为", matter: "小区电梯频繁故障, 物业维修不及时", course: "多次报修, 物业推诿", outcome: "督促物业履行维修责任", people: "小区业主"),
        .init(category: "1101", type: .consultation, unit: "chaoyang", title: "咨询居住证办理", matter: "咨询外地户籍人员办理居住证需要的材料", course: "在网上查询未找到明确说明", outcome: "告知办理材料和地点", people: "来电人"),
        .init(category: "020102", type: .complaint, unit: "xicheng", title: "垃圾清运不及时", matter: "小区垃圾桶满溢多日无人清运", course: "气味难闻, 招引蚊蝇", outcome: "及时清运垃圾", people: "小区居民"),
        .init(category: "010301", type: .help, unit: "power", title: "小区频繁停电", matter: "本周小区已停电三次, 每次数小时", course: "未见停电通知", outcome: "查明原因并尽快解决", people: "小区居民"),
        .init(category: "0404", type: .complaint, unit: "sthjj", title: "餐饮油烟扰民", matter: "楼下餐馆油烟直排, 影响楼上住户", course: "向店家反映无效", outcome: "督促安装油烟净化设施", people: "楼上住户"),
        .init(category: "1105", type: .praise, unit: "haidian", title: "表扬街道工作人员", matter: "街道工作人员热心帮助办理老人补贴", course: "主动上门服务", outcome: "希望给予表扬", people: "来电人"),
    ]

    /// The platform's people, the same in the demo and the synthetic city.
    static let platformPeople: [(String, String, Set<Role>)] = [
        ("agent", "话务员 小周", [.agent]), ("agent2", "话务员 小吴", [.agent]), ("dispatcher", "派单员 老陈", [.dispatcher]),
        ("reviewer", "审核员 刘敏", [.reviewer]), ("supervisor", "督办员 赵强", [.supervisor]), ("callback", "回访员 孙丽", [.callbackAgent]),
        ("leader", "市领导 王市长", [.leader]), ("analyst", "分析员 高洋", [.analyst]), ("admin", "管理员", [.admin]),
        ("shiftlead", "值班长 林静", [.agent, .dispatcher, .reviewer, .supervisor, .callbackAgent]),
    ]

    static let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
    static let given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"]
    static let streets = ["建国路", "朝阳北路", "中关村大街", "学院路", "东四北大街", "西长安街", "望京西路", "酒仙桥路", "三里屯路", "新街口外大街"]

    /// Seeds only an empty database (just the platform unit), so `hotline demo` can run twice.
    @discardableResult
    static func seedIfEmpty(_ app: Application) async throws -> Bool {
        let db = app.db
        guard try await UnitModel.query(on: db).count() <= 1, try await WorkOrderModel.query(on: db).count() == 0 else { return false }
        guard let platform = try await UnitModel.query(on: db).filter(\.$level == 1).first() else { return false }
        let hash = try await app.password.async.hash(password)

        // Units and accounts.
        var units: [String: UnitModel] = [:]
        var accounts: [AccountModel] = []
        func account(_ username: String, _ name: String, _ unit: UnitModel, _ roles: Set<Role>) {
            // A mobile number each, so the outbox has someone to text (made-up numbers).
            accounts.append(AccountModel(username: username, displayName: name, passwordHash: hash, unitId: unit.id!, roles: roles, phone: "139" + (10_000_000 + accounts.count).padded(8)))
        }
        for p in platformPeople { account(p.0, p.1, platform, p.2) }
        // The agents sit at seats 8001 and 8002, so a CTI's test call has a screen to reach.
        accounts[0].agentExtension = "8001"
        accounts[1].agentExtension = "8002"
        for (i, spec) in level2.enumerated() {
            let u = UnitModel(code: spec.code, name: spec.name, level: 2, parent: platform, kind: spec.kind, divisionCode: spec.division, leaderName: "\(surnames[i % surnames.count])主任", liaisonPhone: "010-6\(String(format: "%07d", 1_000_000 + i * 1111))")
            try await u.create(on: db)
            units[spec.code] = u
            account("\(spec.code)-handler", "\(spec.name)承办人", u, [.unitHandler])
            account("\(spec.code)-leader", "\(spec.name)分管领导", u, [.unitLeader])
            for (j, c) in spec.children.enumerated() {
                let child = UnitModel(code: c.0, name: c.1, level: 3, parent: u, kind: c.2, divisionCode: nil, leaderName: "\(surnames[(i + j + 3) % surnames.count])主任", liaisonPhone: "010-8\(String(format: "%07d", 2_000_000 + i * 100 + j))")
                try await child.create(on: db)
                units[c.0] = child
                account("\(c.0)-handler", "\(c.1)承办人", child, [.unitHandler])
                account("\(c.0)-leader", "\(c.1)负责人", child, [.unitLeader])
            }
        }
        try await accounts.create(on: db)
        func actor(_ username: String) -> Actor {
            let a = accounts.first { $0.username == username }!
            let unit = a.$unit.id == platform.id ? platform : units.values.first { $0.id == a.$unit.id }!
            return Actor(accountId: a.id!, name: a.displayName, roles: a.roles, unit: unit.ref)
        }

        // Orders over the last 30 days, every state, made by the real rules.
        let services = app.hotline
        let now = services.now
        let calendar = try await services.calendars.calendar(on: db, now: now)
        let rules = RulesLoader(db: db, services: services)
        let policy = try await rules.policy()
        let limits = try await rules.limits()
        let context = LifecycleContext(now: now, calendar: calendar, policy: policy, limits: limits, newID: { UUID.timeOrdered() }, sample: { 0 })
        var rng = SeededGenerator(seed: 12345)
        var counters: [String: Int] = [:]
        let count = 320

        for i in 0..<count {
            let t = templates[i % templates.count]
            let age = Double(Int.random(in: 0..<(30 * 24), using: &rng)) * 3600 + Double(Int.random(in: 0..<3600, using: &rng))
            let start = now.addingTimeInterval(-age)
            let day = calendar.localDate(of: start).description.replacingOccurrences(of: "-", with: "")
            counters[day, default: 0] += 1
            let number = day + String(format: "%06d", counters[day]!)
            let name = String(surnames[Int.random(in: 0..<surnames.count, using: &rng)]) + given[Int.random(in: 0..<given.count, using: &rng)]
            let street = streets[Int.random(in: 0..<streets.count, using: &rng)]
            let draft = IntakeDraft(
                channel: [Channel.phone, .phone, .phone, .web, .wechat, .app, .mailbox][i % 7], requestType: t.type, categoryCode: t.category,
                urgency: i % 23 == 0 ? .urgent : .normal, title: t.title,
                elements: SixElements(time: "近期", place: Place(address: "\(street)\(Int.random(in: 1...200, using: &rng))号", divisionCode: units[t.unit]?.divisionCode), people: t.people, matter: t.matter, course: t.course, wantedOutcome: t.outcome),
                citizen: Citizen(name: name, phone: "13\(Int.random(in: 0...9, using: &rng))\(String(format: "%08d", Int.random(in: 0..<100_000_000, using: &rng)))", wantsSecrecy: i % 5 == 0, anonymous: false, consentsToDisclosure: i % 3 == 0))
            var story = try OrderStory(draft, id: UUID.timeOrdered(start), number: number, by: actor("agent"), at: start, now: now, context: context)
            func step(_ c: Command, _ who: String, after hours: Double) throws -> Bool { try story.step(c, by: actor(who), after: hours) }
            var state: WorkOrderAggregate { story.state }
            let unitCode = t.unit
            let handler = "\(unitCode)-handler", leader = "\(unitCode)-leader"
            let lead = units[unitCode]!.ref
            let kind = i % 20
            switch kind {
            case 0, 1, 2:
                _ = try step(.directAnswer(answer: "已依据知识库答复市民。", knowledgeArticleRef: "KB-\(1000 + i % 50)"), "agent", after: 0.1)
            case 3:
                _ = try step(.decline(reasonCode: "legalProcedure", note: "已进入诉讼程序"), "agent", after: 0.1)
            case 4:
                _ = try step(.guide(target: "110", note: "正在发生的纠纷, 引导报警"), "agent", after: 0.05)
            case 5:
                break  // waits for dispatch
            case 6 where age > 24 * 3600:
                _ = try step(.escalate(proposal: "涉及多个部门, 拟请市领导批示"), "dispatcher", after: 1)
            default:
                guard try step(.dispatch(DispatchPlan(mode: .transfer, lead: lead, coUnits: kind == 7 ? [units["cgw"]!.ref] : [])), "dispatcher", after: 1.5) else { break }
                let asg = state.lead!.id
                if kind == 8 { break }  // still to sign
                guard try step(.sign(assignment: asg), handler, after: 3) else { break }
                if kind == 9 {
                    _ = try step(.requestReturn(assignment: asg, reason: "不属于本单位职责", basis: "三定方案"), handler, after: 0.5)
                    _ = try step(.approveReturn(assignment: asg, approve: true, note: nil), leader, after: 0.5)
                    break
                }
                if kind == 10, let child = level2.first(where: { $0.code == unitCode })?.children.first {
                    _ = try step(.subDispatch(assignment: asg, to: units[child.0]!.ref, note: "请核实处理"), handler, after: 1)
                    break
                }
                if kind == 11 || kind == 12 { break }  // in hand; the old ones are overdue
                guard try step(.submitFeedback(assignment: asg, Feedback(answer: "经现场核实, 问题已处理完毕, 并已向市民说明情况。", result: .solved, contactMethod: .phone, contactedAt: story.time, citizenOpinion: "市民表示认可", policyReferences: "无", responsiblePerson: "\(surnames[i % surnames.count])工", responsiblePhone: "010-6555\(String(format: "%04d", i))")), handler, after: 30) else { break }
                guard try step(.approveFeedback(assignment: asg, approve: true, note: nil), leader, after: 2) else { break }
                if kind == 13 { break }  // awaiting review
                if kind == 14 {
                    _ = try step(.review(approve: false, reasons: "答复未说明整改时限, 请重办"), "reviewer", after: 3)
                    break
                }
                guard try step(.review(approve: true, reasons: nil), "reviewer", after: 3) else { break }
                if kind == 15 { break }  // awaiting callback
                let unhappy = i % 40 == 16
                guard try step(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: unhappy ? .unsatisfied : .satisfied, solved: !unhappy, note: unhappy ? "市民称问题未解决" : nil), reasonable: unhappy), "callback", after: 20) else { break }
                if kind == 17, age > 20 * 86_400 { _ = try step(.archive, "admin", after: 48) }
            }
            let (finalState, finalHistory) = (story.state, story.history)
            // The clocks as they stand now: the worker takes what is already due (the old
            // overdue orders get their reminders and escalation on its first round).
            let timers = Lifecycle(context).timers(for: finalState)
            try await db.transaction { tx in try await WorkOrderRepository(db: tx).create(finalState, history: finalHistory, timers: timers) }
            // Half the orders that may be published are (R-CIT-4): the portal's 诉求公开 and
            // Open311 have something to show.
            let o = finalState.order
            if i % 2 == 0, Disclosure.refusal(o) == nil {
                let p = Disclosure.draft(o, knownNames: finalHistory.compactMap { $0.1?.name })
                let reviewer = actor("reviewer").accountId
                try await (db as! any SQLDatabase).raw(PublicationController.insert(p, of: o, at: o.closedAt ?? now, by: reviewer)).run()
            }
        }
        // Day counters continue after the seeded numbers.
        for (day, last) in counters {
            try await (db as! any SQLDatabase).raw("INSERT INTO work_order_counters (day, last) VALUES (\(bind: day), \(bind: last))").run()
        }
        // A dispatch catalogue (R-UNIT-4) and the notices in force (R-IN-5).
        let catalogue: [(String, String?, String)] = [
            ("0101", "110105", "chaoyang"), ("0101", "110108", "haidian"), ("0102", nil, "water"), ("0103", nil, "power"),
            ("010402", nil, "heat"), ("0301", nil, "jtw"), ("060101", nil, "rsj"), ("0105", nil, "zjw"),
        ]
        for (category, area, unit) in catalogue {
            guard let u = units[unit] else { continue }
            let e = CatalogueEntryModel()
            e.id = UUID.timeOrdered()
            e.categoryPrefix = category
            e.divisionPrefix = area
            e.unitId = u.id!
            try await e.create(on: db)
        }
        let notices: [(String, String, String, String, String?, Double, Double)] = [
            ("water", "water", "朝阳区建外街道计划停水", "建国门外大街以南、东三环以西各小区", "110105", -6, 18),
            ("power", "power", "海淀区中关村街道线路检修停电", "中关村大街两侧部分楼宇", "110108", -2, 30),
            ("heat", "heat", "朝阳区呼家楼街道供热管网抢修", "呼家楼北街小区", "110105", -2, 40),
            ("traffic", "jtw", "长安街沿线临时交通管制", "复兴门至建国门", nil, 0, 6),
        ]
        for (kind, unit, title, area, division, fromHours, toHours) in notices {
            guard let u = units[unit] else { continue }
            let n = NoticeModel()
            n.id = UUID.timeOrdered()
            n.unitId = u.id!
            n.kind = kind
            n.title = title
            n.area = area
            n.divisionCode = division
            n.startsAt = now.addingTimeInterval(fromHours * 3600)
            n.endsAt = now.addingTimeInterval(toHours * 3600)
            n.createdAt = now
            n.createdBy = accounts.first { $0.username == "\(unit)-handler" }?.id ?? accounts[0].id!
            try await n.create(on: db)
        }
        app.logger.info("demo city: \(units.count + 1) units, \(accounts.count) accounts, \(count) orders")
        return true
    }
}

/// SplitMix64: the same demo city on every machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
