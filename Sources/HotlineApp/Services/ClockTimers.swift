import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The stored side of `Lifecycle.timers(for:)`: each moment an order waits for, one row, taken
/// once by the worker (`Worker`).
struct ClockTimers {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    static let columns = ["id", "key", "kind", "work_order_id", "assignment_id", "due_at", "state", "lease_until", "taken_at"]

    /// New moments; one already stored under its key (pending, or taken long ago) is left
    /// as it is, so a moment is never taken twice.
    static func insertion(_ timers: [ClockTimer]) -> (any SQLExpression)? {
        guard !timers.isEmpty else { return nil }
        return SQLRowsInsert(
            table: "clock_timers", columns: columns,
            rows: timers.map { t in
                [.bind(UUID.timeOrdered()), .bind(t.key), .bind(t.kind.rawValue), .bind(t.workOrderId), t.assignmentId.map { .bind($0) } ?? .null, .bind(t.dueAt), .bind("pending"), .null, .null]
            },
            suffix: "ON CONFLICT (\"key\") DO NOTHING")
    }

    /// After a change of the order: the moments it no longer waits for are dropped, new ones
    /// added. Inside the caller's transaction.
    func reschedule(_ orderId: UUID, _ timers: [ClockTimer]) async throws {
        var drop: SQLQueryString = "DELETE FROM clock_timers WHERE work_order_id = \(bind: orderId) AND state = 'pending'"
        if !timers.isEmpty {
            drop.appendInterpolation(unsafeRaw: " AND \"key\" NOT IN (")
            for (i, t) in timers.enumerated() {
                if i > 0 { drop.appendInterpolation(unsafeRaw: ", ") }
                drop.appendInterpolation(bind: t.key)
            }
            drop.appendInterpolation(unsafeRaw: ")")
        }
        try await sql.raw(drop).run()
        if let insert = Self.insertion(timers) { try await sql.execute(sql: insert) { _ in } }
    }

    /// The sweep's write for a page of orders (`Worker.reschedule`): each order's pending
    /// moments made the ones wanted, touching only what differs, so a sweep over orders whose
    /// timers are already right writes nothing. An order whose version moved since it was read
    /// is left alone: the change that moved it set its timers in its own transaction. On
    /// PostgreSQL the orders are locked first, in id order, as every writer locks an order
    /// before its timers.
    func reconcile(_ wanted: [(id: UUID, version: Int, timers: [ClockTimer])]) async throws {
        guard !wanted.isEmpty else { return }
        let lock = sql.dialect.name == "postgresql" ? " ORDER BY id FOR UPDATE" : ""
        let current = try await sql.raw("SELECT id, version FROM work_orders WHERE id IN \(SQLBind.group(wanted.map(\.id)))\(unsafeRaw: lock)").all()
        var versions: [UUID: Int] = [:]
        for row in current { versions[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "version", as: Int.self) }
        let unchanged = wanted.filter { versions[$0.id] == $0.version }
        guard !unchanged.isEmpty else { return }
        // The state is filtered here, not in SQL: with it in the WHERE clause SQLite chose the
        // (state, due_at) index and read every pending timer of the city for each page.
        let pending = try await sql.raw("""
            SELECT id, "key", state FROM clock_timers WHERE work_order_id IN \(SQLBind.group(unchanged.map(\.id)))
            """).all().filter { try $0.decode(column: "state", as: String.self) == "pending" }
            .map { (id: try $0.decode(column: "id", as: UUID.self), key: try $0.decode(column: "key", as: String.self)) }
        let wantedKeys = Set(unchanged.flatMap { $0.timers.map(\.key) })
        let pendingKeys = Set(pending.map(\.key))
        let drop = pending.filter { !wantedKeys.contains($0.key) }.map(\.id)
        for chunk in stride(from: 0, to: drop.count, by: 1000).map({ Array(drop[$0..<min($0 + 1000, drop.count)]) }) {
            try await sql.raw("DELETE FROM clock_timers WHERE id IN \(SQLBind.group(chunk))").run()
        }
        let add = unchanged.flatMap(\.timers).filter { !pendingKeys.contains($0.key) }
        for start in stride(from: 0, to: add.count, by: 500) {
            if let insert = Self.insertion(Array(add[start..<min(start + 500, add.count)])) { try await sql.execute(sql: insert) { _ in } }
        }
    }

    struct Due: Sendable {
        var id: UUID
        var timer: ClockTimer
    }

    /// Claims up to `limit` due moments for `lease` seconds. On PostgreSQL rows another
    /// instance holds are skipped (`FOR UPDATE SKIP LOCKED`); a claim that is not finished in
    /// time (its worker died) is free again when the lease runs out.
    func claim(now: Date, limit: Int, lease: TimeInterval) async throws -> [Due] {
        let postgres = sql.dialect.name == "postgresql"
        let rows = try await sql.raw("""
            UPDATE clock_timers SET lease_until = \(bind: now.addingTimeInterval(lease))
            WHERE id IN (SELECT id FROM clock_timers WHERE state = 'pending' AND due_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now)) ORDER BY due_at LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: postgres ? " FOR UPDATE SKIP LOCKED" : ""))
            RETURNING id, "key", kind, work_order_id, assignment_id, due_at
            """).all()
        return try rows.compactMap { row in
            let r = OrderRows.Reader(row: row)
            guard let kind = ClockKind(rawValue: try r("kind")) else { return nil }
            var t = ClockTimer(kind: kind, workOrderId: try r("work_order_id"), assignmentId: try r.optional("assignment_id"), dueAt: try r("due_at"), basis: .distantPast)
            t.key = try r("key")
            return Due(id: try r("id"), timer: t)
        }.sorted { ($0.timer.dueAt, Self.rank[$0.timer.kind]!) < ($1.timer.dueAt, Self.rank[$1.timer.kind]!) }
    }

    /// Moments due at the same instant are taken in the order the kinds are declared.
    static let rank = Dictionary(uniqueKeysWithValues: ClockKind.allCases.enumerated().map { ($1, $0) })

    /// Locks the order's row until the transaction ends (PostgreSQL; SQLite has one writer).
    func lockOrder(_ id: UUID) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        _ = try await sql.raw("SELECT id FROM work_orders WHERE id = \(bind: id) FOR UPDATE").all()
    }

    /// Marks a claimed moment taken (`done`) or no longer applying (`obsolete`); false when
    /// another worker took it first, and then the caller's transaction must not commit.
    func finish(_ id: UUID, state: String, at now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE clock_timers SET state = \(bind: state), taken_at = \(bind: now), lease_until = NULL
            WHERE id = \(bind: id) AND state = 'pending' RETURNING id
            """).all()
        return rows.count == 1
    }

    /// Gives a claim back at once (the order was being changed by someone: try next round).
    func release(_ id: UUID) async throws {
        try await sql.raw("UPDATE clock_timers SET lease_until = NULL WHERE id = \(bind: id) AND state = 'pending'").run()
    }
}
