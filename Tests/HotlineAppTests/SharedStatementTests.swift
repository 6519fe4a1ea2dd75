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

    @Test("A missing value is an error naming the placeholder, not a wrong bind")
    func missingArgument() throws {
        #expect(throws: SharedStatementError.self) { try EchoStatement.query("SELECT $1, $2", [.text("only one")]) }
    }
}
