import Foundation
import HotlineCore
import NIOCore
import NIOHTTP1
import Vapor

/// The API's JSON responses, written straight into bytes as `encode(to:)` walks the value.
///
/// Foundation's `JSONEncoder` first builds a tree of boxed values and then serialises it: on a
/// unit's inbox page (twenty lines of an assignment and its order, ≈ 25 KB) that was a quarter
/// of the server's CPU, the largest single cost of the page ([scale], docs/PERFORMANCE.md).
/// The output is what the API always sent with Vapor's default encoder: dates as ISO-8601 in
/// UTC without fractions (`.iso8601`), ids in upper case, `/` escaped, whole doubles without
/// `.0`, nil optionals left out; only the order of keys may differ (the encoding order here).
///
/// Streaming means a container is closed when the value that opened it has finished encoding,
/// or when its parent is written to again. Every synthesized `encode(to:)` and every one in
/// this codebase writes that way; a container written to after it was closed is an error
/// (`EncodingError.invalidValue`), never wrong JSON.
struct StreamingJSONEncoder: ContentEncoder {
    func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
        headers.contentType = .json
        body.writeBytes(try Self.bytes(of: encodable))
    }

    func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders, userInfo: [CodingUserInfoKey: any Sendable]) throws {
        try encode(encodable, to: &body, headers: &headers)
    }

    static func bytes<E: Encodable>(of value: E) throws -> [UInt8] {
        let output = JSONOutput()
        try output.value(value, path: [])
        return output.bytes
    }
}

/// The bytes written so far and the containers still open, innermost last.
final class JSONOutput {
    var bytes: [UInt8] = []
    /// Open containers: their closing byte and whether anything was written into them yet.
    private var open: [(id: Int, close: UInt8, empty: Bool)] = []
    private var nextId = 0

    init() { bytes.reserveCapacity(4096) }

    /// Encodes one value in place: a primitive directly, anything else through its own
    /// `encode(to:)`, closing what it opened. A value that writes nothing is `{}`, as
    /// `JSONEncoder` writes it.
    func value<T: Encodable>(_ value: T, path: [any CodingKey]) throws {
        if let done = try primitive(value, path: path), done { return }
        let depth = open.count
        let encoder = StreamingEncoder(output: self, path: path)
        try value.encode(to: encoder)
        if !encoder.wrote { bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        close(downTo: depth)
    }

    /// The types Foundation's encoder writes specially; nil when `value` is none of them.
    private func primitive<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> Bool? {
        if T.self == String.self { string(value as! String) }
        else if T.self == Date.self { date(value as! Date) }
        else if T.self == UUID.self { uuid(value as! UUID) }
        else if T.self == Int.self { integer(value as! Int) }
        else if T.self == Bool.self { bytes.append(contentsOf: (value as! Bool) ? Array("true".utf8) : Array("false".utf8)) }
        else if T.self == Double.self { try double(value as! Double, path: path) }
        else if T.self == Float.self { try float(value as! Float, path: path) }
        else if T.self == Int64.self { integer(value as! Int64) }
        else if T.self == Int32.self { integer(value as! Int32) }
        else if T.self == Int16.self { integer(value as! Int16) }
        else if T.self == Int8.self { integer(value as! Int8) }
        else if T.self == UInt.self { integer(value as! UInt) }
        else if T.self == UInt64.self { integer(value as! UInt64) }
        else if T.self == UInt32.self { integer(value as! UInt32) }
        else if T.self == UInt16.self { integer(value as! UInt16) }
        else if T.self == UInt8.self { integer(value as! UInt8) }
        else if T.self == Data.self { string((value as! Data).base64EncodedString()) }
        else if T.self == URL.self { string((value as! URL).absoluteString) }
        else if T.self == Decimal.self { bytes.append(contentsOf: Array((value as! Decimal).description.utf8)) }
        else { return nil }
        return true
    }

    /// Opens a container; its id lets a container check that it is still open.
    func openContainer(_ opening: UInt8, closing: UInt8) -> Int {
        bytes.append(opening)
        nextId += 1
        open.append((nextId, closing, true))
        return nextId
    }

    /// Before writing into container `id`: closes what was opened inside it and has finished,
    /// and writes the comma between elements.
    func prepareElement(in id: Int, path: [any CodingKey]) throws {
        guard let index = open.lastIndex(where: { $0.id == id }) else {
            throw EncodingError.invalidValue(id, .init(codingPath: path, debugDescription: "written to a JSON container after it was closed"))
        }
        close(downTo: index + 1)
        if open[index].empty { open[index].empty = false } else { bytes.append(UInt8(ascii: ",")) }
    }

    func close(downTo depth: Int) {
        while open.count > depth { bytes.append(open.removeLast().close) }
    }

    func key(_ key: any CodingKey) {
        string(key.stringValue)
        bytes.append(UInt8(ascii: ":"))
    }

    func null() { bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")]) }

    func integer<I: BinaryInteger>(_ n: I) { bytes.append(contentsOf: Array(String(n).utf8)) }

    func double(_ d: Double, path: [any CodingKey]) throws {
        guard d.isFinite else {
            throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "\(d) is not a JSON number"))
        }
        var text = d.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: Array(text.utf8))
    }

    func float(_ f: Float, path: [any CodingKey]) throws {
        guard f.isFinite else {
            throw EncodingError.invalidValue(f, .init(codingPath: path, debugDescription: "\(f) is not a JSON number"))
        }
        var text = f.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: Array(text.utf8))
    }

    func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func uuid(_ id: UUID) {
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: Array(id.text.utf8))
        bytes.append(UInt8(ascii: "\""))
    }

    /// `2026-11-21T01:00:00Z`: UTC, whole seconds (the fraction dropped), as `.iso8601` writes.
    func date(_ d: Date) {
        let seconds = Int(d.timeIntervalSince1970.rounded(.down))
        let dayNumber = Int((Double(seconds) / 86_400).rounded(.down))
        let sod = seconds - dayNumber * 86_400
        let (y, m, day) = LocalDate(dayNumber: dayNumber).components
        func digits(_ n: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var n = n
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(n / divisor % 10))
                n %= divisor
                divisor /= 10
            }
        }
        bytes.append(UInt8(ascii: "\""))
        if y > 9999 || y < 0 { bytes.append(contentsOf: Array(String(y).utf8)) } else { digits(y, 4) }
        bytes.append(UInt8(ascii: "-")); digits(m, 2)
        bytes.append(UInt8(ascii: "-")); digits(day, 2)
        bytes.append(UInt8(ascii: "T")); digits(sod / 3600, 2)
        bytes.append(UInt8(ascii: ":")); digits(sod / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":")); digits(sod % 60, 2)
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }
}

/// The `Encoder` handed to one value's `encode(to:)`.
final class StreamingEncoder: Encoder {
    let output: JSONOutput
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Whether the value has written anything (a container or a single value) yet.
    var wrote = false

    init(output: JSONOutput, path: [any CodingKey]) {
        self.output = output
        self.codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        wrote = true
        return KeyedEncodingContainer(KeyedContainer<Key>(output: output, id: output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        wrote = true
        return UnkeyedContainer(output: output, id: output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]")), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValue(encoder: self)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let output: JSONOutput
        let id: Int
        let codingPath: [any CodingKey]

        private func element(_ key: Key) throws {
            try output.prepareElement(in: id, path: codingPath + [key])
            output.key(key)
        }

        mutating func encodeNil(forKey key: Key) throws { try element(key); output.null() }
        mutating func encode(_ value: Bool, forKey key: Key) throws { try element(key); try output.value(value, path: codingPath) }
        mutating func encode(_ value: String, forKey key: Key) throws { try element(key); output.string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { try element(key); try output.double(value, path: codingPath + [key]) }
        mutating func encode(_ value: Float, forKey key: Key) throws { try element(key); try output.float(value, path: codingPath + [key]) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try element(key); output.integer(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try element(key); try output.value(value, path: codingPath + [key]) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            try? element(key)
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(output: output, id: output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")), codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            try? element(key)
            return UnkeyedContainer(output: output, id: output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]")), codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            try? element(key)
            return StreamingEncoder(output: output, path: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let output: JSONOutput
        let id: Int
        let codingPath: [any CodingKey]
        private(set) var count = 0

        init(output: JSONOutput, id: Int, codingPath: [any CodingKey]) {
            self.output = output
            self.id = id
            self.codingPath = codingPath
        }

        private struct Index: CodingKey {
            var intValue: Int?
            var stringValue: String { "\(intValue ?? 0)" }
            init(intValue: Int) { self.intValue = intValue }
            init?(stringValue: String) { nil }
        }

        private mutating func element() throws -> [any CodingKey] {
            let path = codingPath + [Index(intValue: count)]
            try output.prepareElement(in: id, path: path)
            count += 1
            return path
        }

        mutating func encodeNil() throws { _ = try element(); output.null() }
        mutating func encode(_ value: String) throws { _ = try element(); output.string(value) }
        mutating func encode(_ value: Int) throws { _ = try element(); output.integer(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { let path = try element(); try output.value(value, path: path) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let path = (try? element()) ?? codingPath
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(output: output, id: output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")), codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let path = (try? element()) ?? codingPath
            return UnkeyedContainer(output: output, id: output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]")), codingPath: path)
        }

        mutating func superEncoder() -> any Encoder {
            let path = (try? element()) ?? codingPath
            return StreamingEncoder(output: output, path: path)
        }
    }

    struct SingleValue: SingleValueEncodingContainer {
        let encoder: StreamingEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        private func start() throws {
            guard !encoder.wrote else {
                throw EncodingError.invalidValue((), .init(codingPath: codingPath, debugDescription: "a single value encoded twice"))
            }
            encoder.wrote = true
        }

        mutating func encodeNil() throws { try start(); encoder.output.null() }
        mutating func encode(_ value: String) throws { try start(); encoder.output.string(value) }
        mutating func encode(_ value: Int) throws { try start(); encoder.output.integer(value) }
        mutating func encode(_ value: Bool) throws { try start(); try encoder.output.value(value, path: codingPath) }
        mutating func encode(_ value: Double) throws { try start(); try encoder.output.double(value, path: codingPath) }
        mutating func encode<T: Encodable>(_ value: T) throws { try start(); try encoder.output.value(value, path: codingPath) }
    }
}
