import Fluent
import FluentPostgresDriver
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
