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
        try await find(where: "id", equals: id)
    }

    func find(number: String) async throws -> Loaded? {
        try await find(where: "number", equals: number)
    }

    private func find(where column: String, equals value: some Encodable & Sendable) async throws -> Loaded? {
        guard let row = try await sql.selectColumns(BulkRows.orderColumns, from: "work_orders").where(SQLColumn(column), .equal, SQLBind(value)).first() else { return nil }
        return try await load(OrderRows.workOrder(row))
    }

    func load(_ order: WorkOrder) async throws -> Loaded {
        let id = order.id
        func rows(_ table: String, _ columns: [String], by sort: String) -> SQLSelectBuilder {
            sql.selectColumns(columns, from: table).where(SQLColumn("work_order_id"), .equal, SQLBind(id)).orderBy(sort)
        }
        async let assignments = rows("assignments", BulkRows.assignmentColumns, by: "dispatched_at").all()
        async let extensions = rows("extension_requests", BulkRows.extensionColumns, by: "requested_at").all()
        async let supervisions = rows("supervisions", BulkRows.supervisionColumns, by: "opened_at").all()
        async let reminders = rows("reminders", BulkRows.reminderColumns, by: "at").all()
        let (a, e, s, r) = try await (assignments, extensions, supervisions, reminders)
        return Loaded(aggregate: WorkOrderAggregate(
            order: order, assignments: try a.map(OrderRows.assignment), extensions: try e.map(OrderRows.extensionRequest),
            supervisions: try s.map(OrderRows.supervision), reminders: try r.map(OrderRows.reminder)))
    }

    /// Writes a transition inside the caller's transaction. The whole row is rewritten on the
    /// condition that its version is still the one read: if someone else wrote first the
    /// UPDATE matches no row and nothing is written.
    func save(_ t: Transition, over loaded: Loaded, actor: Actor?, at now: Date) async throws {
        let before = loaded.aggregate
        var after = t.aggregate
        after.order.version = before.order.version + 1
        let matched = try await sql.updateRow("work_orders", columns: BulkRows.orderColumns, BulkRows.order(after.order), extra: [("version", before.order.version)])
        guard matched == 1 else { throw APIProblem.staleVersion }
        try await writeParts(after, previous: before)
        if SearchIndex.text(of: after.order) != SearchIndex.text(of: before.order) { try await SearchIndex(db).update(after.order) }
        try await append(t.events, to: after.order.id, actor: actor, at: now)
    }

    /// Creates a new order (intake) with its first events.
    func create(_ t: Transition, actor: Actor, at now: Date) async throws {
        try await sql.insertRows(into: "work_orders", columns: BulkRows.orderColumns, [BulkRows.order(t.aggregate.order)])
        try await writeParts(t.aggregate, previous: nil)
        try await SearchIndex(db).insert(t.aggregate.order)
        try await append(t.events, to: t.aggregate.order.id, actor: actor, at: now, startingAt: 1)
    }

    /// Stores an order with a history written elsewhere (the demo and synthetic seeds), each
    /// event with its own actor and time.
    func create(_ a: WorkOrderAggregate, history: [(DomainEvent, Actor?, Date)]) async throws {
        try await sql.insertRows(into: "work_orders", columns: BulkRows.orderColumns, [BulkRows.order(a.order)])
        try await writeParts(a, previous: nil)
        try await SearchIndex(db).insert(a.order)
        let rows = history.enumerated().map { i, h in Self.eventRow(h.0, workOrderId: a.order.id, seq: i + 1, at: h.2, actor: h.1) }
        try await sql.insertRows(into: "work_order_events", columns: BulkRows.eventColumns, rows)
    }

    /// New parts are inserted, changed ones rewritten; reminders are only ever added.
    private func writeParts(_ a: WorkOrderAggregate, previous: WorkOrderAggregate?) async throws {
        let orderId = a.order.id
        var inserts: [[DatabaseQuery.Value]] = []
        for asg in a.assignments {
            guard let old = previous?.assignment(asg.id) else { inserts.append(BulkRows.assignment(asg)); continue }
            if old != asg { try await sql.updateRow("assignments", columns: BulkRows.assignmentColumns, BulkRows.assignment(asg)) }
        }
        try await sql.insertRows(into: "assignments", columns: BulkRows.assignmentColumns, inserts)
        inserts = []
        for e in a.extensions {
            guard let old = previous?.extensions.first(where: { $0.id == e.id }) else { inserts.append(BulkRows.extensionRequest(e, workOrderId: orderId)); continue }
            if old != e { try await sql.updateRow("extension_requests", columns: BulkRows.extensionColumns, BulkRows.extensionRequest(e, workOrderId: orderId)) }
        }
        try await sql.insertRows(into: "extension_requests", columns: BulkRows.extensionColumns, inserts)
        inserts = []
        for s in a.supervisions {
            guard let old = previous?.supervisions.first(where: { $0.id == s.id }) else { inserts.append(BulkRows.supervision(s, workOrderId: orderId)); continue }
            if old != s { try await sql.updateRow("supervisions", columns: BulkRows.supervisionColumns, BulkRows.supervision(s, workOrderId: orderId)) }
        }
        try await sql.insertRows(into: "supervisions", columns: BulkRows.supervisionColumns, inserts)
        let known = Set(previous?.reminders.map(\.id) ?? [])
        let reminders = a.reminders.filter { !known.contains($0.id) }.map { BulkRows.reminder($0, workOrderId: orderId) }
        try await sql.insertRows(into: "reminders", columns: BulkRows.reminderColumns, reminders)
    }

    static func eventRow(_ e: DomainEvent, workOrderId: UUID, seq: Int, at: Date, actor: Actor?) -> [DatabaseQuery.Value] {
        BulkRows.event(e, id: UUID.timeOrdered(), workOrderId: workOrderId, seq: seq, at: at, actor: actor, rolesText: actor.map { AccountModel.text($0.roles) } ?? "system")
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

    /// Next number for the day (R-WO-1): `yyyyMMdd` + six digits, from a per-day counter row
    /// bumped in one statement, so numbers never repeat across instances.
    func nextNumber(day: LocalDate) async throws -> String {
        let c = day.components
        let key = c.year.padded(4) + c.month.padded(2) + c.day.padded(2)
        let row = try await sql.raw("""
            INSERT INTO work_order_counters (day, last) VALUES (\(bind: key), 1)
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last
            """).first()
        guard let n = try row?.decode(column: "last", as: Int.self) else {
            throw APIProblem(.internalServerError, code: "numbering_failed", rule: "could not draw an order number")
        }
        return key + n.padded(6)
    }

    /// PostgreSQL draws the number in a short transaction of its own. The day's counter row
    /// stays locked until the end of the transaction that bumped it: drawn inside the order's
    /// transaction, every intake waited for the previous one's commit and its fsync, and intake
    /// ran one at a time (about 400 orders/s with the CPU 23% idle). This transaction commits
    /// without waiting for the disk, which is safe: the order that uses the number commits
    /// durably afterwards, and flushing its commit record flushes the counter's earlier record
    /// too. A crash in between leaves a gap in the numbers, never a repeat.
    func drawNumberApart(day: LocalDate) async throws -> String {
        try await db.transaction { db in
            try await (db as! any SQLDatabase).raw("SET LOCAL synchronous_commit TO OFF").run()
            return try await WorkOrderRepository(db: db).nextNumber(day: day)
        }
    }
}

/// Loads what the rules need besides the order: calendar, parameters, limit rules.
struct RulesLoader {
    let db: any Database
    let services: HotlineServices
    var sql: any SQLDatabase { db as! any SQLDatabase }

    // Read with SQLKit: every intake and action loads these, and Fluent's per-row reflection
    // cost more than the queries themselves.
    func policy() async throws -> Policy {
        var p = Policy()
        for row in try await sql.select().columns("key", "value").from(ParameterModel.schema).all() {
            // A row an older version wrote and this one no longer knows is skipped, not fatal.
            try? p.apply(row.decode(column: "key", as: String.self), row.decode(column: "value", as: String.self))
        }
        return p
    }

    func limits() async throws -> TimeLimitRules {
        let rows = try await sql.select().columns("request_type", "category_prefix", "urgency", "amount", "unit").from(TimeLimitRuleModel.schema).all()
        return TimeLimitRules(try rows.compactMap { row in
            let r = OrderRows.Reader(row: row)
            guard let unit = TimeLimitUnit(rawValue: try r("unit")) else { return nil }
            return TimeLimitRule(
                requestType: try r.optional("request_type", as: String.self).flatMap(RequestType.init(rawValue:)), categoryPrefix: try r.optional("category_prefix"),
                urgency: try r.optional("urgency", as: String.self).flatMap(Urgency.init(rawValue:)), limit: TimeLimit(try r("amount"), unit))
        })
    }

    func lifecycle(now: Date) async throws -> Lifecycle {
        async let calendar = services.calendars.calendar(on: db, now: now)
        async let policy = policy()
        async let limits = limits()
        return Lifecycle(LifecycleContext(now: now, calendar: try await calendar, policy: try await policy, limits: try await limits, newID: { UUID.timeOrdered() }))
    }
}
