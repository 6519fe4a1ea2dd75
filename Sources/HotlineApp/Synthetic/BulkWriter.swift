import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import HotlineCore
import PostgresNIO
import SQLiteKit
import SQLiteNIO

/// Rows for one table, from `BulkRows` (whose column lists `BulkRowsTests` holds equal to what
/// the Fluent models write).
struct BulkTable {
    let name: String
    var columns: [String]
    var rows: [[BulkCell]] = []

    init(_ name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }

    mutating func add(_ values: [BulkCell]) { rows.append(values) }
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

    /// As SQLite stores each value (what sqlite-kit's encoder gives; `BulkRowsTests` checks).
    static func sqlite(_ v: BulkCell) throws -> SQLiteData {
        switch v {
        case .null: return .null
        case .text(let s): return .text(s)
        case .uuid(let u): return .text(u.text)
        case .int(let i): return .integer(i)
        case .bool(let b): return .integer(b ? 1 : 0)
        case .date(let d): return .float(d.timeIntervalSince1970)
        case .double(let x): return .float(x)
        case .object(let d): return .text(BulkJSON.object(d))
        case .encodable(let e): return try encoder.encode(e)
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

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes. Values are
/// written as bytes straight into the buffer: formatting them as `String`s first was a fifth of
/// the seed's time.
enum PostgresCopyText {
    static func write(_ v: BulkCell, to buffer: inout ByteBuffer) throws {
        switch v {
        case .null: buffer.writeStaticString("\\N")
        case .text(let s): escaped(s, to: &buffer)
        case .uuid(let u):
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { out in
                u.writeText(into: out)
                return 36
            }
        case .int(let i): buffer.writeString(String(i))
        case .bool(let b): buffer.writeStaticString(b ? "t" : "f")
        case .date(let d): BulkTime.write(d, to: &buffer)
        case .double(let x): buffer.writeString(String(x))
        case .object(let d): escaped(BulkJSON.object(d), to: &buffer)
        case .encodable(let e):
            let data = try JSONEncoder().encode(e)
            escaped(String(decoding: data, as: UTF8.self), to: &buffer)
        }
    }

    static func escaped(_ s: String, to buffer: inout ByteBuffer) {
        var s = s
        s.withUTF8 { utf8 in
            // Most text has nothing to escape: write it in one go.
            var start = 0
            for (i, byte) in utf8.enumerated() {
                let escape: StaticString
                switch byte {
                case 0x5C: escape = "\\\\"
                case 0x09: escape = "\\t"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                default: continue
                }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<i]))
                buffer.writeStaticString(escape)
                start = i + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start...]))
        }
    }
}

/// JSON for the `[String: String]` detail maps on every timeline event, without a JSONEncoder
/// per row (the encoder dominated the seed's profile). Keys are sorted, so equal maps give equal
/// text.
enum BulkJSON {
    static func object(_ d: [String: String]) -> String {
        if d.isEmpty { return "{}" }
        var out: [UInt8] = [0x7B]
        out.reserveCapacity(96)
        for (n, key) in d.keys.sorted().enumerated() {
            if n > 0 { out.append(0x2C) }
            string(key, into: &out)
            out.append(0x3A)
            string(d[key]!, into: &out)
        }
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string by bytes: only `"`, `\` and control characters are escaped, and none of
    /// them can occur inside a multi-byte UTF-8 sequence.
    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for byte in s.utf8 {
            switch byte {
            case 0x22, 0x5C: out.append(0x5C); out.append(byte)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

/// `2026-11-21 09:30:00.123456+00`, by arithmetic: a DateFormatter per row would cost more
/// than the database's own work.
enum BulkTime {
    static func iso(_ d: Date) -> String {
        var buffer = ByteBuffer()
        write(d, to: &buffer)
        return buffer.readString(length: buffer.readableBytes)!
    }

    static func write(_ d: Date, to buffer: inout ByteBuffer) {
        let t = d.timeIntervalSince1970
        var seconds = Int(t.rounded(.down))
        var micros = Int(((t - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
        let sod = seconds - day.dayNumber * 86_400
        let (y, m, dd) = day.components
        // Years past 9999 (never seeded) keep their leading digits.
        if y > 9_999 { buffer.writeString(String(y / 10_000)) }
        // All 29 bytes into the buffer's own memory at once: a capacity check per digit was
        // most of this function's cost, and it runs for every time of every seeded row.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 29) { out in
            func digits(_ n: Int, _ count: Int, at start: Int) {
                var n = n
                for i in stride(from: start + count - 1, through: start, by: -1) {
                    out[i] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                    n /= 10
                }
            }
            digits(y % 10_000, 4, at: 0)
            out[4] = 0x2D
            digits(m, 2, at: 5)
            out[7] = 0x2D
            digits(dd, 2, at: 8)
            out[10] = 0x20
            digits(sod / 3600, 2, at: 11)
            out[13] = 0x3A
            digits(sod / 60 % 60, 2, at: 14)
            out[16] = 0x3A
            digits(sod % 60, 2, at: 17)
            out[19] = 0x2E
            digits(micros, 6, at: 20)
            out[26] = 0x2B
            out[27] = 0x30
            out[28] = 0x30
            return 29
        }
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
