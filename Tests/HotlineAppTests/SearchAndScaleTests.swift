import Fluent
import Foundation
import HotlineCore
import SQLKit
import Testing
import Vapor
import VaporTesting
import FluentSQLiteDriver

@testable import HotlineApp

@Suite("Chinese full-text search and the synthetic city")
struct SearchAndScaleTests {
    private func order(_ app: Application, _ w: World, title: String, matter: String, phone: String = "13812345678") async throws -> String {
        var body = intakeBody(phone: phone)
        body["title"] = title
        var elements = body["elements"] as! [String: Any]
        elements["matter"] = matter
        body["elements"] = elements
        let r = try await app.call(.POST, "/work-orders", as: "agent", world: w, json: body)
        #expect(r.status == .created)
        return r.json.string("id")!
    }

    private func search(_ app: Application, _ w: World, _ q: String, as user: String = "supervisor", extra: String = "") async throws -> (ids: [String], total: Int) {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await app.call(.GET, "/work-orders?q=\(encoded)\(extra)", as: user, world: w)
        #expect(r.status == .ok, "\(r.body.string)")
        let items = r.json["items"] as? [[String: Any]] ?? []
        return (items.compactMap { $0.string("id") }, r.json.int("total") ?? -1)
    }

    @Test("search finds Chinese words anywhere in the text, all terms required, newest first")
    func chineseSearch() async throws {
        try await withTestApp { app, w, setClock in
            let lamp = try await order(app, w, title: "小区路灯不亮", matter: "南门外路灯连续多日不亮")
            setClock(Date(iso: "2026-11-23T10:00:00+08:00")!)
            let noise = try await order(app, w, title: "夜间施工噪音扰民", matter: "工地每晚施工, 噪音很大")
            setClock(Date(iso: "2026-11-23T11:00:00+08:00")!)
            let road = try await order(app, w, title: "马路灯光昏暗", matter: "灯光不足, 出行不便")

            var r = try await search(app, w, "路灯 不亮")
            #expect(r.ids == [lamp] && r.total == 1)
            r = try await search(app, w, "噪音 扰民")
            #expect(r.ids == [noise])
            // 路灯 inside 马路灯光: a substring, not a word boundary, and newest first.
            r = try await search(app, w, "路灯")
            #expect(r.ids == [road, lamp] && r.total == 2)
            r = try await search(app, w, "路灯 扰民")
            #expect(r.ids.isEmpty && r.total == 0)
            // A phrase must be consecutive: 灯不 occurs only in the first order.
            r = try await search(app, w, "路灯不亮")
            #expect(r.ids == [lamp])
            // One character: a prefix of any token.
            r = try await search(app, w, "噪")
            #expect(r.ids == [noise])
            // Combined with another filter (the index as a sub-query).
            r = try await search(app, w, "路灯", extra: "&status=pendingDispatch&per=1")
            #expect(r.ids == [road] && r.total == 2)
            // Nothing searchable is an error naming the field.
            let bad = try await app.call(.GET, "/work-orders?q=%EF%BC%8C", as: "supervisor", world: w)
            #expect(bad.status == .unprocessableEntity && bad.json.string("field") == "q")
            // Pages are bounded: a huge one is refused by name, not an overflow in the offset.
            for path in ["/work-orders?q=%E8%B7%AF%E7%81%AF&page=10001", "/work-orders?page=0", "/queues/awaiting-dispatch?page=9223372036854775807"] {
                let refused = try await app.call(.GET, path, as: "supervisor", world: w)
                #expect(refused.status == .unprocessableEntity && refused.json.string("field") == "page", "\(path)")
            }
            #expect(try await app.call(.GET, "/work-orders?q=%E8%B7%AF%E7%81%AF&page=10000", as: "supervisor", world: w).status == .ok)
        }
    }

    @Test("an edit re-indexes the order; unit people search only their own orders")
    func editAndScope() async throws {
        try await withTestApp { app, w, _ in
            let id = try await order(app, w, title: "小区路灯不亮", matter: "路灯不亮")
            let other = try await order(app, w, title: "路灯损坏", matter: "路灯损坏无人维修")
            let patched = try await app.call(.PATCH, "/work-orders/\(id)", as: "agent", world: w, json: ["title": "井盖缺失"], headers: [("If-Match", "\"1\"")])
            #expect(patched.status == .ok)
            #expect(try await search(app, w, "井盖").ids == [id])
            #expect(try await search(app, w, "路灯 损坏").ids == [other])

            let dispatched = try await app.call(.POST, "/work-orders/\(other)/dispatch", as: "dispatcher", world: w, json: ["leadUnitId": w.chaoyang.id!.uuidString])
            #expect(dispatched.status == .ok)
            #expect(try await search(app, w, "路灯", as: "cy-handler").ids == [other])
            #expect(try await search(app, w, "路灯", as: "hd-handler").ids.isEmpty)
        }
    }

    @Test("seed --synthetic: every state, full timelines, searchable, readable through the API")
    func syntheticCity() async throws {
        try await withTestApp(seedingWorld: false) { app, w, _ in
            let sql = app.db as! any SQLDatabase
            let sqlite = sql.dialect.name == "sqlite"
            let indexesBefore = try await SyntheticCity.secondaryIndexes(sql, sqlite: sqlite).map(\.definition)
            #expect(indexesBefore.count >= 8)
            let keysBefore = try await SyntheticCity.foreignKeys(sql, sqlite: sqlite).map { "\($0.table) \($0.name) \($0.definition)" }
            #expect(sqlite || keysBefore.count >= 6)
            let uniquesBefore = try await SyntheticCity.unreferencedUniques(sql, sqlite: sqlite).map { "\($0.table) \($0.name) \($0.definition)" }
            // On PostgreSQL at least the timeline's primary key and its (order, seq) constraint.
            #expect(sqlite || uniquesBefore.filter { $0.hasPrefix("work_order_events ") }.count == 2, "\(uniquesBefore)")
            let report = try await SyntheticCity.run(app, options: .init(orders: 600, days: 90, chunk: 150)) { _ in }
            // The indexes set aside for the load are all back, as they were.
            #expect(try await SyntheticCity.secondaryIndexes(sql, sqlite: sqlite).map(\.definition) == indexesBefore)
            #expect(try await SyntheticCity.foreignKeys(sql, sqlite: sqlite).map { "\($0.table) \($0.name) \($0.definition)" } == keysBefore)
            #expect(try await SyntheticCity.unreferencedUniques(sql, sqlite: sqlite).map { "\($0.table) \($0.name) \($0.definition)" } == uniquesBefore)
            #expect(report.orders == 600)
            #expect(report.units > 400 && report.units < 520)
            #expect(try await WorkOrderModel.query(on: app.db).count() == 600)
            #expect(try await WorkOrderEventModel.query(on: app.db).count() == report.events)
            #expect(report.events > 600 * 4)
            // Believable proportions: most finished, some in every open state.
            let finished = (report.byStatus["closed"] ?? 0) + (report.byStatus["archived"] ?? 0)
            #expect(finished > 600 / 2, "\(report.byStatus)")
            for status in ["archived", "closed", "handling"] { #expect((report.byStatus[status] ?? 0) > 0, "\(status): \(report.byStatus)") }
            #expect(try await AssignmentModel.query(on: app.db).filter(\.$status == "returned").count() > 0)
            #expect(try await WorkOrderModel.query(on: app.db).filter(\.$disposition == "merged").count() > 0)
            // A second run refuses: the database is no longer empty.
            await #expect(throws: (any Error).self) { try await SyntheticCity.run(app, options: .init(orders: 10, days: 1)) { _ in } }

            // Read back through the API as the synthetic supervisor.
            let supervisor = try await AccountModel.query(on: app.db).filter(\.$username == "supervisor").first()!
            try await AccessTokenModel(tokenHash: TokenHash.of("t-sup"), accountId: supervisor.id!, csrfToken: "c", createdAt: Date(timeIntervalSince1970: 0), expiresAt: .distantFuture).create(on: app.db)
            var world = w
            world.tokens["supervisor"] = "t-sup"
            let closed = try await WorkOrderModel.query(on: app.db).filter(\.$status == "archived").first()!
            let detail = try await app.call(.GET, "/work-orders/\(closed.id!)", as: "supervisor", world: world)
            #expect(detail.status == .ok)
            let timeline = try await app.call(.GET, "/work-orders/\(closed.id!)/timeline", as: "supervisor", world: world)
            let actions = timeline.array.compactMap { $0.string("action") }
            #expect(actions.first == "intake" && actions.last == "archive", "\(actions)")
            let found = try await search(app, world, "路灯")
            #expect(found.total > 0)
            for id in found.ids {
                let o = try await WorkOrderModel.find(UUID(uuidString: id)!, on: app.db)!
                #expect(SearchIndex.text(of: o.value).contains("路灯"))
            }
            // Counting stops at the cap, and past it the listing walks the orders newest first
            // instead of sorting every match: the same pages either way, for words and phrases.
            // Every page equals the matches sorted in full, whether it is read off the walk over
            // the newest orders, off a wider window, or off the GIN index (a walk too short to
            // reach the cap or the page).
            let index = SearchIndex(app.db)
            for text in ["路灯", "噪音 扰民", "路灯不亮"] {
                let terms = SearchTerms.query(text)
                let all: [UUID] = sqlite
                    ? try await sql.raw("SELECT s.work_order_id FROM work_order_search s WHERE s.id IN (SELECT rowid FROM work_order_fts WHERE work_order_fts MATCH \(bind: SearchTerms.fts5(terms)!)) ORDER BY s.id DESC").all()
                        .map { try $0.decode(column: "work_order_id", as: UUID.self) }
                    : try await sql.raw("SELECT work_order_id FROM work_order_search WHERE terms @@ \(bind: SearchTerms.tsquery(terms)!)::tsquery ORDER BY created_at DESC, work_order_id DESC").all()
                        .map { try $0.decode(column: "work_order_id", as: UUID.self) }
                let exact = try await index.newest(text, offset: 0, limit: 1, cap: 1_000_000)
                #expect(!exact.capped && exact.total == all.count && all.count > 6, "\(text): \(exact.total) of \(all.count)")
                for offset in [0, 3, exact.total - 2] {
                    let expected = Array(all.dropFirst(offset).prefix(3))
                    for walk in [20_000, all.count / 2, 7] {
                        let uncapped = try await index.newest(text, offset: offset, limit: 3, cap: 1_000_000, walk: walk)
                        let capped = try await index.newest(text, offset: offset, limit: 3, cap: 5, walk: walk)
                        #expect(capped.capped && capped.total == 5)
                        #expect(!uncapped.capped && uncapped.total == all.count)
                        #expect(capped.ids == expected && uncapped.ids == expected, "\(text) at \(offset), walking \(walk): \(capped.ids) \(uncapped.ids) \(expected)")
                    }
                }
            }
            let api = try await app.call(.GET, "/work-orders?q=\(("路灯" as String).addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)", as: "supervisor", world: world).json
            #expect(api["totalIsLowerBound"] == nil, "few matches: an exact total")
            // The hand-written bulk rows write exactly what the Fluent models would.
            try await Self.bulkRowsMatchModels(app)
            // …and the SQLKit reads give back exactly what the Fluent models read.
            try await Self.sqlReadsMatchModels(app)
            // …and the worker's sweep, reading only what clocks depend on, sets the moments
            // whole orders call for.
            try await Self.sweepMatchesWholeOrders(app)
            // The dashboard's one-statement counters agree with the orders themselves.
            let counts = try await app.call(.GET, "/queues/counts", as: "supervisor", world: world).json
            let now = app.hotline.now
            let orders = try await WorkOrderModel.query(on: app.db).all().map(\.value)
            func n(_ s: WorkOrderStatus) -> Int { orders.filter { $0.status == s }.count }
            let handled = orders.filter { $0.status == .handling || $0.status == .awaitingReview }
            let expected: [String: Int] = [
                "awaitingDispatch": n(.pendingDispatch), "awaitingInstruction": n(.awaitingInstruction), "handling": n(.handling),
                "awaitingReview": n(.awaitingReview), "awaitingCallback": n(.awaitingCallback),
                "overdue": handled.filter { $0.dueAt.map { $0 < now } ?? false }.count,
                "dueSoon": handled.filter { o in o.dueAt.map { $0 >= now } ?? false && (o.warnAt.map { $0 <= now } ?? false) }.count,
                "sensitiveOpen": orders.filter { $0.isSensitive && $0.status != .closed && $0.status != .archived }.count,
                "openSupervisions": try await SupervisionModel.query(on: app.db).filter(\.$closedAt == nil).count(),
                "pendingReturns": try await AssignmentModel.query(on: app.db).filter(\.$status == "returnPending").count(),
                "pendingExtensions": try await ExtensionRequestModel.query(on: app.db).filter(\.$status == "pendingPlatform").count(),
            ]
            for (key, value) in expected { #expect(counts.int(key) == value, "\(key)") }

            // List lines read from bare columns equal those built from whole orders.
            let models = try await WorkOrderModel.query(on: app.db).all()
            let lines = try await WorkOrderSummaries.byIds(models.map { $0.id! }, on: app.db, now: now)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            #expect(lines.count == models.count)
            for (line, model) in zip(lines, models) {
                #expect(try encoder.encode(line) == encoder.encode(WorkOrderSummaryDTO(model, now: now)), "\(line.number)")
            }
            // The light filter in SQL picks exactly the orders whose light the core computes.
            for light in [WarningLight.red, .yellow, .green] {
                let want = Set(orders.filter { $0.light(at: now) == light }.map(\.number))
                var got = Set<String>()
                var page = 1
                while true {
                    let r = try await app.call(.GET, "/work-orders?light=\(light.rawValue)&per=100&page=\(page)", as: "supervisor", world: world).json
                    let items = r["items"] as? [[String: Any]] ?? []
                    got.formUnion(items.compactMap { $0.string("number") })
                    if items.count < 100 { break }
                    page += 1
                }
                #expect(got == want, "\(light): \(got.symmetricDifference(want).sorted().prefix(5))")
                #expect(!want.isEmpty || light == .yellow, "\(light)")
            }
            #expect(expected["handling"]! > 0 && expected["overdue"]! > 0 && expected["openSupervisions"]! > 0, "\(expected)")

            // Each inbox bucket of the busiest units holds exactly the assignments its rule picks.
            let assignments = try await AssignmentModel.query(on: app.db).all().map(\.value)
            let busiest = Dictionary(grouping: assignments.filter { $0.status != .completed }, by: \.unit.id).sorted { $0.value.count > $1.value.count }.prefix(3)
            let working: Set<AssignmentStatus> = [.toSign, .inHand, .returnRequested, .feedbackPendingApproval]
            let extensionsAtLeader = Set(try await ExtensionRequestModel.query(on: app.db).all().filter { $0.status == ExtensionStatus.pendingUnitLeader.rawValue }.map(\.assignmentId))
            let rules: [(String, (Assignment) -> Bool)] = [
                ("toSign", { $0.status == .toSign }), ("inHand", { $0.status == .inHand }),
                ("dueSoon", { working.contains($0.status) && $0.dueAt >= now && $0.warnAt <= now }),
                ("overdue", { working.contains($0.status) && $0.dueAt < now }),
                ("redo", { ($0.status == .toSign || $0.status == .inHand) && $0.redoCount > 0 }),
                ("approvals", { $0.status == .returnRequested || $0.status == .feedbackPendingApproval || extensionsAtLeader.contains($0.id) }),
            ]
            var nonEmpty = 0
            var fullest: (unit: UUID?, bucket: String, count: Int) = (nil, "", 0)
            for (unit, _) in busiest {
                for (bucket, rule) in rules {
                    let want = assignments.filter { $0.unit.id == unit && rule($0) }
                    let r = try await app.call(.GET, "/queues/inbox?bucket=\(bucket)&unitId=\(unit)&per=100", as: "supervisor", world: world).json
                    let items = r["items"] as? [[String: Any]] ?? []
                    let got = items.compactMap { ($0["assignment"] as? [String: Any])?.string("id") }
                    #expect(Set(got) == Set(want.map { $0.id.uuidString }), "\(bucket)")
                    #expect(r["total"] as? Int == want.count, "\(bucket)")
                    let dues = items.compactMap { ($0["assignment"] as? [String: Any])?.string("dueAt") }
                    #expect(dues == dues.sorted(), "\(bucket) sorted by deadline")
                    if !want.isEmpty { nonEmpty += 1 }
                    if want.count > fullest.count { fullest = (unit, bucket, want.count) }
                    for item in items { #expect((item["assignment"] as? [String: Any])?["feedback"] == nil, "inbox lines leave the feedback body out") }
                }
            }
            #expect(nonEmpty >= 3)
            // Paging a bucket: pages neither repeat nor skip, each keeps the bucket's total,
            // and a page past the end is empty with the total still given.
            if let unit = fullest.unit {
                let bucket = fullest.bucket
                let all = try await app.call(.GET, "/queues/inbox?bucket=\(bucket)&unitId=\(unit)&per=100", as: "supervisor", world: world).json
                let ids = (all["items"] as? [[String: Any]] ?? []).compactMap { ($0["assignment"] as? [String: Any])?.string("id") }
                #expect(ids.count >= 3, "\(bucket): \(ids.count) lines")
                var paged: [String] = []
                for page in 1...((ids.count + 1) / 2 + 1) {
                    let r = try await app.call(.GET, "/queues/inbox?bucket=\(bucket)&unitId=\(unit)&per=2&page=\(page)", as: "supervisor", world: world).json
                    #expect(r["total"] as? Int == ids.count)
                    paged += (r["items"] as? [[String: Any]] ?? []).compactMap { ($0["assignment"] as? [String: Any])?.string("id") }
                }
                #expect(paged == ids)
            }
            // The feedback body is on the order's detail.
            let answered = try #require(assignments.first { $0.feedback != nil && busiest.map(\.key).contains($0.unit.id) })
            let answeredDetail = try await app.call(.GET, "/work-orders/\(answered.workOrderId)", as: "supervisor", world: world).json
            let line = (answeredDetail["assignments"] as? [[String: Any]] ?? []).first { $0.string("id") == answered.id.uuidString }
            #expect((line?["feedback"] as? [String: Any])?.string("answer") == answered.feedback?.answer)
            // The dispatcher's queue: every order awaiting dispatch, most urgent clock first.
            let queue = try await app.call(.GET, "/queues/awaiting-dispatch?per=100", as: "supervisor", world: world).json
            let pending = orders.filter { $0.status == .pendingDispatch }.sorted { ($0.dispatchDueAt!, $0.number) < ($1.dispatchDueAt!, $1.number) }
            #expect((queue["items"] as? [[String: Any]] ?? []).compactMap { $0.string("number") } == Array(pending.prefix(100).map(\.number)))
            #expect(queue["total"] as? Int == pending.count)
        }
    }

    /// The sweep's moments, read from the few columns clocks depend on, equal those computed
    /// from whole orders, for every open order of the city.
    static func sweepMatchesWholeOrders(_ app: Application) async throws {
        let worker = Worker(app: app, sender: RecordingSender())
        let now = app.hotline.now
        let first = try await worker.sweep(now: now)
        #expect(first.orders > 0 && first.mended == first.orders, "a bulk load stores no moments: every open order is mended")
        #expect(try await worker.sweep(now: now).mended == 0)
        let lifecycle = try await RulesLoader(db: app.db, services: app.hotline).lifecycle(now: now)
        let sql = app.db as! any SQLDatabase
        var stored: [UUID: Set<String>] = [:]
        for row in try await sql.raw("SELECT work_order_id, \"key\", due_at FROM clock_timers WHERE state = 'pending'").all() {
            stored[try row.decode(column: "work_order_id", as: UUID.self), default: []].insert("\(try row.decode(column: "key", as: String.self)) \(try row.decode(column: "due_at", as: Date.self))")
        }
        var open = 0
        for model in try await WorkOrderModel.query(on: app.db).filter(\.$status !~ ["closed", "archived"]).all() {
            let whole = try #require(try await WorkOrderRepository(db: app.db).find(model.id!)).aggregate
            let wanted = Set(lifecycle.timers(for: whole).map { "\($0.key) \($0.dueAt)" })
            #expect((stored[model.id!] ?? []) == wanted, "\(model.number)")
            open += 1
        }
        #expect(open == first.orders && stored.values.map(\.count).reduce(0, +) > open)
    }

    /// Every order of the city, with its parts and timeline, read through `OrderRows` equals
    /// what the Fluent models read (the repository and the timeline endpoint use the former).
    static func sqlReadsMatchModels(_ app: Application) async throws {
        let repo = WorkOrderRepository(db: app.db)
        func byId<T: Identifiable>(_ xs: [T]) -> [T.ID: T] { Dictionary(uniqueKeysWithValues: xs.map { ($0.id, $0) }) }
        var seen = (assignments: 0, extensions: 0, supervisions: 0, reminders: 0)
        for model in try await WorkOrderModel.query(on: app.db).all() {
            let id = model.id!
            guard let loaded = try await repo.find(id) else { Issue.record("\(model.number) not found"); continue }
            let a = loaded.aggregate
            #expect(a.order == model.value, "\(model.number)")
            #expect(try await repo.find(number: model.number)?.aggregate == a)
            let assignments = try await AssignmentModel.query(on: app.db).filter(\.$workOrderId == id).all().map(\.value)
            let extensions = try await ExtensionRequestModel.query(on: app.db).filter(\.$workOrderId == id).all().map(\.value)
            let supervisions = try await SupervisionModel.query(on: app.db).filter(\.$workOrderId == id).all().map(\.value)
            let reminders = try await ReminderModel.query(on: app.db).filter(\.$workOrderId == id).all().map(\.value)
            #expect(byId(a.assignments) == byId(assignments), "\(model.number)")
            #expect(byId(a.extensions) == byId(extensions), "\(model.number)")
            #expect(byId(a.supervisions) == byId(supervisions), "\(model.number)")
            #expect(byId(a.reminders) == byId(reminders), "\(model.number)")
            #expect(a.assignments.map(\.dispatchedAt) == a.assignments.map(\.dispatchedAt).sorted())
            seen.assignments += assignments.count
            seen.extensions += extensions.count
            seen.supervisions += supervisions.count
            seen.reminders += reminders.count
        }
        #expect(seen.assignments > 0 && seen.extensions > 0 && seen.supervisions > 0 && seen.reminders > 0, "\(seen)")
        // Timelines, as the API shows them.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let sql = app.db as! any SQLDatabase
        for model in try await WorkOrderModel.query(on: app.db).limit(100).all() {
            let rows = try await sql.selectColumns(TimelineEventDTO.columns, from: WorkOrderEventModel.schema).where(SQLColumn("work_order_id"), .equal, SQLBind(model.id!)).orderBy("seq").all()
            let viaSQL = try rows.map(TimelineEventDTO.init(row:))
            let viaFluent = try await WorkOrderEventModel.query(on: app.db).filter(\.$workOrderId == model.id!).sort(\.$seq).all().map(TimelineEventDTO.init)
            #expect(try encoder.encode(viaSQL) == encoder.encode(viaFluent), "\(model.number)")
        }
    }

    /// Equal values; JSON text compares as JSON (encoders order keys freely).
    static func same(_ x: SQLiteData, _ y: SQLiteData) -> Bool {
        if x == y { return true }
        guard case .text(let a) = x, case .text(let b) = y,
            let ja = try? JSONSerialization.jsonObject(with: Data(a.utf8)) as? NSDictionary,
            let jb = try? JSONSerialization.jsonObject(with: Data(b.utf8)) as? NSDictionary
        else { return false }
        return ja.isEqual(jb)
    }

    /// Column for column and value for value (as SQLite would store them), the bulk rows equal
    /// the Fluent models' own input.
    static func bulkRowsMatchModels(_ app: Application) async throws {
        final class Collector: DatabaseInput {
            var keys: [String] = []
            var values: [DatabaseQuery.Value] = []
            var wantsUnmodifiedKeys: Bool { true }
            func set(_ value: DatabaseQuery.Value, at key: FieldKey) { keys.append(key.description); values.append(value) }
        }
        func fluent(_ m: any Model) -> Collector { let c = Collector(); m.input(to: c); return c }
        let encoder = SQLiteDataEncoder()
        func viaEncoder(_ v: DatabaseQuery.Value) throws -> SQLiteData {
            if case .bind(let e) = v { return try encoder.encode(e) }
            return .null
        }
        func check(_ table: String, _ c: Collector, _ columns: [String], _ bulk: [BulkCell]) throws {
            #expect(c.keys == columns, "\(table)")
            for (i, (x, y)) in zip(try bulk.map(SQLiteBulkWriter.sqlite), try c.values.map(viaEncoder)).enumerated() where !Self.same(x, y) {
                Issue.record("\(table).\(c.keys[i]): bulk \(x) vs Fluent \(y)")
            }
        }
        for o in try await WorkOrderModel.query(on: app.db).filter(\.$callbackAttempts >= 0).limit(50).all() {
            try check("work_orders", fluent(WorkOrderModel(o.value)), BulkRows.orderColumns, BulkRows.order(o.value))
        }
        for a in try await AssignmentModel.query(on: app.db).limit(50).all() {
            try check("assignments", fluent(AssignmentModel(a.value)), BulkRows.assignmentColumns, BulkRows.assignment(a.value))
        }
        let extensions = try await ExtensionRequestModel.query(on: app.db).limit(50).all()
        let supervisions = try await SupervisionModel.query(on: app.db).limit(50).all()
        let reminders = try await ReminderModel.query(on: app.db).limit(50).all()
        #expect(!extensions.isEmpty && !supervisions.isEmpty && !reminders.isEmpty)
        for m in extensions {
            try check("extension_requests", fluent(ExtensionRequestModel(m.value, workOrderId: m.workOrderId)), BulkRows.extensionColumns, BulkRows.extensionRequest(m.value, workOrderId: m.workOrderId))
        }
        for m in supervisions {
            try check("supervisions", fluent(SupervisionModel(m.value, workOrderId: m.workOrderId)), BulkRows.supervisionColumns, BulkRows.supervision(m.value, workOrderId: m.workOrderId))
        }
        for m in reminders {
            try check("reminders", fluent(ReminderModel(m.value, workOrderId: m.workOrderId)), BulkRows.reminderColumns, BulkRows.reminder(m.value, workOrderId: m.workOrderId))
        }
        let actor = Actor(accountId: UUID(), name: "甲", roles: [.agent, .dispatcher], unit: UnitRef(id: UUID(), name: "平台", level: 1, parentId: nil, path: "/x/"))
        for (event, who) in [(DomainEvent("dispatch", note: "备注\n\"引号\"", details: ["a": "1", "键": "值\t"]), Optional(actor)), (DomainEvent("close"), nil)] {
            let id = UUID(), orderId = UUID(), at = Date(timeIntervalSince1970: 1_800_000_000.25)
            let model = WorkOrderEventModel(event, workOrderId: orderId, seq: 3, at: at, actor: who)
            model.id = id
            let c = fluent(model)
            #expect(c.keys == BulkRows.eventColumns)
            let bulk = try BulkRows.event(event, id: id, workOrderId: orderId, seq: 3, at: at, actor: who, rolesText: who.map { AccountModel.text($0.roles) } ?? "system").map(SQLiteBulkWriter.sqlite)
            let viaFluent = try c.values.map(viaEncoder)
            // JSON key order may differ; compare the details as decoded objects.
            #expect(Array(bulk.dropLast()) == Array(viaFluent.dropLast()))
            if case .text(let a) = bulk.last!, case .text(let b) = viaFluent.last! {
                #expect(try JSONDecoder().decode([String: String].self, from: Data(a.utf8)) == JSONDecoder().decode([String: String].self, from: Data(b.utf8)))
            } else {
                Issue.record("details are not JSON text")
            }
        }
    }
}
