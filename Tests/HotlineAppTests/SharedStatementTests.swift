import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor

@testable import HotlineApp

/// A statement written once in `$n` form, run on whichever database the suite runs on:
/// prepared on PostgreSQL, bound in place by SQLKit on SQLite.
struct EchoStatement: SharedStatement {
    static let sql = "SELECT $2 AS second, $1 AS first, $1 AS again, $10 AS tenth, $3 AS absent"
    static var bindingDataTypes: [PostgresDataType] { [.text, .int8, .text, .text, .text, .text, .text, .text, .text, .text] }
    let first: String
    let second: Int
    var arguments: [BulkCell] { [.text(first), .int(second), .null] + (4...9).map { .text("unused \($0)") } + [.text("ten")] }
}

@Suite("Statements shared by both databases ([scale])")
struct SharedStatementTests {
    @Test("Each $n is bound to its own value, a number used twice twice, $10 as ten; it runs again on a prepared connection")
    func placeholders() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            for round in 1...3 {
                let rows = try await EchoStatement(first: "路灯 \(round)", second: round).rows(on: app.db)
                #expect(rows.count == 1)
                let row = try #require(rows.first)
                #expect(try row.decode(column: "first", as: String.self) == "路灯 \(round)")
                #expect(try row.decode(column: "again", as: String.self) == "路灯 \(round)")
                #expect(try row.decode(column: "second", as: Int.self) == round)
                #expect(try row.decode(column: "tenth", as: String.self) == "ten")
                #expect(try row.decodeNil(column: "absent"))
            }
        }
    }

    /// Whole numbers, negative ones after a minus sign included.
    struct Arithmetic: SharedStatement {
        static let name = "test_arithmetic"
        static let sql = "SELECT 10-$1 AS difference, $2 * 2 AS doubled, $3 AS label"
        static var bindingDataTypes: [PostgresDataType] { [.int8, .int8, .text] }
        let n: Int
        let m: Int
        var arguments: [BulkCell] { [.int(n), .int(m), .text("-1")] }
    }

    @Test("Whole numbers, written into SQLite's text rather than bound, keep their values: a negative one after a minus sign is not read as a comment")
    func wholeNumbers() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            for (n, m) in [(-5, 3), (7, -4), (0, 0), (-1_000_000_000_000, 1 << 40)] {
                let rows = try await Arithmetic(n: n, m: m).rows(on: app.db)
                let row = try #require(rows.first)
                #expect(try row.decode(column: "difference", as: Int.self) == 10 - n)
                #expect(try row.decode(column: "doubled", as: Int.self) == m * 2)
                #expect(try row.decode(column: "label", as: String.self) == "-1")
            }
            // On SQLite, written in, not bound: the text holds the numbers themselves, and
            // only the text is bound, as ?3 (the numbers' places stay parameters).
            let (text, binds) = try Arithmetic.sqliteQuery(Arithmetic.sql, Arithmetic(n: -5, m: 3).arguments)
            #expect(text == "SELECT 10-(-5) AS difference, 3 * 2 AS doubled, ?3 AS label")
            #expect(binds == [.integer(-5), .integer(3), .text("-1")])
            // PostgreSQL's unprepared fallback binds every value.
            let query = try Arithmetic.query(Arithmetic.sql, Arithmetic(n: -5, m: 3).arguments)
            var serializer = SQLSerializer(database: app.db as! any SQLDatabase)
            query.serialize(to: &serializer)
            #expect(serializer.binds.count == 3)
        }
    }

    /// One value of each kind a shared statement reads.
    struct Kinds: SharedStatement {
        static let name = "test_kinds"
        static let sql = "SELECT $1 AS id, $2 AS label, $3 AS n, $4 AS flag, $5 AS at, $6 AS none"
        static var bindingDataTypes: [PostgresDataType] { [.uuid, .text, .int8, .bool, .timestamptz, .text] }
        let id: UUID
        let at: Date
        var arguments: [BulkCell] { [.uuid(id), .text("路灯 'x'"), .int(-42), .bool(true), .date(at), .null] }
    }

    @Test("A shared statement's row is read by type on either database: ids, text, numbers, flags, times and null")
    func kinds() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            let id = UUID()
            let at = Date(timeIntervalSince1970: 1_795_000_000)
            let row = try #require(try await Kinds(id: id, at: at).rows(on: app.db).first)
            // SQLite's rows come straight from sqlite-nio, PostgreSQL's from the prepared statement.
            #expect(row is SQLiteReadRow || row is PostgresReadRow)
            let r = OrderRows.Reader(row: row)
            #expect(try r("id") as UUID == id)
            #expect(try r("label") as String == "路灯 'x'")
            #expect(try r("n") as Int == -42)
            #expect(try r("flag") as Bool == true)
            #expect(try r("at") as Date == at)
            #expect(try r.optional("none") as String? == nil)
            #expect(try r.optional("label") as String? == "路灯 'x'")
            #expect(try r.optional("none") as UUID? == nil)
            #expect(throws: (any Error).self) { try r("absent") as String }
            // The row's own decoder reads the same.
            #expect(try row.decode(column: "label", as: String.self) == "路灯 'x'")
            #expect(try row.decodeNil(column: "none"))
        }
    }

    @Test("Ids are read from SQLite's text by the project's own parser, and from PostgreSQL's bytes, the same either way")
    func ids() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            let sql = app.db as! any SQLDatabase
            let id = UUID()
            let row = try #require(try await sql.raw("SELECT \(bind: id) AS id, NULL AS none").first())
            let sqlite = sql.dialect.name == "sqlite"
            #expect(OrderRows.Reader.holdsIdsAsText(row) == sqlite)
            let r = OrderRows.Reader(row: row)
            #expect(try r("id") as UUID == id)
            #expect(try r.optional("id") as UUID? == id)
            #expect(try r.optional("none") as UUID? == nil)
        }
    }

    /// Reads a table the test creates after the first try.
    struct LateTable: SharedStatement {
        static let name = "test_late_table"
        static let sql = "SELECT n FROM shared_statement_late WHERE n = $1"
        let n: Int
        var arguments: [BulkCell] { [.int(n)] }
    }

    @Test("A statement whose preparation failed once still runs when it can: PostgresNIO keeps the failure on its connection, the read falls back to an unprepared run")
    func failedPreparation() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            // On one connection, so the failed preparation is the one the later runs meet.
            try await app.db.withConnection { db in
                let sql = db as! any SQLDatabase
                try await sql.raw("DROP TABLE IF EXISTS shared_statement_late").run()
                await #expect(throws: (any Error).self) { try await LateTable(n: 1).rows(on: db) }
                try await sql.raw("CREATE TABLE shared_statement_late (n BIGINT NOT NULL)").run()
                try await sql.raw("INSERT INTO shared_statement_late (n) VALUES (1), (2)").run()
                for _ in 1...2 {
                    let rows = try await LateTable(n: 2).rows(on: db)
                    #expect(try rows.map { try $0.decode(column: "n", as: Int.self) } == [2])
                }
                try await sql.raw("DROP TABLE shared_statement_late").run()
            }
        }
    }

    @Test("Statements known only at run time run prepared on PostgreSQL, each text under its own name on one connection, with text, numbers, null and JSON bound as SQLKit binds them")
    func runtimeStatements() async throws {
        try await withTestApp(seedingWorld: false) { app, _, _ in
            guard app.db is any PostgresDatabase else {
                // SQLite plans in microseconds and has no data-modifying WITH: the usual path.
                #expect(try await RuntimeStatement.run("SELECT \(bind: 1)" as SQLQueryString, on: app.db) == false)
                return
            }
            try await app.db.withConnection { db in
                let sql = db as! any SQLDatabase
                try await sql.raw("CREATE TABLE runtime_statement_rows (n BIGINT NOT NULL, label TEXT, details JSONB NOT NULL)").run()
                func one(_ n: Int, _ label: String?) -> SQLQueryString {
                    "INSERT INTO runtime_statement_rows (n, label, details) VALUES (\(bind: n), \(bind: label), \(bind: ["n": "\(n)", "path": "a/b"]))"
                }
                func two(_ n: Int) -> SQLQueryString {
                    "WITH w0 AS (INSERT INTO runtime_statement_rows (n, label, details) VALUES (\(bind: n), \(bind: "甲"), \(bind: ["n": "\(n)"]))) INSERT INTO runtime_statement_rows (n, label, details) VALUES (\(bind: n + 1), \(bind: "乙"), \(bind: [String: String]()))"
                }
                // Alternating texts, each run more than once: the second run of each executes
                // what the first prepared. A NULL bind is a text of its own (its type is not text).
                for (i, statement) in [one(1, "一"), two(10), one(2, "二"), two(20), one(3, nil), one(4, nil)].enumerated() {
                    #expect(try await RuntimeStatement.run(statement, on: db), "statement \(i)")
                }
                let rows = try await sql.raw("SELECT n, label, details->>'n' AS dn, details->>'path' AS path FROM runtime_statement_rows ORDER BY n").all()
                let seen = try rows.map { r in
                    "\(try r.decode(column: "n", as: Int.self)) \(try r.decode(column: "label", as: String?.self) ?? "-") \(try r.decode(column: "dn", as: String?.self) ?? "-") \(try r.decode(column: "path", as: String?.self) ?? "-")"
                }
                #expect(seen == ["1 一 1 a/b", "2 二 2 a/b", "3 - 3 a/b", "4 - 4 a/b", "10 甲 10 -", "11 乙 - -", "20 甲 20 -", "21 乙 - -"])
                // Both texts are prepared on this connection, under the names the registry gave.
                let prepared = try await sql.raw("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'hotline_rt_%'").all()
                    .map { try $0.decode(column: "statement", as: String.self) }
                #expect(prepared.contains { $0.hasPrefix("INSERT INTO runtime_statement_rows") })
                #expect(prepared.contains { $0.hasPrefix("WITH w0 AS (INSERT INTO runtime_statement_rows") })
                // A value PostgresKit would bind some other way is left to the usual path.
                struct Opinion: Encodable, Sendable { let text: String }
                let other: SQLQueryString = "INSERT INTO runtime_statement_rows (n, label, details) VALUES (\(bind: 99), NULL, \(bind: Opinion(text: "好")))"
                #expect(try await RuntimeStatement.run(other, on: db) == false)
                let count = try await sql.raw("SELECT count(*) AS c FROM runtime_statement_rows WHERE n = 99").first()!.decode(column: "c", as: Int.self)
                #expect(count == 0)
                try await sql.raw("DROP TABLE runtime_statement_rows").run()
            }
            // A failure that may be the preparation's: outside a transaction the statement is
            // handed back to run unprepared (false); inside one (Fluent counts a pinned
            // connection as one), its own error comes out, not the "transaction aborted" of a
            // second try.
            let missing: SQLQueryString = "INSERT INTO runtime_statement_missing (n) VALUES (\(bind: 1))"
            #expect(try await RuntimeStatement.run(missing, on: app.db) == false)
            do {
                try await app.db.transaction { tx in _ = try await RuntimeStatement.run(missing, on: tx) }
                Issue.record("a missing table went unnoticed")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.sqlState] == "42P01")
            }
        }
    }

    @Test("On PostgreSQL an intake's statement runs prepared and stores the order as before")
    func intakePrepared() async throws {
        try await withTestApp { app, world, _ in
            guard app.db is any PostgresDatabase else { return }
            // PostgreSQL tests take turns (`DatabaseTurns`), and SQLite's never run these: the
            // counters move only for this test's own statements.
            let retried = RuntimeStatement.retriedUnprepared.withLockedValue { $0 }
            let runs = RuntimeStatement.preparedRuns.withLockedValue { $0 }
            for phone in ["13800000001", "13800000002"] {
                let created = try await app.call(.POST, "/work-orders", as: "agent", world: world, json: intakeBody(phone: phone))
                #expect(created.status == .created)
                let id = try #require(created.json.string("id"))
                let detail = try await app.call(.GET, "/work-orders/\(id)", as: "agent", world: world)
                #expect(detail.json.string("number") == created.json.string("number"))
                #expect((detail.json["citizen"] as? [String: Any])?["phone"] as? String == phone)
                let timeline = try await app.call(.GET, "/work-orders/\(id)/timeline", as: "agent", world: world)
                let events = (try? JSONSerialization.jsonObject(with: Data(buffer: timeline.body))) as? [[String: Any]] ?? []
                #expect(events.first?["action"] as? String == "intake")
                #expect(events.first?["details"] is [String: Any])
            }
            #expect(RuntimeStatement.texts.contains { $0.hasPrefix("WITH w0 AS (INSERT INTO \"work_orders\"") })
            // One prepared statement per intake: the order with all its rows.
            #expect(RuntimeStatement.preparedRuns.withLockedValue { $0 } - runs == 2)
            #expect(RuntimeStatement.retriedUnprepared.withLockedValue { $0 } == retried)
        }
    }

    @Test("A missing value is an error naming the placeholder, not a wrong bind")
    func missingArgument() throws {
        #expect(throws: SharedStatementError.self) { try EchoStatement.query("SELECT $1, $2", [.text("only one")]) }
    }
}
