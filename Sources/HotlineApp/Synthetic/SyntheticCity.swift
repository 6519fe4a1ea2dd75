import Fluent
import Foundation
import HotlineCore
import Vapor

/// `hotline seed --synthetic N --days D` ([scale]): a city the size of Beijing — 16 districts,
/// their ~350 street offices and towns, ~80 departments and public-service companies — and N
/// orders spread over the last D days, each played through the real lifecycle rules at
/// back-dated times (so timelines, deadlines, lights and callbacks are ones the system could have
/// written), then written in bulk.
///
/// Generation is deterministic for a seed and runs in chunks on all cores while the previous
/// chunk is being written.
struct SyntheticCity {
    struct Options {
        var orders: Int
        var days: Int
        var seed: UInt64 = 20_251_001
        /// Orders per batch; by default 2,000 on PostgreSQL and 6,000 on SQLite, where each batch
        /// is one transaction of the single writer: fewer commits mean fewer FTS5 segments to
        /// merge and fewer rewrites of the same B-tree pages into the log.
        var chunk: Int? = nil
    }

    struct Report: Sendable {
        var units = 0, accounts = 0, orders = 0, events = 0, assignments = 0
        var byStatus: [String: Int] = [:]
        var seconds = 0.0
    }

    // MARK: The unit tree

    struct District: Sendable {
        var unit: UnitRef
        var divisionCode: String
        var streets: [UnitRef]
        var streetNames: [String]
    }

    struct City: Sendable {
        var platform: UnitRef
        var districts: [District]
        var departments: [String: UnitRef]
        var departmentOffices: [String: [UnitRef]]
        var actors: [String: Actor]
        var handlerOf: [UUID: Actor]
        var leaderOf: [UUID: Actor]
    }

    /// Creates units and accounts in an empty database (only the platform unit present).
    static func buildCity(app: Application, db: any Database) async throws -> (City, Report) {
        guard let platformModel = try await UnitModel.query(on: db).filter(\.$level == 1).first() else {
            throw Abort(.internalServerError, reason: "the platform unit is missing; run migrate first")
        }
        let hash = try await app.password.async.hash(DemoCity.password)
        var units: [UnitModel] = []
        var accounts: [AccountModel] = []
        var actors: [String: Actor] = [:]
        var handlerOf: [UUID: Actor] = [:]
        var leaderOf: [UUID: Actor] = [:]
        func account(_ username: String, _ name: String, _ unit: UnitModel, _ roles: Set<Role>) -> Actor {
            let a = AccountModel(id: UUID.timeOrdered(), username: username, displayName: name, passwordHash: hash, unitId: unit.id!, roles: roles, phone: nil)
            accounts.append(a)
            let actor = Actor(accountId: a.id!, name: name, roles: roles, unit: unit.ref)
            actors[username] = actor
            return actor
        }
        func staff(_ unit: UnitModel) {
            handlerOf[unit.id!] = account("\(unit.code)-handler", "\(unit.name)承办人", unit, [.unitHandler])
            leaderOf[unit.id!] = account("\(unit.code)-leader", "\(unit.name)负责人", unit, [.unitLeader])
        }
        for p in DemoCity.platformPeople { _ = account(p.0, p.1, platformModel, p.2) }

        // Districts and their streets, from the project's copy of the NBS division list.
        guard let url = Bundle.module.url(forResource: "beijing-streets", withExtension: "csv", subdirectory: "synthetic") else {
            throw Abort(.internalServerError, reason: "Resources/synthetic/beijing-streets.csv is missing from the bundle")
        }
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst()
        var districtModels: [(UnitModel, [UnitModel])] = []
        var byCode: [String: Int] = [:]
        for line in lines {
            let f = line.split(separator: ",").map(String.init)
            guard f.count == 4 else { continue }
            if byCode[f[2]] == nil {
                let d = UnitModel(id: UUID.timeOrdered(), code: f[2], name: "\(f[3])人民政府", level: 2, parent: platformModel, kind: "district", divisionCode: f[2], leaderName: "\(f[3])12345分管副区长", liaisonPhone: "010-6\(f[2].suffix(3))0000")
                byCode[f[2]] = districtModels.count
                districtModels.append((d, []))
            }
            let i = byCode[f[2]]!
            let kind = f[1].hasSuffix("街道") ? "街道办事处" : "人民政府"
            let s = UnitModel(id: UUID.timeOrdered(), code: f[0], name: f[1] + kind, level: 3, parent: districtModels[i].0, kind: "street", divisionCode: String(f[0].prefix(6)), leaderName: "\(f[1])主任", liaisonPhone: "010-8\(f[0].suffix(7))")
            districtModels[i].1.append(s)
        }
        var districts: [District] = []
        for (d, streets) in districtModels {
            units.append(d)
            staff(d)
            for s in streets {
                units.append(s)
                staff(s)
            }
            districts.append(District(unit: d.ref, divisionCode: d.code, streets: streets.map(\.ref), streetNames: streets.map { String($0.name.prefix(while: { $0 != "办" && $0 != "人" })) }))
        }
        var departments: [String: UnitRef] = [:]
        var offices: [String: [UnitRef]] = [:]
        for (i, dep) in SyntheticVocabulary.departments.enumerated() {
            let d = UnitModel(id: UUID.timeOrdered(), code: dep.code, name: dep.name, level: 2, parent: platformModel, kind: dep.kind, leaderName: "\(SyntheticVocabulary.surnames[i % SyntheticVocabulary.surnames.count])处长", liaisonPhone: "010-5\(String(format: "%07d", 1_000_000 + i * 137))")
            units.append(d)
            staff(d)
            departments[dep.code] = d.ref
            for (j, name) in dep.offices.enumerated() {
                let o = UnitModel(id: UUID.timeOrdered(), code: "\(dep.code)-\(j + 1)", name: "\(dep.name.hasPrefix("市") ? String(dep.name.dropFirst()) : dep.name)\(name)", level: 3, parent: d, kind: dep.kind == "enterprise" ? "station" : "office", liaisonPhone: "010-5\(String(format: "%07d", 2_000_000 + i * 100 + j))")
                units.append(o)
                staff(o)
                offices[dep.code, default: []].append(o.ref)
            }
        }
        try await units.create(on: db)
        try await accounts.create(on: db)
        var report = Report()
        report.units = units.count + 1
        report.accounts = accounts.count
        let city = City(platform: platformModel.ref, districts: districts, departments: departments, departmentOffices: offices, actors: actors, handlerOf: handlerOf, leaderOf: leaderOf)
        return (city, report)
    }

    // MARK: The schedule

    /// When each order comes in: weekdays busier than weekends, days busiest mid-morning and
    /// mid-afternoon, some calls at night. Sorted, so orders are stored in intake order.
    static func schedule(orders: Int, days: Int, now: Date, calendar: WorkingCalendar, seed: UInt64) -> [Date] {
        var rng = SeededGenerator(seed: seed)
        let today = calendar.localDate(of: now)
        let firstDay = today.adding(days: -(days - 1))
        var weights: [Double] = []
        for d in 0..<days {
            let day = firstDay.adding(days: d)
            weights.append(calendar.isWorkingDay(day) ? 1.0 : 0.7)
        }
        let total = weights.reduce(0, +)
        var counts = weights.map { Int(Double(orders) * $0 / total) }
        var short = orders - counts.reduce(0, +)
        var k = 0
        while short > 0 { counts[k % days] += 1; short -= 1; k += 1 }
        // Hourly shape of a 12345 day (share of calls per hour, 00–23).
        let hourly: [Double] = [0.8, 0.5, 0.3, 0.3, 0.3, 0.5, 1.2, 2.5, 5, 7.5, 8, 7.5, 5.5, 5.5, 7, 7.5, 7, 6, 4.5, 4, 3.5, 3, 2, 1.2]
        let hourTotal = hourly.reduce(0, +)
        var cumulative: [Double] = []
        var acc = 0.0
        for h in hourly { acc += h / hourTotal; cumulative.append(acc) }
        var out: [Date] = []
        out.reserveCapacity(orders)
        for d in 0..<days {
            let dayStart = calendar.startOfDay(firstDay.adding(days: d))
            var seconds: [Double] = []
            seconds.reserveCapacity(counts[d])
            for _ in 0..<counts[d] {
                let r = Double.random(in: 0..<1, using: &rng)
                let hour = cumulative.firstIndex(where: { r < $0 }) ?? 23
                seconds.append(Double(hour) * 3600 + Double.random(in: 0..<3600, using: &rng))
            }
            seconds.sort()
            for s in seconds {
                let t = dayStart.addingTimeInterval(s)
                // Today's orders only up to now.
                out.append(t < now ? t : now.addingTimeInterval(-Double.random(in: 60..<7200, using: &rng)))
            }
        }
        out.sort()
        return out
    }

    // MARK: One chunk of orders

    struct Chunk: Sendable {
        var stories: [(WorkOrderAggregate, [(DomainEvent, Actor?, Date)])]
        /// The schedule slot of each story: its place in intake order.
        var slots: [Int]
    }

    /// Plays the orders of schedule slots `range` through the rules.
    static func generate(
        range: Range<Int>, times: [Date], numbers: [String], city: City, now: Date, context: LifecycleContext, seed: UInt64
    ) -> Chunk {
        var rng = SeededGenerator(seed: seed &+ UInt64(range.lowerBound) &* 0x9E37_79B9)
        // Ids from a stream of their own, so the city's story stays the same for a seed.
        var ids = SeededGenerator(seed: UInt64.random(in: 0...UInt64.max))
        var out: [(WorkOrderAggregate, [(DomainEvent, Actor?, Date)])] = []
        var slots: [Int] = []
        out.reserveCapacity(range.count)
        let topics = SyntheticVocabulary.topics
        let weightTotal = topics.reduce(0) { $0 + $1.weight }
        var i = range.lowerBound
        while i < range.upperBound {
            var pick = Int.random(in: 0..<weightTotal, using: &rng)
            var topic = topics[0]
            for t in topics {
                if pick < t.weight { topic = t; break }
                pick -= t.weight
            }
            let district = city.districts[Int.random(in: 0..<city.districts.count, using: &rng)]
            let streetIndex = Int.random(in: 0..<district.streets.count, using: &rng)
            let draft = Self.draft(topic: topic, district: district, streetIndex: streetIndex, rng: &rng)
            guard var story = try? OrderStory(draft, id: UUID.timeOrdered(times[i], using: &ids), number: numbers[i], by: city.actors[Bool.random(using: &rng) ? "agent" : "agent2"]!, at: times[i], now: now, context: context) else {
                i += 1
                continue
            }
            // 2%: a second caller reports the same thing within the hour; it is merged into this one.
            var duplicate: OrderStory?
            if i + 1 < range.upperBound, Double.random(in: 0..<1, using: &rng) < 0.02, times[i + 1].timeIntervalSince(times[i]) < 3600 {
                var d2 = draft
                d2.citizen = Self.citizen(rng: &rng)
                d2.channel = .phone
                if var dup = try? OrderStory(d2, id: UUID.timeOrdered(times[i + 1], using: &ids), number: numbers[i + 1], by: city.actors["agent2"]!, at: times[i + 1], now: now, context: context) {
                    if dup.merge(into: &story, by: city.actors["dispatcher"]!, after: Double.random(in: 0.05..<0.5, using: &rng)) {
                        duplicate = dup
                    }
                }
            }
            Self.play(&story, topic: topic, district: district, streetIndex: streetIndex, city: city, rng: &rng)
            out.append((story.state, story.history))
            slots.append(i)
            if let duplicate {
                out.append((duplicate.state, duplicate.history))
                slots.append(i + 1)
                i += 1
            }
            i += 1
        }
        return Chunk(stories: out, slots: slots)
    }

    static func citizen(rng: inout SeededGenerator) -> Citizen {
        let v = SyntheticVocabulary.self
        let name = String(v.surnames[Int.random(in: 0..<v.surnames.count, using: &rng)]) + v.given[Int.random(in: 0..<v.given.count, using: &rng)]
        let prefixes = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "176", "185", "186", "188", "189", "199"]
        // A phone number drawn from 20 × 10^8; repeat callers come from a smaller pool.
        let phone = prefixes[Int.random(in: 0..<prefixes.count, using: &rng)] + Int.random(in: 0..<(Double.random(in: 0..<1, using: &rng) < 0.15 ? 20_000 : 100_000_000), using: &rng).padded(8)
        return Citizen(
            name: name, phone: phone, wantsSecrecy: Double.random(in: 0..<1, using: &rng) < 0.2, anonymous: Double.random(in: 0..<1, using: &rng) < 0.03,
            consentsToDisclosure: Double.random(in: 0..<1, using: &rng) < 0.4)
    }

    static func draft(topic: SyntheticVocabulary.Topic, district: District, streetIndex: Int, rng: inout SeededGenerator) -> IntakeDraft {
        let v = SyntheticVocabulary.self
        func any(_ list: [String]) -> String { list[Int.random(in: 0..<list.count, using: &rng)] }
        let districtName = String(district.unit.name.prefix(while: { $0 != "人" }))
        let road = any(v.roadRoots) + any(v.roads)
        let estate = any(v.estateRoots) + any(v.estates)
        let address = "\(districtName)\(district.streetNames[streetIndex])\(road)\(Int.random(in: 1...300, using: &rng))号\(estate)\(Int.random(in: 1...30, using: &rng))号楼"
        let problem = any(topic.problems)
        let channels: [Channel] = [.phone, .phone, .phone, .phone, .phone, .phone, .web, .wechat, .wechat, .app, .mailbox, .sms]
        let urgencyRoll = Double.random(in: 0..<1, using: &rng)
        let citizen = citizen(rng: &rng)
        return IntakeDraft(
            channel: channels[Int.random(in: 0..<channels.count, using: &rng)], requestType: topic.type, categoryCode: topic.category,
            urgency: urgencyRoll < 0.03 ? .urgent : .normal, title: any(topic.titles),
            elements: SixElements(
                time: any(v.times), place: Place(address: address, divisionCode: district.divisionCode),
                people: Bool.random(using: &rng) ? "来电人" : "来电人及周边居民",
                matter: "市民来电反映: \(estate)附近\(problem)。\(any(topic.courses))。",
                course: any(topic.courses), wantedOutcome: any(topic.outcomes)),
            citizen: citizen)
    }

    /// The rest of an order's life after intake, in believable proportions.
    static func play(_ s: inout OrderStory, topic: SyntheticVocabulary.Topic, district: District, streetIndex: Int, city: City, rng: inout SeededGenerator) {
        func roll() -> Double { Double.random(in: 0..<1, using: &rng) }
        func hours(_ r: Range<Double>) -> Double { Double.random(in: r, using: &rng) }
        let a = city.actors
        guard s.state.order.status == .pendingDispatch else { return }
        let r = roll()
        if r < 0.22 {
            s.attempt(.directAnswer(answer: "已依据知识库向市民解答: \(topic.outcomes[0])的办理渠道和政策依据。", knowledgeArticleRef: "KB-\(Int.random(in: 1000...1999, using: &rng))"), by: a["agent"]!, after: hours(0.02..<0.3))
            return finish(&s, city: city, rng: &rng)
        }
        if r < 0.24 {
            s.attempt(.decline(reasonCode: ["legalProcedure", "noSubstance", "personal"][Int.random(in: 0..<3, using: &rng)], note: "经核实不属于热线受理范围, 已向市民解释"), by: a["agent"]!, after: hours(0.02..<0.3))
            return finish(&s, city: city, rng: &rng)
        }
        if r < 0.27 {
            s.attempt(.guide(target: ["110", "12315", "court", "petition"][Int.random(in: 0..<4, using: &rng)], note: "已引导市民通过相应渠道反映"), by: a["agent"]!, after: hours(0.02..<0.2))
            return finish(&s, city: city, rng: &rng)
        }
        // Who handles it.
        var lead: UnitRef
        var subTo: UnitRef?
        switch topic.handler {
        case .local:
            if roll() < 0.6 {
                lead = district.streets[streetIndex]
            } else {
                lead = district.unit
                if roll() < 0.5 { subTo = district.streets[streetIndex] }
            }
        case .department(let code):
            lead = city.departments[code] ?? district.unit
            if let offices = city.departmentOffices[code], !offices.isEmpty, roll() < 0.4 {
                subTo = offices[Int.random(in: 0..<offices.count, using: &rng)]
            }
        }
        var co: [UnitRef] = []
        if roll() < 0.08 {
            let others = ["cgw", "zjw", "scjgj", "sthjj", "cgzf"].compactMap { city.departments[$0] }.filter { $0.id != lead.id }
            co = [others[Int.random(in: 0..<others.count, using: &rng)]]
        }
        if r < 0.28 {
            guard s.attempt(.escalate(proposal: "涉及多个部门, 拟请市领导批示"), by: a["dispatcher"]!, after: hours(0.5..<3)) else { return }
            guard s.attempt(.instruct(instruction: "请相关单位高度重视, 限期解决并报结果"), by: a["leader"]!, after: hours(2..<30)) else { return }
        }
        guard s.attempt(.dispatch(DispatchPlan(mode: .transfer, lead: lead, coUnits: co)), by: a["dispatcher"]!, after: hours(0.1..<2.5)) else { return }

        // A unit that says "not ours" (4%): return, approval, platform re-dispatch to the district.
        if roll() < 0.04, let asg = s.state.lead {
            let h = city.handlerOf[asg.unit.id]!, l = city.leaderOf[asg.unit.id]!
            guard s.attempt(.sign(assignment: asg.id), by: h, after: hours(0.3..<4)) else { return }
            guard s.attempt(.requestReturn(assignment: asg.id, reason: "经核实, 该事项不属于本单位职责范围", basis: "本单位三定方案"), by: h, after: hours(0.5..<3)) else { return }
            guard s.attempt(.approveReturn(assignment: asg.id, approve: true, note: nil), by: l, after: hours(0.2..<2)) else { return }
            guard s.attempt(.decideReturn(assignment: asg.id, accept: true, note: "同意退回, 重新派单"), by: a["dispatcher"]!, after: hours(0.5..<4)) else { return }
            lead = lead.id == district.unit.id ? (city.departments["cgzf"] ?? district.unit) : district.unit
            subTo = nil
            guard s.attempt(.dispatch(DispatchPlan(mode: .transfer, lead: lead, coUnits: [])), by: a["dispatcher"]!, after: hours(0.2..<2)) else { return }
        }
        guard let asg = s.state.lead else { return }
        let handler = city.handlerOf[asg.unit.id]!, leader = city.leaderOf[asg.unit.id]!
        // Signing: mostly within hours, a few late.
        guard s.attempt(.sign(assignment: asg.id), by: handler, after: roll() < 0.03 ? hours(30..<60) : hours(0.2..<6)) else { return }
        for c in s.state.assignments where c.role == .co && c.parentId == nil {
            let ch = city.handlerOf[c.unit.id]!
            var side = s
            if side.attempt(.sign(assignment: c.id), by: ch, after: hours(0.5..<5)), side.attempt(.submitOpinion(assignment: c.id, opinion: "本单位已配合现场核查, 意见已转主办单位"), by: ch, after: hours(4..<48)) {
                s = side
            }
        }
        let lateUnit = roll() < 0.07
        let span = asg.dueAt.timeIntervalSince(asg.dispatchedAt) / 3600
        func targetTime(_ fraction: Double) -> Double { max(0.5, asg.dispatchedAt.addingTimeInterval(span * fraction * 3600).timeIntervalSince(s.time) / 3600) }

        // Level-3 share.
        if let sub = subTo, sub.parentId == asg.unit.id {
            let sh = city.handlerOf[sub.id]!, sl = city.leaderOf[sub.id]!
            guard s.attempt(.subDispatch(assignment: asg.id, to: sub, note: "请核实处理并按时反馈"), by: handler, after: hours(0.5..<4)) else { return }
            guard let child = s.state.assignments.last(where: { $0.parentId == asg.id }) else { return }
            guard s.attempt(.sign(assignment: child.id), by: sh, after: hours(0.3..<5)) else { return }
            guard s.attempt(.submitFeedback(assignment: child.id, feedback(s.time, rng: &rng)), by: sh, after: targetTime(lateUnit ? 0.9 : hours(0.2..<0.55))) else { return }
            guard s.attempt(.approveFeedback(assignment: child.id, approve: true, note: nil), by: sl, after: hours(0.3..<3)) else { return }
            guard s.attempt(.reviewSubAnswer(assignment: child.id, approve: true, note: nil), by: handler, after: hours(0.5..<6)) else { return }
        }
        // Extension (4%), asked well before the deadline.
        if roll() < 0.04 {
            let amount = max(1, min(asg.timeLimit.amount, 5))
            if s.attempt(.requestExtension(assignment: asg.id, amount: amount, reason: "需协调多个部门现场联合处置, 申请延期"), by: handler, after: targetTime(0.3)),
                let ext = s.state.extensions.last
            {
                s.attempt(.approveExtension(extension: ext.id, approve: true, note: nil), by: leader, after: hours(0.5..<4))
                s.attempt(.decideExtension(extension: ext.id, approve: roll() < 0.85, note: "同意延期"), by: a["reviewer"]!, after: hours(1..<8))
            }
        }
        // Late units are reminded, sometimes supervised.
        if lateUnit {
            guard s.attempt(.remind(assignment: asg.id, note: "工单即将超期, 请抓紧办理"), by: a["supervisor"]!, after: targetTime(0.85)) else { return }
            if roll() < 0.3, s.attempt(.supervise(assignment: asg.id, method: .phone, note: "超期未办结, 电话督办", instruction: "请三日内办结"), by: a["supervisor"]!, after: targetTime(1.05)),
                let sup = s.state.supervisions.last
            {
                s.attempt(.closeSupervision(supervision: sup.id, note: "单位已反馈"), by: a["supervisor"]!, after: hours(24..<72))
            }
        }
        let current = s.state.lead ?? asg
        let due = current.dueAt.timeIntervalSince(current.dispatchedAt) / 3600
        let answerAt = lateUnit ? due * hours(1.05..<1.6) : due * hours(0.25..<0.95)
        guard s.attempt(.submitFeedback(assignment: asg.id, feedback(s.time, rng: &rng)), by: handler, after: max(0.5, current.dispatchedAt.addingTimeInterval(answerAt * 3600).timeIntervalSince(s.time) / 3600)) else { return }
        guard s.attempt(.approveFeedback(assignment: asg.id, approve: true, note: nil), by: leader, after: hours(0.3..<5)) else { return }
        // Review: 5% sent back for redo once.
        if roll() < 0.05 {
            guard s.attempt(.review(approve: false, reasons: "答复未说明具体整改措施和时限, 请重办"), by: a["reviewer"]!, after: hours(1..<12)) else { return }
            guard s.attempt(.submitFeedback(assignment: asg.id, feedback(s.time, rng: &rng)), by: handler, after: hours(20..<60)) else { return }
            guard s.attempt(.approveFeedback(assignment: asg.id, approve: true, note: nil), by: leader, after: hours(0.3..<4)) else { return }
        }
        guard s.attempt(.review(approve: true, reasons: nil), by: a["reviewer"]!, after: hours(1..<16)) else { return }
        finish(&s, city: city, rng: &rng)
    }

    /// Callback, close and archive, once the order's answer stands.
    static func finish(_ s: inout OrderStory, city: City, rng: inout SeededGenerator) {
        let a = city.actors
        if s.state.order.status == .awaitingCallback {
            let r = Double.random(in: 0..<1, using: &rng)
            let satisfaction: Satisfaction = r < 0.55 ? .verySatisfied : r < 0.85 ? .satisfied : r < 0.93 ? .basicallySatisfied : r < 0.98 ? .unsatisfied : .veryUnsatisfied
            let reached = Double.random(in: 0..<1, using: &rng) < 0.92
            let after = Double.random(in: 2..<40, using: &rng)
            if reached {
                let unhappy = satisfaction == .unsatisfied || satisfaction == .veryUnsatisfied
                s.attempt(.callback(CallbackRecord(method: .phone, reached: true, satisfaction: satisfaction, solved: !unhappy, note: unhappy ? "市民称问题未解决" : nil), reasonable: unhappy && Double.random(in: 0..<1, using: &rng) < 0.4), by: a["callback"]!, after: after)
            } else {
                s.attempt(.callback(CallbackRecord(method: .phone, reached: false, satisfaction: nil, solved: nil, note: "无人接听"), reasonable: false), by: a["callback"]!, after: after)
                if s.state.order.status == .awaitingCallback {
                    s.attempt(.close(note: "多次回访未接通, 按规定办结"), by: a["callback"]!, after: Double.random(in: 24..<72, using: &rng))
                }
            }
        }
        // Orders closed over a month ago are archived.
        if s.state.order.status == .closed, s.state.order.disposition != .merged {
            s.attempt(.archive, by: a["admin"]!, after: 24 * 31)
        }
    }

    static func feedback(_ at: Date, rng: inout SeededGenerator) -> Feedback {
        let v = SyntheticVocabulary.self
        let r = Double.random(in: 0..<1, using: &rng)
        return Feedback(
            answer: v.feedbacks[Int.random(in: 0..<v.feedbacks.count, using: &rng)], result: r < 0.75 ? .solved : r < 0.93 ? .explained : .cannotSolveNow,
            contactMethod: .phone, contactedAt: at, citizenOpinion: "市民表示认可", policyReferences: "相关管理规定",
            responsiblePerson: String(v.surnames[Int.random(in: 0..<v.surnames.count, using: &rng)]) + "工",
            responsiblePhone: "010-6\(Int.random(in: 0..<10_000_000, using: &rng).padded(7))")
    }
}
