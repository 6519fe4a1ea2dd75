import Fluent
import FluentPostgresDriver
import Foundation
import HotlineCore
import SQLKit

/// Statements that every request or every intake runs, prepared once per PostgreSQL connection.
/// An unprepared statement is parsed and planned on every run: for the token lookup (a join
/// of three tables) planning cost PostgreSQL more than answering, and the planner was a
/// quarter of its CPU under intake. SQLite caches its own prepared statements.
enum PreparedStatements {
    /// The rows of `statement` on one pooled PostgreSQL connection, read like SQLKit's rows;
    /// nil when `db` is not PostgreSQL.
    static func rows<S: PostgresPreparedStatement>(_ statement: S, on db: any Database) async throws -> [any SQLRow]? where S.Row == PostgresRow {
        guard let pg = db as? any PostgresDatabase else { return nil }
        let logger = db.logger
        let rows = try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [PostgresRow] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                return rows
            }
        }.get()
        return rows.map { $0.sql() }
    }

    /// The decoded rows of `statement` on one pooled PostgreSQL connection; nil when `db` is not
    /// PostgreSQL. Each row is decoded by PostgresNIO as a typed tuple, without SQLKit's
    /// by-name, `Decodable` path: for the sweep over every open order that path was most of
    /// the time.
    static func values<S: PostgresPreparedStatement>(_ statement: S, on db: any Database) async throws -> [S.Row]? where S.Row: Sendable {
        guard let pg = db as? any PostgresDatabase else { return nil }
        let logger = db.logger
        return try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [S.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                return rows
            }
        }.get()
    }

    /// A page of open orders as the worker's sweep reads them (`ClockTimers.openOrders`).
    struct OpenOrderFacts: PostgresPreparedStatement {
        static let sql = """
            SELECT id, version, status, is_sensitive, created_at, dispatch_due_at, callback_due_at, timers_digest FROM work_orders
            WHERE status <> 'closed' AND status <> 'archived' AND id > $1 AND id <= $3 ORDER BY id LIMIT $2
            """
        typealias Row = ClockTimers.Stored
        let after: UUID
        let through: UUID
        let limit: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(after)
            bindings.append(limit)
            bindings.append(through)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> ClockTimers.Stored {
            let (id, version, status, sensitive, createdAt, dispatchDueAt, callbackDueAt, digest) = try row.decode((UUID, Int, String, Bool, Date, Date?, Date?, String?).self)
            return ClockTimers.Stored(
                facts: ClockFacts(
                    orderId: id, status: WorkOrderStatus(rawValue: status) ?? .pendingDispatch, isSensitive: sensitive, createdAt: createdAt,
                    dispatchDueAt: dispatchDueAt, callbackDueAt: callbackDueAt, shares: []),
                version: version, digest: digest)
        }
    }

    /// The shares of those orders, as far as their clocks go.
    struct ShareFacts: PostgresPreparedStatement {
        static let sql = """
            SELECT work_order_id, id, parent_id, status, dispatched_at, sign_due_at, due_at, warn_at, paused_at, return_requested_at
            FROM assignments WHERE work_order_id = ANY($1) ORDER BY dispatched_at
            """
        typealias Row = (UUID, ClockFacts.Share)
        let orders: [UUID]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(orders)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (UUID, ClockFacts.Share) {
            let (order, id, parentId, status, dispatchedAt, signDueAt, dueAt, warnAt, pausedAt, returnRequestedAt) =
                try row.decode((UUID, UUID, UUID?, String, Date, Date, Date, Date, Date?, Date?).self)
            return (order, ClockFacts.Share(
                id: id, parentId: parentId, status: AssignmentStatus(rawValue: status) ?? .toSign, dispatchedAt: dispatchedAt, signDueAt: signDueAt,
                dueAt: dueAt, warnAt: warnAt, pausedAt: pausedAt, returnRequestedAt: returnRequestedAt))
        }
    }

    /// The session behind a bearer token or cookie, with its account and unit (`Principal`).
    struct TokenLookup: PostgresPreparedStatement {
        static let sql = """
            SELECT t.id AS token_id, t.csrf_token, t.expires_at, a.id AS account_id, a.display_name, a.roles, a.active, a.extension,
            u.id AS unit_id, u.name AS unit_name, u.level, u.parent_id, u.path
            FROM access_tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
            WHERE t.token_hash = $1
            """
        typealias Row = PostgresRow
        let tokenHash: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(tokenHash)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// Draws the day's next order number without waiting for the disk
    /// (`WorkOrderRepository.drawNumberApart`).
    struct DrawNumber: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO work_order_counters (day, last)
            SELECT $1, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait WHERE true
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last
            """
        typealias Row = PostgresRow
        let day: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(day)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}
