import Fluent
import HotlineCore
import SQLKit
import SQLiteNIO
import Vapor

/// One SQLite row's columns by name, converted by SQLiteNIO's own typed initialisers.
struct SQLiteValues {
    let row: SQLiteRow

    func callAsFunction<T: SQLiteDataConvertible>(_ column: String, as _: T.Type = T.self) throws -> T {
        guard let data = row.column(column), let value = T(sqliteData: data) else { throw Self.unreadable(column, row.column(column)) }
        return value
    }
    func optional<T: SQLiteDataConvertible>(_ column: String, as _: T.Type = T.self) throws -> T? {
        guard let data = row.column(column), !data.isNull else { return nil }
        guard let value = T(sqliteData: data) else { throw Self.unreadable(column, data) }
        return value
    }
    /// UUIDs are stored as their text.
    func uuid(_ column: String) throws -> UUID {
        guard let id = UUID(text: try self(column, as: String.self)) else { throw Self.unreadable(column, row.column(column)) }
        return id
    }
    func optionalUUID(_ column: String) throws -> UUID? {
        guard let text = try optional(column, as: String.self) else { return nil }
        guard let id = UUID(text: text) else { throw Self.unreadable(column, row.column(column)) }
        return id
    }
    static func unreadable(_ column: String, _ data: SQLiteData?) -> any Error {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column): unreadable value \(data.map(String.init(describing:)) ?? "missing")"))
    }
}

/// The stored side of `Lifecycle.timers(for:)`: each moment an order waits for, one row, taken
/// once by the worker (`Worker`).
struct ClockTimers {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    static let columns = ["id", "key", "kind", "work_order_id", "assignment_id", "due_at", "state", "lease_until", "taken_at"]

    /// New moments; one already taken under its key is left as it is, so a moment is never
    /// taken twice. One still pending under its key gets the new time if it moved (the key
    /// names the deadline a moment is computed from, not the moment: a changed escalation
    /// step or a new holiday moves the moment, not the deadline).
    static func insertion(_ timers: [ClockTimer]) -> (any SQLExpression)? {
        guard !timers.isEmpty else { return nil }
        return SQLRowsInsert(
            table: "clock_timers", columns: columns,
            rows: timers.map { t in
                [.bind(UUID.timeOrdered()), .bind(t.key), .bind(t.kind.rawValue), .bind(t.workOrderId), t.assignmentId.map { .bind($0) } ?? .null, .bind(t.dueAt), .bind("pending"), .null, .null]
            },
            suffix: """
                ON CONFLICT ("key") DO UPDATE SET due_at = excluded.due_at
                WHERE clock_timers.state = 'pending' AND clock_timers.due_at <> excluded.due_at
                """)
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

    /// An open order as the sweep reads it: what its clocks depend on, and the fingerprint of
    /// the moments stored for it.
    struct Stored: Sendable {
        var facts: ClockFacts
        var version: Int
        var digest: String?
    }

    static let factColumns = ["id", "version", "status", "is_sensitive", "created_at", "dispatch_due_at", "callback_due_at", "timers_digest"]
    static let shareColumns = [
        "id", "work_order_id", "parent_id", "status", "dispatched_at", "sign_due_at", "due_at", "warn_at", "paused_at", "return_requested_at",
    ]

    /// A span of order ids, `after` (exclusive) to `through` (inclusive); nil is open-ended.
    struct Stripe: Sendable, Equatable {
        var after: UUID?
        var through: UUID?

        static let lowest = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        static let highest = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))

        /// `count` stripes covering every id, cut evenly between the first 8 bytes of `low`
        /// and `high` (with time-ordered ids, evenly in time).
        static func cut(low: UUID, high: UUID, count: Int) -> [Stripe] {
            func top(_ u: UUID) -> UInt64 { withUnsafeBytes(of: u.uuid) { $0.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } } }
            let (lo, hi) = (top(low), top(high))
            guard count > 1, hi > lo else { return [Stripe(after: nil, through: nil)] }
            let step = (hi - lo) / UInt64(count)
            let cuts: [UUID] = (1..<count).map { i in
                let v = lo + step * UInt64(i)
                // The last id with these first 8 bytes: the next stripe starts after it.
                return UUID(uuid: (
                    UInt8(v >> 56), UInt8(v >> 48 & 0xFF), UInt8(v >> 40 & 0xFF), UInt8(v >> 32 & 0xFF), UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF),
                    UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF), 255, 255, 255, 255, 255, 255, 255, 255))
            }
            return (0..<count).map { i in Stripe(after: i == 0 ? nil : cuts[i - 1], through: i == count - 1 ? nil : cuts[i]) }
        }
    }

    /// The open orders' id range cut into `count` stripes for the sweep to walk side by side.
    func stripes(_ count: Int) async throws -> [Stripe] {
        // PostgreSQL has no MIN(uuid); its text sorts as its bytes do.
        let id = sql.dialect.name == "postgresql" ? "id::text" : "id"
        let row = try await sql.raw("SELECT MIN(\(unsafeRaw: id)) AS low, MAX(\(unsafeRaw: id)) AS high FROM work_orders WHERE status <> 'closed' AND status <> 'archived'").first()
        guard let row, let low = UUID(uuidString: try row.decode(column: "low", as: String?.self) ?? ""),
              let high = UUID(uuidString: try row.decode(column: "high", as: String?.self) ?? "") else { return [Stripe(after: nil, through: nil)] }
        return Stripe.cut(low: low, high: high, count: count)
    }

    /// Up to `limit` open orders after `after` in id order, with their shares when their clocks
    /// look at them: two queries. Each database's rows are decoded by its own driver as typed
    /// values, not through SQLKit's by-name `Decodable` path, which was most of the sweep's
    /// time (docs/clocks.md).
    func openOrders(after: UUID?, through: UUID?, limit: Int) async throws -> [Stored] {
        let (first, last) = (Stripe.lowest, Stripe.highest)
        var orders: [Stored]
        if let page = try await PreparedStatements.values(PreparedStatements.OpenOrderFacts(after: after ?? first, through: through ?? last, limit: limit), on: db) {
            orders = page
        } else {
            let lite = db as! any SQLiteDatabase
            orders = try await lite.query("""
                SELECT \(SQLColumnList(Self.factColumns).text) FROM work_orders
                WHERE status <> 'closed' AND status <> 'archived' AND id > ?1 AND id <= ?3 ORDER BY id LIMIT ?2
                """, [.text((after ?? first).text), .integer(limit), .text((through ?? last).text)]).map { row in
                let r = SQLiteValues(row: row)
                return Stored(
                    facts: ClockFacts(
                        orderId: try r.uuid("id"), status: WorkOrderStatus(rawValue: try r("status")) ?? .pendingDispatch, isSensitive: try r("is_sensitive"),
                        createdAt: try r("created_at"), dispatchDueAt: try r.optional("dispatch_due_at"), callbackDueAt: try r.optional("callback_due_at"),
                        shares: []),
                    version: try r("version"), digest: try r.optional("timers_digest"))
            }
        }
        let handled = orders.indices.filter { ClockFacts.needsShares(orders[$0].facts.status) }
        guard !handled.isEmpty else { return orders }
        let ids = handled.map { orders[$0].facts.orderId }
        var shares: [UUID: [ClockFacts.Share]] = [:]
        if let rows = try await PreparedStatements.values(PreparedStatements.ShareFacts(orders: ids), on: db) {
            for (order, share) in rows { shares[order, default: []].append(share) }
        } else {
            // The page's handled orders by their id range, not a list of a thousand ids to bind.
            // CROSS JOIN keeps SQLite's join order (its documented planner control): left to
            // itself it started from the status index and read every handled order per page.
            let lite = db as! any SQLiteDatabase
            let statuses = ClockFacts.statusesWithShares.map(\.rawValue)
            for row in try await lite.query("""
                SELECT \(SQLColumnList(Self.shareColumns, table: "a").text) FROM assignments a CROSS JOIN work_orders o ON o.id = a.work_order_id
                WHERE a.work_order_id >= ?1 AND a.work_order_id <= ?2 AND o.status IN (\((3..<3 + statuses.count).map { "?\($0)" }.joined(separator: ", "))) ORDER BY a.dispatched_at
                """, [.text(ids.first!.text), .text(ids.last!.text)] + statuses.map { .text($0) }) {
                let r = SQLiteValues(row: row)
                shares[try r.uuid("work_order_id"), default: []].append(ClockFacts.Share(
                    id: try r.uuid("id"), parentId: try r.optionalUUID("parent_id"), status: AssignmentStatus(rawValue: try r("status")) ?? .toSign,
                    dispatchedAt: try r("dispatched_at"), signDueAt: try r("sign_due_at"), dueAt: try r("due_at"), warnAt: try r("warn_at"),
                    pausedAt: try r.optional("paused_at"), returnRequestedAt: try r.optional("return_requested_at")))
            }
        }
        for i in handled { orders[i].facts.shares = shares[orders[i].facts.orderId] ?? [] }
        return orders
    }

    /// The moments an order should have, and their fingerprint.
    struct Wanted: Sendable {
        var id: UUID
        var version: Int
        var timers: [ClockTimer]
        var digest: String
    }

    /// The sweep's write for the orders of a page whose fingerprints differ: each order's
    /// pending moments made the ones wanted, touching only what differs, and the fingerprint
    /// stored. An order whose version moved since it was read is left alone: the change that
    /// moved it set its timers in its own transaction. On PostgreSQL the orders are locked
    /// first, in id order, as every writer locks an order before its timers.
    /// Answers how many orders it mended (those whose version had not moved).
    @discardableResult
    func reconcile(_ wanted: [Wanted]) async throws -> Int {
        guard !wanted.isEmpty else { return 0 }
        let lock = sql.dialect.name == "postgresql" ? " ORDER BY id FOR UPDATE" : ""
        let current = try await sql.raw("SELECT id, version FROM work_orders WHERE id IN \(SQLBind.group(wanted.map(\.id)))\(unsafeRaw: lock)").all()
        var versions: [UUID: Int] = [:]
        for row in current { versions[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "version", as: Int.self) }
        let unchanged = wanted.filter { versions[$0.id] == $0.version }
        guard !unchanged.isEmpty else { return 0 }
        // The state is filtered here, not in SQL: with it in the WHERE clause SQLite chose the
        // (state, due_at) index and read every pending timer of the city for each page.
        var pending: [String: (id: UUID, dueAt: Date)] = [:]
        for row in try await sql.raw("""
            SELECT id, "key", state, due_at FROM clock_timers WHERE work_order_id IN \(SQLBind.group(unchanged.map(\.id)))
            """).all() where try row.decode(column: "state", as: String.self) == "pending" {
            let r = OrderRows.Reader(row: row)
            pending[try r("key")] = (try r.uuid("id", storedAsText: sql.dialect.name == "sqlite"), try r("due_at"))
        }
        let wantedKeys = Set(unchanged.flatMap { $0.timers.map(\.key) })
        let drop = pending.filter { !wantedKeys.contains($0.key) }.map(\.value.id)
        for chunk in stride(from: 0, to: drop.count, by: 1000).map({ Array(drop[$0..<min($0 + 1000, drop.count)]) }) {
            try await sql.raw("DELETE FROM clock_timers WHERE id IN \(SQLBind.group(chunk))").run()
        }
        // New moments, and pending ones whose time moved (`insertion` updates those).
        let add = unchanged.flatMap(\.timers).filter { t in pending[t.key].map { $0.dueAt != t.dueAt } ?? true }
        for start in stride(from: 0, to: add.count, by: 500) {
            if let insert = Self.insertion(Array(add[start..<min(start + 500, add.count)])) { try await sql.execute(sql: insert) { _ in } }
        }
        // One statement per 500 orders: `CASE id WHEN … THEN …` is written the same in both dialects.
        for start in stride(from: 0, to: unchanged.count, by: 500) {
            let part = unchanged[start..<min(start + 500, unchanged.count)]
            var update: SQLQueryString = "UPDATE work_orders SET timers_digest = CASE id"
            for w in part { update.appendInterpolation(unsafeRaw: " WHEN "); update.appendInterpolation(bind: w.id); update.appendInterpolation(unsafeRaw: " THEN "); update.appendInterpolation(bind: w.digest) }
            update.appendInterpolation(unsafeRaw: " END WHERE id IN ")
            update.appendInterpolation(SQLBind.group(part.map(\.id)))
            try await sql.raw(update).run()
        }
        return unchanged.count
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
    /// another worker took it first, or when a change or the sweep moved it later since it was
    /// claimed (the worker acted on the time it claimed), and then the caller's transaction
    /// must not commit: the moment stays pending for its new time.
    func finish(_ id: UUID, state: String, at now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE clock_timers SET state = \(bind: state), taken_at = \(bind: now), lease_until = NULL
            WHERE id = \(bind: id) AND state = 'pending' AND due_at <= \(bind: now) RETURNING id
            """).all()
        return rows.count == 1
    }

    /// Gives a claim back at once (the order was being changed by someone: try next round).
    func release(_ id: UUID) async throws {
        try await sql.raw("UPDATE clock_timers SET lease_until = NULL WHERE id = \(bind: id) AND state = 'pending'").run()
    }
}
