import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The console's lists: each role's queue, a unit's inbox with its tabs, the supervision
/// board, and search with CSV export.
struct ConsoleQueueController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("queues", "dispatch", use: dispatchQueue)
        routes.get("queues", "instruction", use: instructionQueue)
        routes.get("queues", "review", use: reviewQueue)
        routes.get("queues", "callback", use: callbackQueue)
        routes.get("queues", "returns", use: returnsQueue)
        routes.get("queues", "extensions", use: extensionsQueue)
        routes.get("inbox", use: inbox)
        routes.get("supervision", use: supervision)
        routes.get("search", use: search)
        routes.get("search.csv", use: csv)
    }

    struct PageQuery: Content { var page: Int? }

    func queue(_ req: Request, _ key: String, _ status: WorkOrderStatus, by sort: [String]) async throws -> Response {
        let q = try req.query.decode(PageQuery.self)
        let page = try await QueueController.page(req, status, by: sort, page: q.page, per: 20)
        let lang = req.consoleLanguage
        let data = ListData(heading: req.label(key), tabs: [], lines: page.items.map { OrderLine($0, lang: lang) }, pager: Pager(page, url: req.url), shares: [])
        return try await req.renderConsole("list", title: req.label(key), data)
    }

    /// 待派单 with its own light (R-DIS-4), most urgent first.
    @Sendable func dispatchQueue(req: Request) async throws -> Response {
        _ = try req.principal(.dispatcher, .agent, .supervisor)
        return try await queue(req, "dispatchQueue", .pendingDispatch, by: ["dispatch_due_at", "number"])
    }

    @Sendable func instructionQueue(req: Request) async throws -> Response {
        _ = try req.principal(.leader, .dispatcher)
        return try await queue(req, "instructionQueue", .awaitingInstruction, by: ["created_at"])
    }

    @Sendable func reviewQueue(req: Request) async throws -> Response {
        _ = try req.principal(.reviewer)
        return try await queue(req, "reviewQueue", .awaitingReview, by: ["due_at", "number"])
    }

    @Sendable func callbackQueue(req: Request) async throws -> Response {
        _ = try req.principal(.callbackAgent)
        return try await queue(req, "callbackQueue", .awaitingCallback, by: ["callback_due_at", "number"])
    }

    /// Orders with a unit's return request waiting for the platform's decision (派单异议审核, R-UH-2).
    @Sendable func returnsQueue(req: Request) async throws -> Response {
        _ = try req.principal(.reviewer, .dispatcher)
        return try await ordersWhere(req, "pendingReturns", "work_orders.id IN (SELECT work_order_id FROM assignments WHERE status = \(bind: AssignmentStatus.returnPending.rawValue))")
    }

    /// Orders with an extension request waiting for the platform's decision (R-UH-6).
    @Sendable func extensionsQueue(req: Request) async throws -> Response {
        _ = try req.principal(.reviewer, .dispatcher)
        return try await ordersWhere(req, "pendingExtensions", "work_orders.id IN (SELECT work_order_id FROM extension_requests WHERE status = \(bind: ExtensionStatus.pendingPlatform.rawValue))")
    }

    func ordersWhere(_ req: Request, _ key: String, _ predicate: SQLQueryString) async throws -> Response {
        let q = try req.query.decode(PageQuery.self)
        let (page, per, offset) = try Paging.resolve(page: q.page, per: 20)
        let sql = req.database as! any SQLDatabase
        let total = try await sql.select().column(SQLRaw("COUNT(*)"), as: "n").from("work_orders").where(predicate).first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await WorkOrderSummaries.select(on: sql).where(predicate).orderBy(SQLColumn("created_at", table: "work_orders")).limit(per).offset(offset).all()
        let result = Page(items: try WorkOrderSummaries.decode(rows, now: req.now), page: page, per: per, total: total)
        let lang = req.consoleLanguage
        let data = ListData(heading: req.label(key), tabs: [], lines: result.items.map { OrderLine($0, lang: lang) }, pager: Pager(result, url: req.url), shares: [])
        return try await req.renderConsole("list", title: req.label(key), data)
    }

    // MARK: Inbox

    struct InboxQuery: Content {
        var bucket: QueueController.Bucket?
        var page: Int?
    }

    /// The unit's inbox in tabs: to sign, in hand, due soon, overdue, approvals (R-UH).
    @Sendable func inbox(req: Request) async throws -> Response {
        let p = try req.principal(.unitHandler, .unitLeader)
        let q = try req.query.decode(InboxQuery.self)
        let bucket = q.bucket ?? (p.has(.unitHandler) ? .toSign : .approvals)
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        var tabs: [ListData.Tab] = []
        for b in QueueController.Bucket.allCases {
            let total = try await QueueController.inbox(req, unitId: p.actor.unit.id, bucket: b, page: 1, per: 1).total
            tabs.append(.init(href: "/inbox?bucket=\(b.rawValue)", label: l(b == .redo ? "returned" : b.rawValue), count: total, active: b == bucket))
        }
        let page = try await QueueController.inbox(req, unitId: p.actor.unit.id, bucket: bucket, page: q.page, per: 20)
        let shares = page.items.map { item in
            ListData.Share(
                orderId: item.order.id.uuidString, number: item.order.number, title: item.order.title,
                role: l(item.assignment.role == .lead ? "leadRole" : "coRole"), status: l("asg.\(item.assignment.status.rawValue)"),
                light: item.assignment.light.rawValue, lightLabel: l("light.\(item.assignment.light.rawValue)"),
                signDueAt: ConsoleFormat.time(item.assignment.signDueAt), dueAt: ConsoleFormat.time(item.assignment.dueAt),
                citizen: item.order.citizenName, type: l("type.\(item.order.requestType.rawValue)"))
        }
        let data = ListData(heading: "\(l("inbox")) · \(p.actor.unit.name)", tabs: tabs, lines: [], pager: Pager(page, url: req.url), shares: shares)
        return try await req.renderConsole("list", title: l("inbox"), data)
    }

    // MARK: Supervision board

    struct BoardView: Encodable {
        struct Line: Encodable {
            var orderId: String
            var assignmentId: String
            var version: Int
            var number: String
            var title: String
            var light: String
            var lightLabel: String
            var dueAt: String
            var status: String
            var reminders: Int
        }

        struct UnitGroup: Encodable {
            var unit: String
            var red: Int
            var yellow: Int
            var lines: [Line]
        }

        var groups: [UnitGroup]
        var light: String
    }

    /// Yellow and red orders by unit, most overdue first, with a reminder at hand (R-SUP).
    @Sendable func supervision(req: Request) async throws -> Response {
        _ = try req.principal(.supervisor, .dispatcher, .reviewer, .leader)
        let light = (try? req.query.get(String.self, at: "light")) ?? ""
        let now = req.now
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        let working = QueueController.working.map(\.rawValue)
        var query: SQLQueryString = """
            SELECT a.id AS assignment_id, a.unit_name, a.status AS share_status, a.due_at AS share_due, a.warn_at AS share_warn,
            a.reminder_count, w.id, w.number, w.title, w.version
            FROM assignments a JOIN work_orders w ON w.id = a.work_order_id
            WHERE a.status IN (\(bind: working[0]), \(bind: working[1]), \(bind: working[2]), \(bind: working[3]))
            """
        query.appendInterpolation(unsafeRaw: light == "red" ? " AND a.due_at < " : " AND a.warn_at <= ")
        query.appendInterpolation(bind: now)
        // The 500 most overdue first, then grouped: cut by unit name, a late unit could vanish.
        query.appendInterpolation(unsafeRaw: " ORDER BY a.due_at, a.id LIMIT 500")
        var groups: [BoardView.UnitGroup] = []
        for row in try await (req.database as! any SQLDatabase).raw(query).all() {
            let r = OrderRows.Reader(row: row)
            let due: Date = try r("share_due")
            let lit: WarningLight = due < now ? .red : .yellow
            let status: String = try r("share_status")
            let line = BoardView.Line(
                orderId: (try r("id", as: UUID.self)).uuidString, assignmentId: (try r("assignment_id", as: UUID.self)).uuidString, version: try r("version"),
                number: try r("number"), title: try r("title"), light: lit.rawValue, lightLabel: l("light.\(lit.rawValue)"),
                dueAt: ConsoleFormat.time(due), status: l("asg.\(status)"), reminders: try r("reminder_count"))
            let unit: String = try r("unit_name")
            guard let i = groups.firstIndex(where: { $0.unit == unit }) else {
                groups.append(.init(unit: unit, red: lit == .red ? 1 : 0, yellow: lit == .red ? 0 : 1, lines: [line]))
                continue
            }
            groups[i].lines.append(line)
            if lit == .red { groups[i].red += 1 } else { groups[i].yellow += 1 }
        }
        groups.sort { ($0.red, $0.yellow) > ($1.red, $1.yellow) }
        return try await req.renderConsole("supervision", title: l("supervisionBoard"), BoardView(groups: groups, light: light))
    }

    // MARK: Search

    struct SearchInput: Content {
        var number: String?
        var phone: String?
        var q: String?
        var status: String?
        var unitId: String?
        var light: String?
        var from: String?
        var to: String?
        var requestType: String?
        var sensitive: String?
        var page: Int?
    }

    struct SearchView: Encodable {
        struct Option: Encodable {
            var value: String
            var label: String
            var selected: Bool
        }

        var input: [String: String]
        var statuses: [Option]
        var lights: [Option]
        var types: [Option]
        var units: [Option]
        var list: ListData?
        var csv: String
    }

    static func query(_ i: SearchInput, page: Int?, per: Int) throws -> WorkOrderController.SearchQuery {
        let f = ActionInput()
        func day(_ text: String?, _ field: String, plusOne: Bool = false) throws -> String? {
            guard let t = f.text(text) else { return nil }
            guard let d = ConsoleFormat.parseInput(t) else { throw APIProblem.invalid(field, "\(field) must be a date") }
            return d.addingTimeInterval(plusOne ? 86_400 : 0).isoLocal
        }
        return WorkOrderController.SearchQuery(
            number: f.text(i.number), phone: f.text(i.phone), q: f.text(i.q), status: f.text(i.status),
            unitId: try f.text(i.unitId).map { try f.uuid($0, "unitId") }, light: try f.text(i.light).map { try f.choice($0, "light") },
            from: try day(i.from, "from"), to: try day(i.to, "to", plusOne: true),
            requestType: try f.text(i.requestType).map { try f.choice($0, "requestType") },
            sensitive: f.text(i.sensitive).map { $0 == "true" }, page: page, per: per)
    }

    @Sendable func search(req: Request) async throws -> Response {
        let principal = try req.principal()
        let input = try req.query.decode(SearchInput.self)
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        func options(_ list: [(String, String)], _ selected: String?) -> [SearchView.Option] {
            [SearchView.Option(value: "", label: l("all"), selected: (selected ?? "").isEmpty)] + list.map { .init(value: $0.0, label: $0.1, selected: $0.0 == selected) }
        }
        let units = try await UnitModel.query(on: req.database).filter(\.$level == 2).sort(\.$name).all().map { ($0.id!.uuidString, $0.name) }
        let values: [String: String?] = ["number": input.number, "phone": input.phone, "q": input.q, "from": input.from, "to": input.to]
        var view = SearchView(
            input: values.compactMapValues { $0 },
            statuses: options(WorkOrderStatus.allCases.map { ($0.rawValue, l("status.\($0.rawValue)")) }, input.status),
            lights: options(WarningLight.allCases.map { ($0.rawValue, l("light.\($0.rawValue)")) }, input.light),
            types: options(RequestType.allCases.map { ($0.rawValue, l("type.\($0.rawValue)")) }, input.requestType),
            units: options(units, input.unitId), list: nil,
            csv: "/search.csv" + (req.url.query.map { "?" + $0 } ?? ""))
        let asked = [input.number, input.phone, input.q, input.status, input.unitId, input.light, input.from, input.to, input.requestType, input.sensitive]
            .contains { !($0 ?? "").isEmpty }
        if asked {
            do {
                let page = try await WorkOrderController.find(try Self.query(input, page: input.page, per: 20), principal: principal, req: req)
                view.list = ListData(heading: l("search"), tabs: [], lines: page.items.map { OrderLine($0, lang: lang) }, pager: Pager(page, url: req.url), shares: [])
            } catch {
                let problem = ProblemMiddleware.problem(for: error)
                guard problem.status == .unprocessableEntity else { throw error }
                return try await req.renderConsole("search", title: l("search"), view, problem: problem)
            }
        }
        return try await req.renderConsole("search", title: l("search"), view)
    }

    /// The search result as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
    /// Chinese), at most 10,000 lines. Lines carry the masked citizen fields, as lists do.
    @Sendable func csv(req: Request) async throws -> Response {
        let principal = try req.principal()
        let input = try req.query.decode(SearchInput.self)
        let lang = req.consoleLanguage
        func l(_ k: String) -> String { ConsoleStrings.label(k, lang) }
        func cell(_ s: String) -> String {
            // Quote every cell; a leading = + - @ is neutralised against spreadsheet formulas.
            let safe = s.first.map { "=+-@\t\r".contains($0) } == true ? "'" + s : s
            return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = "\u{FEFF}" + [l("number"), l("title"), l("type"), l("channel"), l("status"), l("light"), l("createdAt"), l("dueAt"), l("citizen"), l("phone")].map(cell).joined(separator: ",") + "\r\n"
        var page = 1
        while page <= 100 {
            let result = try await WorkOrderController.find(try Self.query(input, page: page, per: 100), principal: principal, req: req)
            for o in result.items {
                let line = OrderLine(o, lang: lang)
                out += [line.number, line.title, line.type, line.channel, line.status, line.lightLabel, line.createdAt, line.dueAt, line.citizen, line.phone].map(cell).joined(separator: ",") + "\r\n"
            }
            if result.items.count < 100 { break }
            page += 1
        }
        let response = Response(status: .ok, body: .init(string: out))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"work-orders.csv\"")
        return response
    }
}
