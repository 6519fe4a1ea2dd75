import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import HotlineCore
import PostgresNIO
import SQLiteKit
import SQLiteNIO

/// Rows for one table, taken from Fluent models through their own column mapping
/// (`Fields.input(to:)`), so bulk loading writes exactly what `model.create()` would.
struct BulkTable {
    let name: String
    var columns: [String] = []
    var rows: [[DatabaseQuery.Value]] = []

    init(_ name: String) { self.name = name }

    private final class Collector: DatabaseInput {
        var keys: [String] = []
        var values: [DatabaseQuery.Value] = []
        var wantsUnmodifiedKeys: Bool { true }
        func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
            keys.append(key.description)
            values.append(value)
        }
    }

    mutating func add(_ model: any Model) {
        let c = Collector()
        model.input(to: c)
        if columns.isEmpty { columns = c.keys }
        rows.append(c.values)
    }

    mutating func add(_ values: [DatabaseQuery.Value]) { rows.append(values) }
}

/// A batch already turned into what the database reads, so the (parallel) producers do the
/// encoding and the single writer only ships it.
enum EncodedBatch: Sendable {
    case sqlite([(sql: String, binds: [SQLiteData])])
    case postgres([(table: String, columns: [String], data: ByteBuffer)])

    static func encode(_ tables: [BulkTable], sqlite: Bool) throws -> EncodedBatch {
        sqlite ? .sqlite(try SQLiteBulkWriter.encode(tables)) : .postgres(try PostgresBulkWriter.encode(tables))
    }
}

/// Writes batches as fast as the database takes them: multi-row INSERTs inside one
/// transaction per batch on SQLite, `COPY … FROM STDIN` on PostgreSQL.
protocol BulkWriter: Sendable {
    func write(_ batch: EncodedBatch) async throws
}

// MARK: SQLite

struct SQLiteBulkWriter: BulkWriter {
    let connection: SQLiteConnection

    func write(_ batch: EncodedBatch) async throws {
        guard case .sqlite(let statements) = batch else { throw BulkError.unsupported("a PostgreSQL batch on SQLite") }
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            for s in statements { _ = try await connection.query(s.sql, s.binds) }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    static func encode(_ tables: [BulkTable]) throws -> [(sql: String, binds: [SQLiteData])] {
        var out: [(sql: String, binds: [SQLiteData])] = []
        for t in tables where !t.rows.isEmpty {
            // SQLite takes at most 32,766 parameters per statement.
            let perStatement = max(1, 32_000 / t.columns.count)
            let head = "INSERT INTO \(t.name) (\(t.columns.map { "\"\($0)\"" }.joined(separator: ","))) VALUES "
            let tuple = "(" + Array(repeating: "?", count: t.columns.count).joined(separator: ",") + ")"
            var start = 0
            while start < t.rows.count {
                let end = min(start + perStatement, t.rows.count)
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * t.columns.count)
                for row in t.rows[start..<end] {
                    for v in row { binds.append(try sqlite(v)) }
                }
                out.append((head + Array(repeating: tuple, count: end - start).joined(separator: ","), binds))
                start = end
            }
        }
        return out
    }

    private static let encoder = SQLiteDataEncoder()

    /// The common types directly, the rest through sqlite-kit's own encoder; `BulkRowsTests`
    /// checks the shortcuts give what the encoder gives.
    static func sqlite(_ v: DatabaseQuery.Value) throws -> SQLiteData {
        switch v {
        case .bind(let e):
            switch e {
            case let s as String: return .text(s)
            case let u as UUID: return .text(u.text)
            case let i as Int: return .integer(i)
            case let b as Bool: return .integer(b ? 1 : 0)
            case let d as Date: return .float(d.timeIntervalSince1970)
            case let x as Double: return .float(x)
            case let d as [String: String]: return .text(BulkJSON.object(d))
            default: return try encoder.encode(e)
            }
        case .null, .default: return .null
        default: throw BulkError.unsupported("\(v)")
        }
    }
}

// MARK: PostgreSQL

struct PostgresBulkWriter: BulkWriter {
    let connection: PostgresConnection
    let logger: Logger

    func write(_ batch: EncodedBatch) async throws {
        guard case .postgres(let tables) = batch else { throw BulkError.unsupported("a SQLite batch on PostgreSQL") }
        _ = try await connection.query("BEGIN", logger: logger)
        do {
            for t in tables {
                var buffer = t.data
                try await connection.copyFrom(table: t.table, columns: t.columns, logger: logger) { writer in
                    // Chunks of ~1 MB keep the socket busy without one huge write.
                    while buffer.readableBytes > 0 {
                        let slice = buffer.readSlice(length: min(buffer.readableBytes, 1 << 20))!
                        try await writer.write(slice)
                    }
                }
            }
            _ = try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    static func encode(_ tables: [BulkTable]) throws -> [(table: String, columns: [String], data: ByteBuffer)] {
        var out: [(table: String, columns: [String], data: ByteBuffer)] = []
        for t in tables where !t.rows.isEmpty {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(t.rows.count * 256)
            for row in t.rows {
                for (i, v) in row.enumerated() {
                    if i > 0 { buffer.writeStaticString("\t") }
                    try PostgresCopyText.write(v, to: &buffer)
                }
                buffer.writeStaticString("\n")
            }
            out.append((t.name, t.columns, buffer))
        }
        return out
    }
}

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
enum PostgresCopyText {
    static func write(_ v: DatabaseQuery.Value, to buffer: inout ByteBuffer) throws {
        switch v {
        case .null, .default:
            buffer.writeStaticString("\\N")
        case .bind(let e):
            switch e {
            case let s as String: escaped(s, to: &buffer)
            case let u as UUID: buffer.writeString(u.text)
            case let i as Int: buffer.writeString(String(i))
            case let b as Bool: buffer.writeStaticString(b ? "t" : "f")
            case let d as Date: buffer.writeString(BulkTime.iso(d))
            case let x as Double: buffer.writeString(String(x))
            case let d as [String: String]: escaped(BulkJSON.object(d), to: &buffer)
            case let raw as PostgresCopyText.Raw: escaped(raw.text, to: &buffer)
            default:
                let data = try JSONEncoder().encode(e)
                escaped(String(decoding: data, as: UTF8.self), to: &buffer)
            }
        default:
            throw BulkError.unsupported("\(v)")
        }
    }

    /// Text PostgreSQL casts itself on the way in (a tsvector literal, say).
    struct Raw: Encodable, Sendable {
        var text: String
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(text)
        }
    }

    static func escaped(_ s: String, to buffer: inout ByteBuffer) {
        // Most text has nothing to escape: write it in one go.
        if !s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            buffer.writeString(s)
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}

/// JSON for the `[String: String]` detail maps on every timeline event, without a JSONEncoder
/// per row (the encoder dominated the seed's profile).
enum BulkJSON {
    static func object(_ d: [String: String]) -> String {
        if d.isEmpty { return "{}" }
        var out = "{"
        var first = true
        for key in d.keys.sorted() {
            if !first { out += "," }
            first = false
            string(key, into: &out)
            out += ":"
            string(d[key]!, into: &out)
        }
        return out + "}"
    }

    static func string(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// `2026-11-21 09:30:00.123456+00`, by arithmetic: a DateFormatter per row would cost more
/// than the database's own work.
enum BulkTime {
    static func iso(_ d: Date) -> String {
        let t = d.timeIntervalSince1970
        var seconds = Int(t.rounded(.down))
        let micros = Int(((t - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1 }
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
        let sod = seconds - day.dayNumber * 86_400
        let (y, m, dd) = day.components
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let us = String(micros % 1_000_000)
        return "\(y)-\(two(m))-\(two(dd)) \(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60)).\(String(repeating: "0", count: 6 - us.count))\(us)+00"
    }
}

enum BulkError: Error, CustomStringConvertible {
    case unsupported(String)
    var description: String {
        switch self {
        case .unsupported(let v): "bulk writer cannot store \(v)"
        }
    }
}
