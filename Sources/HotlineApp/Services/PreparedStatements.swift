import Fluent
import FluentPostgresDriver
import Foundation
import HotlineCore
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO

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
        return rows.map(PostgresReadRow.init)
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

    /// `read`'s answer, or nil when it fails as well as when it gives nil (not PostgreSQL):
    /// PostgresNIO keeps a failed preparation for the life of its connection (a prepare refused
    /// once, say in a transaction already aborted, fails every later run there), so the
    /// caller runs the same read unprepared, as SQLKit sends everything else.
    static func orNil<T>(_ name: String, on db: any Database, _ read: () async throws -> T?) async -> T? {
        do {
            return try await read()
        } catch {
            db.logger.warning("prepared statement \(name) failed, run unprepared: \(String(reflecting: error))")
            return nil
        }
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
    struct TokenLookup: SharedStatement {
        static let sql = """
            SELECT t.id AS token_id, t.csrf_token, t.expires_at, a.id AS account_id, a.display_name, a.roles, a.active, a.extension,
            u.id AS unit_id, u.name AS unit_name, u.level, u.parent_id, u.path
            FROM access_tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
            WHERE t.token_hash = $1
            """
        let tokenHash: String
        var arguments: [BulkCell] { [.text(tokenHash)] }
    }

    /// Adds `count` to the day's counter without waiting for the disk and returns its new
    /// value (`WorkOrderRepository.drawNumberApart`).
    struct DrawNumber: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO work_order_counters (day, last)
            SELECT $1, $2 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait WHERE true
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + $2 RETURNING last
            """
        typealias Row = PostgresRow
        let day: String
        let count: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(day)
            bindings.append(count)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}

/// A read written once, as text in PostgreSQL's `$1…$n` form, for both databases. PostgreSQL
/// runs it as a prepared statement, parsed and planned once per connection: on the hot reads
/// (a unit's inbox, an order's parts) planning cost PostgreSQL more than answering, about a
/// millisecond a statement at a million orders. On SQLite each `$n` is bound in place (SQLite
/// plans in microseconds), except whole numbers, which are written into the text
/// (`sqliteQuery`).
///
/// PostgreSQL keeps only the first 63 bytes of a statement's name; PostgresNIO names it by
/// its Swift type unless `name` says otherwise, so generic statements give a short one.
protocol SharedStatement: PostgresPreparedStatement where Row == PostgresRow {
    /// The values of `$1…$n`, in order. Text, ids, numbers, flags, times and null only.
    var arguments: [BulkCell] { get }
}

extension SharedStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for cell in arguments {
            switch cell {
            case .null: bindings.appendNull()
            case .text(let x): bindings.append(x)
            case .uuid(let x): bindings.append(x)
            case .int(let x): bindings.append(x)
            case .bool(let x): bindings.append(x)
            case .date(let x): bindings.append(x)
            case .double(let x): bindings.append(x)
            case .object, .encodable: throw SharedStatementError.unsupportedArgument(Self.name)
            }
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// The statement's rows, read like SQLKit's on either database.
    func rows(on db: any Database) async throws -> [any SQLRow] {
        if let rows = await PreparedStatements.orNil(Self.name, on: db, { try await PreparedStatements.rows(self, on: db) }) { return rows }
        if let sqlite = db as? any SQLiteDatabase {
            let (text, binds) = try Self.sqliteQuery(Self.sql, arguments)
            return try await sqlite.query(text, binds).map(SQLiteReadRow.init)
        }
        return try await (db as! any SQLDatabase).raw(Self.query(Self.sql, arguments)).all()
    }

    /// `text` with each `$n` replaced by a bind of `arguments[n - 1]`, in SQLKit's own
    /// placeholder syntax: a number used twice is bound twice.
    static func query(_ text: String, _ arguments: [BulkCell]) throws -> SQLQueryString {
        var query = SQLQueryString("")
        try scan(text, arguments, literal: { query.appendLiteral($0) }, placeholder: { n in query.appendInterpolation(bind: arguments[n - 1].encodable) })
        return query
    }

    /// SQLite's text and binds for `text`: `$n` becomes `?n`, bound to `arguments[n - 1]` as
    /// SQLiteKit binds it, and run through sqlite-nio directly, so that `OrderRows.Reader`
    /// reads the rows' cells by type (`SQLiteReadRow`).
    ///
    /// Whole numbers are written into the text instead. SQLite re-prepares a statement at its
    /// first step when a bound `LIMIT` or `OFFSET` changes, and sqlite-nio binds after
    /// preparing, so every inbox page was parsed twice (4% of all samples of SQLite inbox
    /// pages, docs/PERFORMANCE.md). sqlite-nio keeps no prepared statements, so a literal
    /// loses no reuse. (Not on PostgreSQL, which reads a small literal as a 32-bit integer.)
    static func sqliteQuery(_ text: String, _ arguments: [BulkCell]) throws -> (String, [SQLiteData]) {
        var sql = ""
        var highest = 0
        try scan(text, arguments, literal: { sql += $0 }, placeholder: { n in
            if case .int(let number) = arguments[n - 1] {
                // In parentheses when negative: after a `-` in the text, `--` would open a comment.
                sql += number < 0 ? "(\(number))" : String(number)
            } else {
                sql += "?\(n)"
                highest = max(highest, n)
            }
        })
        // Every number up to the highest is a parameter of the statement, used or not.
        // SQLiteKit's default encoder, the one `configure` leaves the SQLite database with: the
        // values are bound as SQLKit binds them everywhere else.
        let encoder = SQLiteDataEncoder()
        let binds = try arguments.prefix(highest).map { cell -> SQLiteData in
            switch cell {
            case .object, .encodable: throw SharedStatementError.unsupportedArgument(name)
            default: return try encoder.encode(cell.encodable)
            }
        }
        return (sql, binds)
    }

    /// Walks `text`, handing on each run of literal text and the number of each `$n`.
    private static func scan(_ text: String, _ arguments: [BulkCell], literal: (String) -> Void, placeholder: (Int) throws -> Void) throws {
        let bytes = Array(text.utf8)
        var literalStart = 0
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[i + 1]) else { i += 1; continue }
            var end = i + 1
            var n = 0
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { n = n * 10 + Int(bytes[end] - UInt8(ascii: "0")); end += 1 }
            guard n <= arguments.count else { throw SharedStatementError.missingArgument(name, n) }
            literal(String(decoding: bytes[literalStart..<i], as: UTF8.self))
            try placeholder(n)
            literalStart = end
            i = end
        }
        literal(String(decoding: bytes[literalStart...], as: UTF8.self))
    }
}

/// A SQLite row of a `SharedStatement`, read like SQLiteKit's, whose cells `OrderRows.Reader`
/// also reads by type: SQLiteKit's decoder asks each value's type for its conversion by a
/// dynamic cast, and those casts and metadata lookups were 3.4% of a SQLite inbox page's
/// samples (docs/PERFORMANCE.md).
struct SQLiteReadRow: SQLRow {
    let row: SQLiteRow

    init(_ row: SQLiteRow) { self.row = row }

    var allColumns: [String] { row.columns.map(\.name) }
    func contains(column: String) -> Bool { row.column(column) != nil }
    func decodeNil(column: String) throws -> Bool { (row.column(column) ?? .null) == .null }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let data = row.column(column) else { throw PostgresReadRow.MissingColumn(name: column) }
        return try SQLiteDataDecoder().decode(D.self, from: data)
    }
}

enum SharedStatementError: Error, CustomStringConvertible {
    case unsupportedArgument(String)
    case missingArgument(String, Int)

    var description: String {
        switch self {
        case .unsupportedArgument(let name): "\(name): only text, ids, numbers, flags, times and null can be bound"
        case .missingArgument(let name, let n): "\(name): no value for $\(n)"
        }
    }
}

extension BulkCell {
    /// The value as SQLKit binds it.
    var encodable: any Encodable & Sendable {
        switch self {
        case .null: String?.none
        case .text(let x): x
        case .uuid(let x): x
        case .int(let x): x
        case .bool(let x): x
        case .date(let x): x
        case .double(let x): x
        case .object(let x): x
        case .encodable(let x): x
        }
    }
}

/// A PostgreSQL row read like SQLKit's, whose cells `OrderRows.Reader` can also read by type.
struct PostgresReadRow: SQLRow {
    struct MissingColumn: Error, CustomStringConvertible {
        let name: String
        var description: String { "no column \(name)" }
    }

    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }
    func contains(column: String) -> Bool { cells.contains(column) }
    func decodeNil(column: String) throws -> Bool { !cells.contains(column) || cells[column].bytes == nil }
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard cells.contains(column) else { throw MissingColumn(name: column) }
        if let typed = D.self as? any PostgresDecodable.Type { return try Self.decode(typed, cells[column]) as! D }
        // Anything else (JSON bodies) as PostgresKit reads it.
        return try row.sql().decode(column: column, as: D.self)
    }

    private static func decode<T: PostgresDecodable>(_: T.Type, _ cell: PostgresCell) throws -> T { try cell.decode(T.self) }
}

/// A statement whose text is known only when it runs (intake's one statement of `WITH`
/// queries, whose parts depend on the order), prepared once per connection and text.
/// Unprepared, PostgreSQL parses, analyses and plans it at every intake: `pgbench` on the
/// statement of a plain intake gave 0.53–0.70 ms unprepared against 0.25–0.31 ms prepared
/// (session 12), most of PostgreSQL's CPU per order.
///
/// PostgresNIO names and texts a prepared statement by its type's static members and reads
/// them in `execute` (and its error path), within the calling task; here they come from a
/// task-local set around that call. A test runs two texts in turn on one connection, so a
/// PostgresNIO that read them anywhere else would fail it.
struct RuntimeStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        let name: String
        let sql: String
        let types: [PostgresDataType]
    }

    @TaskLocal static var current: Text?

    // Outside `current` a statement that cannot run: an error, not another statement's text.
    static var name: String { current?.name ?? "hotline_runtime_without_text" }
    static var sql: String { current?.sql ?? "SELECT 'a runtime statement ran without its text'::int" }
    static var bindingDataTypes: [PostgresDataType] { current?.types ?? [] }

    typealias Row = PostgresRow
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }

    /// Texts seen so far, each with its statement name. Bounded: past `limit` texts the rest run
    /// unprepared, so an unexpected variety of shapes cannot grow every connection's cache.
    /// (Absent values are written as literal NULLs, so each combination of absent columns is
    /// a text of its own.)
    private static let names = NIOLockedValueBox([String: String]())
    static let limit = 256
    /// Statements run prepared, and writes that failed prepared and were run again unprepared.
    static let preparedRuns = NIOLockedValueBox(0)
    static let retriedUnprepared = NIOLockedValueBox(0)
    /// Texts whose failure was logged: PostgresNIO keeps a failed preparation for the life of
    /// its connection, and every later run there fails the same way.
    private static let logged = NIOLockedValueBox(Set<String>())

    /// The texts prepared so far (for tests).
    static var texts: [String] { names.withLockedValue { $0.keys.map { String($0.prefix { $0 != "\u{0}" }) } } }

    private static func name(for key: String) -> String? {
        names.withLockedValue { names in
            if let name = names[key] { return name }
            guard names.count < limit else { return nil }
            let name = "hotline_rt_\(names.count + 1)"
            names[key] = name
            return name
        }
    }

    /// Runs `expression` prepared on PostgreSQL. False, having done nothing, when `db` is not
    /// PostgreSQL, a value is of a kind this does not bind as PostgresKit would, or the texts
    /// are used up; the caller then runs it as usual.
    ///
    /// Also false after a failure that may be the preparation's, when running it again is
    /// safe: outside a transaction (inside one, the first error aborted it and is the one to
    /// report) and not a broken rule (a duplicate key is answered as such). The statement was
    /// one write that did not happen, with every row's id already in it, so running it again
    /// cannot store anything twice.
    static func run(_ expression: any SQLExpression, on db: any Database) async throws -> Bool {
        guard let pg = db as? any PostgresDatabase, let sqlDB = db as? any SQLDatabase else { return false }
        var serializer = SQLSerializer(database: sqlDB)
        expression.serialize(to: &serializer)
        var bindings = PostgresBindings(capacity: serializer.binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(serializer.binds.count)
        for bind in serializer.binds {
            guard let type = try append(bind, to: &bindings) else { return false }
            types.append(type)
        }
        let key = serializer.sql + "\u{0}" + types.map { String($0.rawValue) }.joined(separator: ",")
        guard let name = name(for: key) else { return false }
        let text = Text(name: name, sql: serializer.sql, types: types)
        let statement = RuntimeStatement(bindings: bindings)
        let logger = db.logger
        do {
            try await pg.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await $current.withValue(text) {
                        for try await _ in try await connection.execute(statement, logger: logger) {}
                    }
                }
            }.get()
        } catch let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("23") == false && !db.inTransaction {
            retriedUnprepared.withLockedValue { $0 += 1 }
            if logged.withLockedValue({ $0.insert(key).inserted }) {
                logger.warning("prepared statement \(name) failed, run unprepared (logged once): \(String(reflecting: error))")
            }
            return false
        }
        preparedRuns.withLockedValue { $0 += 1 }
        return true
    }

    /// A bind as PostgresKit encodes it (`PostgresDataTranslation`): nil as NULL, PostgresNIO's
    /// own types directly, a JSON object of strings as `jsonb`. The value's type, or nil for
    /// anything else.
    private static func append<T: Encodable>(_ value: T, to bindings: inout PostgresBindings) throws -> PostgresDataType? {
        if let optional = value as? any OptionalBind {
            // NULL of no named type, as a literal NULL: PostgreSQL takes the column's.
            guard let wrapped = optional.wrappedBind else {
                bindings.appendNull()
                return .null
            }
            return try append(wrapped, to: &bindings)
        }
        if let typed = value as? any PostgresThrowingDynamicTypeEncodable {
            try bindings.append(typed, context: .default)
            return typed.psqlType
        }
        if let object = value as? [String: String] {
            // An event's details, written by hand: `JSONEncoder` was 1.8% of an intake's server CPU.
            bindings.append(JSONBObject(json: BulkJSON.bytes(object)))
            return .jsonb
        }
        return nil
    }

    /// An optional bind, seen through.
    fileprivate protocol OptionalBind { var wrappedBind: (any Encodable)? { get } }

    /// JSON sent as `jsonb` in binary form: a version byte, then the text.
    private struct JSONBObject: PostgresNonThrowingEncodable {
        static var psqlType: PostgresDataType { .jsonb }
        static var psqlFormat: PostgresFormat { .binary }
        let json: [UInt8]
        func encode<E: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<E>) {
            byteBuffer.writeInteger(UInt8(1))
            byteBuffer.writeBytes(json)
        }
    }
}

extension Optional: RuntimeStatement.OptionalBind where Wrapped: Encodable {
    var wrappedBind: (any Encodable)? { self.map { $0 as any Encodable } }
}

extension BulkJSON {
    /// `object(_:)` as bytes, for a `jsonb` bind.
    static func bytes(_ d: [String: String]) -> [UInt8] { Array(object(d).utf8) }
}
