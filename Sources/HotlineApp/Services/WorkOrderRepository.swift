import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Loads a work order with everything the rules look at, and stores a transition: the state
/// change and its events in one transaction, guarded by the order's version (R-WO-9, R-NF-4).
struct WorkOrderRepository {
    let db: any Database
    /// Every read and write here goes through SQLKit (`OrderRows`), not Fluent's models.
    var sql: any SQLDatabase { db as! any SQLDatabase }

    struct Loaded {
        var aggregate: WorkOrderAggregate
    }

    func find(_ id: UUID) async throws -> Loaded? {
        guard let row = try await OrderStatements.OrderById(id: id).rows(on: db).first else { return nil }
        return try await load(OrderRows.workOrder(row))
    }

    func find(number: String) async throws -> Loaded? {
        guard let row = try await OrderStatements.OrderByNumber(number: number).rows(on: db).first else { return nil }
        return try await load(OrderRows.workOrder(row))
    }

    /// The order's parts, each table in its own statement, prepared on PostgreSQL
    /// (`OrderStatements`): every detail page and every action loads them.
    func load(_ order: WorkOrder) async throws -> Loaded {
        let id = order.id
        async let assignments = OrderStatements.Part<OrderStatements.Assignments>(orderId: id).rows(on: db)
        async let extensions = OrderStatements.Part<OrderStatements.Extensions>(orderId: id).rows(on: db)
        async let supervisions = OrderStatements.Part<OrderStatements.Supervisions>(orderId: id).rows(on: db)
        async let reminders = OrderStatements.Part<OrderStatements.Reminders>(orderId: id).rows(on: db)
        let (a, e, s, r) = try await (assignments, extensions, supervisions, reminders)
        return Loaded(aggregate: WorkOrderAggregate(
            order: order, assignments: try a.map(OrderRows.assignment), extensions: try e.map(OrderRows.extensionRequest),
            supervisions: try s.map(OrderRows.supervision), reminders: try r.map(OrderRows.reminder)))
    }

    /// Many orders' parts in four queries (one per table) instead of four per order: the
    /// worker's sweep over every open order (`Worker.reschedule`).
    func loadMany(_ orders: [WorkOrder]) async throws -> [WorkOrderAggregate] {
        guard !orders.isEmpty else { return [] }
        let ids = orders.map(\.id)
        func rows(_ table: String, _ columns: [String], by sort: String) -> SQLSelectBuilder {
            sql.selectColumns(columns, from: table).where(SQLColumn("work_order_id"), .in, SQLBind.group(ids)).orderBy(sort)
        }
        async let assignments = rows("assignments", BulkRows.assignmentColumns, by: "dispatched_at").all()
        async let extensions = rows("extension_requests", BulkRows.extensionColumns, by: "requested_at").all()
        async let supervisions = rows("supervisions", BulkRows.supervisionColumns, by: "opened_at").all()
        async let reminders = rows("reminders", BulkRows.reminderColumns, by: "at").all()
        let (a, e, s, r) = try await (assignments, extensions, supervisions, reminders)
        func byOrder(_ rows: [any SQLRow]) throws -> [UUID: [any SQLRow]] {
            try Dictionary(grouping: rows) { try $0.decode(column: "work_order_id", as: UUID.self) }
        }
        let (ga, ge, gs, gr) = (try byOrder(a), try byOrder(e), try byOrder(s), try byOrder(r))
        return try orders.map { o in
            WorkOrderAggregate(
                order: o, assignments: try (ga[o.id] ?? []).map(OrderRows.assignment), extensions: try (ge[o.id] ?? []).map(OrderRows.extensionRequest),
                supervisions: try (gs[o.id] ?? []).map(OrderRows.supervision), reminders: try (gr[o.id] ?? []).map(OrderRows.reminder))
        }
    }

    /// Writes a transition inside the caller's transaction. The whole row is rewritten on the
    /// condition that its version is still the one read: if someone else wrote first the
    /// UPDATE matches no row and nothing is written.
    ///
    /// The order's clocks are set again from its new state (`timers`, from
    /// `Lifecycle.timers(for:)`) and the messages the change owes go to the outbox, in the same
    /// transaction: no change without its timers and messages, no message without its change.
    func save(_ t: Transition, over loaded: Loaded, actor: Actor?, at now: Date, timers: [ClockTimer], messages: [OutboundMessage] = []) async throws {
        let before = loaded.aggregate
        var after = t.aggregate
        after.order.version = before.order.version + 1
        let matched = try await sql.updateRow(
            "work_orders", columns: Self.orderColumnsWithDigest, BulkRows.order(after.order).values + [.bind(ClockTimer.digest(timers))],
            extra: [("version", before.order.version)])
        guard matched == 1 else { throw APIProblem.staleVersion }
        try await writeParts(after, previous: before)
        if SearchIndex.text(of: after.order) != SearchIndex.text(of: before.order) { try await SearchIndex(db).update(after.order) }
        try await append(t.events, to: after.order.id, actor: actor, at: now)
        try await ClockTimers(db: db).reschedule(after.order.id, timers)
        try await Outbox(db: db).enqueue(messages, order: after.order, at: now)
    }

    /// Creates a new order (intake) with its first events, inside the caller's transaction.
    func create(_ t: Transition, actor: Actor, at now: Date, timers: [ClockTimer]) async throws {
        try await run(creation(t, actor: actor, at: now, timers: timers))
    }

    /// The statements that store a new order with its first events and its clocks, in order.
    func creation(_ t: Transition, actor: Actor, at now: Date, timers: [ClockTimer]) -> [any SQLExpression] {
        let rows = t.events.enumerated().map { i, e in Self.eventRow(e, workOrderId: t.aggregate.order.id, seq: i + 1, at: now, actor: actor) }
        return creation(t.aggregate, eventRows: rows, timers: timers)
    }

    /// Stores an order with a history written elsewhere (the demo and synthetic seeds), each
    /// event with its own actor and time.
    func create(_ a: WorkOrderAggregate, history: [(DomainEvent, Actor?, Date)], timers: [ClockTimer]) async throws {
        let rows = history.enumerated().map { i, h in Self.eventRow(h.0, workOrderId: a.order.id, seq: i + 1, at: h.2, actor: h.1) }
        try await run(creation(a, eventRows: rows, timers: timers))
    }

    /// The order's columns and the fingerprint of its stored moments (`M011_AddTimersDigest`),
    /// written together whenever the moments are.
    static let orderColumnsWithDigest = BulkRows.orderColumns + ["timers_digest"]

    private func creation(_ a: WorkOrderAggregate, eventRows: [[DatabaseQuery.Value]], timers: [ClockTimer]) -> [any SQLExpression] {
        let id = a.order.id
        var statements: [any SQLExpression] = [
            SQLRowsInsert(table: "work_orders", columns: Self.orderColumnsWithDigest, rows: [BulkRows.order(a.order).values + [.bind(ClockTimer.digest(timers))]])
        ]
        func add(_ table: String, _ columns: [String], _ rows: [[DatabaseQuery.Value]]) {
            if !rows.isEmpty { statements.append(SQLRowsInsert(table: table, columns: columns, rows: rows)) }
        }
        add("assignments", BulkRows.assignmentColumns, a.assignments.map { BulkRows.assignment($0).values })
        add("extension_requests", BulkRows.extensionColumns, a.extensions.map { BulkRows.extensionRequest($0, workOrderId: id).values })
        add("supervisions", BulkRows.supervisionColumns, a.supervisions.map { BulkRows.supervision($0, workOrderId: id).values })
        add("reminders", BulkRows.reminderColumns, a.reminders.map { BulkRows.reminder($0, workOrderId: id).values })
        statements += SearchIndex(db).insertion(a.order)
        add("work_order_events", BulkRows.eventColumns, eventRows)
        if let insert = ClockTimers.insertion(timers) { statements.append(insert) }
        return statements
    }

    /// Runs statements one after another (inside the caller's transaction).
    func run(_ statements: [any SQLExpression]) async throws {
        for statement in statements { try await sql.execute(sql: statement) { _ in } }
    }

    /// PostgreSQL: runs statements as one, whose parts are data-modifying `WITH` queries that
    /// commit or fail together, in one round trip instead of BEGIN, n statements and COMMIT.
    /// Intake is CPU-bound there, and every statement costs both processes.
    func runAsOneStatement(_ statements: [any SQLExpression]) async throws {
        precondition(sql.dialect.name != "sqlite", "SQLite has no data-modifying WITH queries")
        let statement = SQLWritableCTE(statements: statements)
        if try await RuntimeStatement.run(statement, on: db) { return }
        try await sql.execute(sql: statement) { _ in }
    }

    /// After a transition: new parts are inserted, changed ones rewritten; reminders are only
    /// ever added.
    private func writeParts(_ a: WorkOrderAggregate, previous: WorkOrderAggregate) async throws {
        let orderId = a.order.id
        var inserts: [[DatabaseQuery.Value]] = []
        for asg in a.assignments {
            guard let old = previous.assignment(asg.id) else { inserts.append(BulkRows.assignment(asg).values); continue }
            if old != asg { try await sql.updateRow("assignments", columns: BulkRows.assignmentColumns, BulkRows.assignment(asg).values) }
        }
        try await sql.insertRows(into: "assignments", columns: BulkRows.assignmentColumns, inserts)
        inserts = []
        for e in a.extensions {
            guard let old = previous.extensions.first(where: { $0.id == e.id }) else { inserts.append(BulkRows.extensionRequest(e, workOrderId: orderId).values); continue }
            if old != e { try await sql.updateRow("extension_requests", columns: BulkRows.extensionColumns, BulkRows.extensionRequest(e, workOrderId: orderId).values) }
        }
        try await sql.insertRows(into: "extension_requests", columns: BulkRows.extensionColumns, inserts)
        inserts = []
        for s in a.supervisions {
            guard let old = previous.supervisions.first(where: { $0.id == s.id }) else { inserts.append(BulkRows.supervision(s, workOrderId: orderId).values); continue }
            if old != s { try await sql.updateRow("supervisions", columns: BulkRows.supervisionColumns, BulkRows.supervision(s, workOrderId: orderId).values) }
        }
        try await sql.insertRows(into: "supervisions", columns: BulkRows.supervisionColumns, inserts)
        let known = Set(previous.reminders.map(\.id))
        let reminders = a.reminders.filter { !known.contains($0.id) }.map { BulkRows.reminder($0, workOrderId: orderId).values }
        try await sql.insertRows(into: "reminders", columns: BulkRows.reminderColumns, reminders)
    }

    /// Events beside the order's state (a call's recording arriving): appended without a new
    /// version, so nobody holding the order is told it changed. The caller locks the order.
    func appendEvents(_ events: [DomainEvent], to orderId: UUID, actor: Actor?, at now: Date) async throws {
        try await append(events, to: orderId, actor: actor, at: now)
    }

    static func eventRow(_ e: DomainEvent, workOrderId: UUID, seq: Int, at: Date, actor: Actor?) -> [DatabaseQuery.Value] {
        BulkRows.event(e, id: UUID.timeOrdered(), workOrderId: workOrderId, seq: seq, at: at, actor: actor, rolesText: actor.map { AccountModel.text($0.roles) } ?? "system").values
    }

    private func append(_ events: [DomainEvent], to orderId: UUID, actor: Actor?, at now: Date, startingAt: Int? = nil) async throws {
        guard !events.isEmpty else { return }
        var seq: Int
        if let startingAt {
            seq = startingAt
        } else {
            let row = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("seq")), as: "last").from("work_order_events").where(SQLColumn("work_order_id"), .equal, SQLBind(orderId)).first()
            seq = (try row?.decode(column: "last", as: Int?.self) ?? 0) + 1
        }
        var rows: [[DatabaseQuery.Value]] = []
        for e in events {
            rows.append(Self.eventRow(e, workOrderId: orderId, seq: seq, at: now, actor: actor))
            seq += 1
        }
        try await sql.insertRows(into: "work_order_events", columns: BulkRows.eventColumns, rows)
    }

    /// The day's next number (R-WO-1) inside the caller's transaction, from the same per-day
    /// counter row as `drawNumberApart`: SQLite, for an intake whose rows are built inside its
    /// write (one taken during a call, or merged or linked at intake).
    func nextNumber(day: LocalDate) async throws -> String {
        let key = Self.counterKey(day)
        let row = try await sql.raw("""
            INSERT INTO work_order_counters (day, last) VALUES (\(bind: key), 1)
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last
            """).first()
        guard let n = try row?.decode(column: "last", as: Int.self) else {
            throw APIProblem(.internalServerError, code: "numbering_failed", rule: "could not draw an order number")
        }
        return key + n.padded(6)
    }

    static func counterKey(_ day: LocalDate) -> String {
        let c = day.components
        return c.year.padded(4) + c.month.padded(2) + c.day.padded(2)
    }

    /// The day's next order number (R-WO-1): `yyyyMMdd` + six digits, from a per-day counter
    /// row, in a transaction of its own, never the order's.
    ///
    /// PostgreSQL: one statement that commits without waiting for the disk. The day's
    /// counter row stays locked until the end of the transaction that bumped it: drawn inside
    /// the order's transaction, every intake waited for the previous one's commit and its
    /// fsync, and intake ran one at a time (about 400 orders/s with the CPU 23% idle). Not
    /// waiting is safe: the order that uses the number commits durably afterwards, and
    /// flushing its commit record flushes the counter's earlier record too. A crash in between
    /// leaves a gap in the numbers, never a repeat. `set_config(…, true)` lasts to the end of
    /// this statement's own transaction, which is when PostgreSQL decides whether to wait for
    /// the flush (`PreparedStatements.DrawNumber`).
    ///
    /// SQLite: a write of its own through the group commit (`HotlineServices.write`), so that
    /// intake can build its rows before it reaches the one writer and then only hand them to
    /// its group (`WorkOrderController.recordWithSecret`). Drawn inside the order's write, the
    /// number kept every intake's rules, rows and messages on the writer's critical path.
    ///
    /// While intake is busy, numbers come from the counter in blocks (`NumberBlocks`): under
    /// load a draw is one statement per up to 32 orders.
    func drawNumberApart(day: LocalDate, blocks: NumberBlocks, services: HotlineServices) async throws -> String {
        let key = Self.counterKey(day)
        let n = try await blocks.next(day: key, now: ProcessInfo.processInfo.systemUptime, later: { ProcessInfo.processInfo.systemUptime }) { count in
            let last: Int?
            if services.writeBatcher != nil {
                last = try await services.write(on: db) { tx in
                    try await (tx as! any SQLDatabase).raw("""
                        INSERT INTO work_order_counters (day, last) VALUES (\(bind: key), \(bind: count))
                        ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + \(bind: count) RETURNING last
                        """).first()?.decode(column: "last", as: Int.self)
                }
            } else {
                last = try await PreparedStatements.rows(PreparedStatements.DrawNumber(day: key, count: count), on: db)?.first?.decode(column: "last", as: Int.self)
            }
            guard let last else {
                throw APIProblem(.internalServerError, code: "numbering_failed", rule: "could not draw an order number")
            }
            return last
        }
        return key + n.padded(6)
    }
}

/// Loads what the rules need besides the order: calendar, parameters, limit rules (both kept
/// in memory for a moment, `CalendarStore` and `RulesCache`).
struct RulesLoader {
    let db: any Database
    let services: HotlineServices

    func policy() async throws -> Policy {
        try await services.rules.snapshot(on: db).policy
    }

    func limits() async throws -> TimeLimitRules {
        try await services.rules.snapshot(on: db).limits
    }

    func lifecycle(now: Date) async throws -> Lifecycle {
        async let calendar = services.calendars.calendar(on: db, now: now)
        let rules = try await services.rules.snapshot(on: db)
        return Lifecycle(LifecycleContext(now: now, calendar: try await calendar, policy: rules.policy, limits: rules.limits, newID: { UUID.timeOrdered() }))
    }
}

/// The statements that load one order (`WorkOrderRepository.find`), written once for both
/// databases and prepared on PostgreSQL (`SharedStatement`).
enum OrderStatements {
    struct OrderById: SharedStatement {
        static let name = "order_by_id"
        static let sql = "SELECT \(SQLColumnList(BulkRows.orderColumns).text) FROM work_orders WHERE id = $1"
        let id: UUID
        var arguments: [BulkCell] { [.uuid(id)] }
    }

    struct OrderByNumber: SharedStatement {
        static let name = "order_by_number"
        static let sql = "SELECT \(SQLColumnList(BulkRows.orderColumns).text) FROM work_orders WHERE number = $1"
        let number: String
        var arguments: [BulkCell] { [.text(number)] }
    }

    /// One table of an order's parts, in the order the rules read them.
    protocol Table {
        static var name: String { get }
        static var sql: String { get }
    }

    enum Assignments: Table {
        static let name = "order_part_assignments"
        static let sql = "SELECT \(SQLColumnList(BulkRows.assignmentColumns).text) FROM assignments WHERE work_order_id = $1 ORDER BY dispatched_at"
    }

    enum Extensions: Table {
        static let name = "order_part_extension_requests"
        static let sql = "SELECT \(SQLColumnList(BulkRows.extensionColumns).text) FROM extension_requests WHERE work_order_id = $1 ORDER BY requested_at"
    }

    enum Supervisions: Table {
        static let name = "order_part_supervisions"
        static let sql = "SELECT \(SQLColumnList(BulkRows.supervisionColumns).text) FROM supervisions WHERE work_order_id = $1 ORDER BY opened_at"
    }

    enum Reminders: Table {
        static let name = "order_part_reminders"
        static let sql = "SELECT \(SQLColumnList(BulkRows.reminderColumns).text) FROM reminders WHERE work_order_id = $1 ORDER BY \"at\""
    }

    /// PostgresNIO names a prepared statement by its Swift type: one type per table.
    struct Part<T: Table>: SharedStatement {
        static var name: String { T.name }
        static var sql: String { T.sql }
        let orderId: UUID
        var arguments: [BulkCell] { [.uuid(orderId)] }
    }
}
