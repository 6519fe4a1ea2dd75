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

    /// `direct`: whether `DirectJSON` values write themselves (off only in their tests).
    static func bytes<E: Encodable>(of value: E, direct: Bool = true) throws -> [UInt8] {
        let output = JSONOutput(direct: direct)
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
    /// Whether `DirectJSON` values write themselves; off only to test them against their
    /// `encode(to:)`.
    let direct: Bool

    init(direct: Bool = true) {
        self.direct = direct
        bytes.reserveCapacity(4096)
    }

    /// Encodes one value in place: a primitive directly, anything else through its own
    /// `encode(to:)`, closing what it opened. A value that writes nothing is `{}`, as
    /// `JSONEncoder` writes it.
    func value<T: Encodable>(_ value: T, path: [any CodingKey]) throws {
        if let done = try primitive(value, path: path), done { return }
        // The type is asked first: casting the value itself boxes a copy of it, for every
        // value of every response, whether it writes itself or not.
        if direct, T.self is any DirectJSON.Type, let value = value as? any DirectJSON {
            // The array is moved into the writer and back, never copied.
            var writer = JSONWriter()
            swap(&writer.bytes, &bytes)
            defer { swap(&writer.bytes, &bytes) }
            try value.write(to: &writer)
            return
        }
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
        else if T.self == Double.self { try floatingPoint(value as! Double, path: path) }
        else if T.self == Float.self { try floatingPoint(value as! Float, path: path) }
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

    /// A Double or a Float, whole numbers without ".0" (as Foundation writes them).
    func floatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ x: F, path: [any CodingKey]) throws {
        guard x.isFinite else {
            throw EncodingError.invalidValue(x, .init(codingPath: path, debugDescription: "\(x) is not a JSON number"))
        }
        var text = x.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: Array(text.utf8))
    }

    func string(_ s: String) { Self.write(s, to: &bytes) }

    /// A JSON string, escaped as `JSONEncoder` escapes it. Written into one `inout` array, not
    /// byte by byte through `bytes`: each access to a class's stored property is checked for
    /// exclusivity at run time, with a thread-local lookup, and those checks were about 9% of
    /// an inbox page's server samples in session 14's profile (docs/PERFORMANCE.md). Runs
    /// without escapes are copied whole.
    static func write(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for i in 0..<utf8.count {
                let b = utf8[i]
                let escaped: (UInt8, UInt8)?
                switch b {
                case UInt8(ascii: "\""): escaped = (UInt8(ascii: "\\"), UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): escaped = (UInt8(ascii: "\\"), UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): escaped = (UInt8(ascii: "\\"), UInt8(ascii: "/"))
                case 0x0A: escaped = (UInt8(ascii: "\\"), UInt8(ascii: "n"))
                case 0x0D: escaped = (UInt8(ascii: "\\"), UInt8(ascii: "r"))
                case 0x09: escaped = (UInt8(ascii: "\\"), UInt8(ascii: "t"))
                case 0x08: escaped = (UInt8(ascii: "\\"), UInt8(ascii: "b"))
                case 0x0C: escaped = (UInt8(ascii: "\\"), UInt8(ascii: "f"))
                case 0x00..<0x20: escaped = nil
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                if let (first, second) = escaped {
                    out.append(first)
                    out.append(second)
                } else {
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    func uuid(_ id: UUID) { Self.write(id, to: &bytes) }

    static func write(_ id: UUID, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: id.text.utf8)
        out.append(UInt8(ascii: "\""))
    }

    func date(_ d: Date) { Self.write(d, to: &bytes) }

    /// `2026-11-21T01:00:00Z`: UTC, whole seconds (the fraction dropped), as `.iso8601` writes.
    static func write(_ d: Date, to text: inout [UInt8]) {
        let seconds = Int(d.timeIntervalSince1970.rounded(.down))
        let dayNumber = Int((Double(seconds) / 86_400).rounded(.down))
        let sod = seconds - dayNumber * 86_400
        let (y, m, day) = LocalDate(dayNumber: dayNumber).components
        // Foundation counts earlier years in the Julian calendar: its own text for those.
        guard (1600...9999).contains(y) else { return write(d.formatted(.iso8601), to: &text) }
        func digits(_ n: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var n = n
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(n / divisor % 10))
                n %= divisor
                divisor /= 10
            }
        }
        text.append(UInt8(ascii: "\""))
        digits(y, 4)
        text.append(UInt8(ascii: "-")); digits(m, 2)
        text.append(UInt8(ascii: "-")); digits(day, 2)
        text.append(UInt8(ascii: "T")); digits(sod / 3600, 2)
        text.append(UInt8(ascii: ":")); digits(sod / 60 % 60, 2)
        text.append(UInt8(ascii: ":")); digits(sod % 60, 2)
        text.append(UInt8(ascii: "Z"))
        text.append(UInt8(ascii: "\""))
    }
}

/// The `Encoder` handed to one value's `encode(to:)`.
final class StreamingEncoder: Encoder {
    let output: JSONOutput
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Whether the value has written anything (a container or a single value) yet.
    var wrote = false
    /// The container this value opened: asked again, the same one is given, as Foundation does.
    private var opened: (id: Int, keyed: Bool)?
    /// What the value's place needs before its first byte (a super encoder's key): written
    /// only if the value writes anything, so an unused super encoder leaves no dangling key.
    private var pending: (() throws -> Void)?
    /// Why this value can no longer be written (its parent closed first).
    private(set) var failure: (any Error)?

    /// A container id no open container has: every write into it is refused.
    static let refused = -1

    init(output: JSONOutput, path: [any CodingKey], pending: (() throws -> Void)? = nil) {
        self.output = output
        self.codingPath = path
        self.pending = pending
    }

    /// Runs what must come before the value's first byte; false when it may not be written.
    func begin() -> Bool {
        if let p = pending {
            pending = nil
            do { try p() } catch { failure = error }
        }
        return failure == nil
    }

    private func open(keyed: Bool) -> Int {
        if let opened {
            precondition(opened.keyed == keyed, "\(codingPath.map(\.stringValue)): a keyed and an unkeyed container asked of one value")
            return opened.id
        }
        precondition(!wrote, "\(codingPath.map(\.stringValue)): a container asked of a value already written")
        wrote = true
        guard begin() else { return Self.refused }
        let id = keyed ? output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")) : output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]"))
        opened = (id, keyed)
        return id
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(output: output, id: open(keyed: true), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(output: output, id: open(keyed: false), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValue(encoder: self)
    }

    /// The key a super encoder writes under when none is given, as Foundation names it.
    struct SuperKey: CodingKey {
        var stringValue: String { "super" }
        var intValue: Int? { nil }
        init() {}
        init?(stringValue: String) { nil }
        init?(intValue: Int) { nil }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let output: JSONOutput
        let id: Int
        let codingPath: [any CodingKey]

        private func element(_ key: any CodingKey) throws {
            try output.prepareElement(in: id, path: codingPath + [key])
            output.key(key)
        }

        /// A container inside this one under `key`; refused (every write an error) when this
        /// one is closed already.
        private func nested(_ key: Key, keyed: Bool) -> Int {
            do { try element(key) } catch { return StreamingEncoder.refused }
            return keyed ? output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")) : output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]"))
        }

        mutating func encodeNil(forKey key: Key) throws { try element(key); output.null() }
        mutating func encode(_ value: Bool, forKey key: Key) throws { try element(key); try output.value(value, path: codingPath) }
        mutating func encode(_ value: String, forKey key: Key) throws { try element(key); output.string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { try element(key); try output.floatingPoint(value, path: codingPath + [key]) }
        mutating func encode(_ value: Float, forKey key: Key) throws { try element(key); try output.floatingPoint(value, path: codingPath + [key]) }
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
            KeyedEncodingContainer(KeyedContainer<NestedKey>(output: output, id: nested(key, keyed: true), codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            UnkeyedContainer(output: output, id: nested(key, keyed: false), codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder {
            let key = SuperKey()
            return StreamingEncoder(output: output, path: codingPath + [key], pending: { [self] in try element(key) })
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            StreamingEncoder(output: output, path: codingPath + [key], pending: { [self] in try element(key) })
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

        /// A container as the next element; refused (every write an error) when this one is
        /// closed already.
        private mutating func nested(keyed: Bool) -> (id: Int, path: [any CodingKey]) {
            guard let path = try? element() else { return (StreamingEncoder.refused, codingPath) }
            return (keyed ? output.openContainer(UInt8(ascii: "{"), closing: UInt8(ascii: "}")) : output.openContainer(UInt8(ascii: "["), closing: UInt8(ascii: "]")), path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let (id, path) = nested(keyed: true)
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(output: output, id: id, codingPath: path))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let (id, path) = nested(keyed: false)
            return UnkeyedContainer(output: output, id: id, codingPath: path)
        }

        /// Its element is written only if the super encoder writes anything.
        mutating func superEncoder() -> any Encoder {
            let output = output, id = id, path = codingPath + [Index(intValue: count)]
            count += 1
            return StreamingEncoder(output: output, path: path, pending: { try output.prepareElement(in: id, path: path) })
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
            guard encoder.begin() else { throw encoder.failure! }
        }

        mutating func encodeNil() throws { try start(); encoder.output.null() }
        mutating func encode(_ value: String) throws { try start(); encoder.output.string(value) }
        mutating func encode(_ value: Int) throws { try start(); encoder.output.integer(value) }
        mutating func encode(_ value: Bool) throws { try start(); try encoder.output.value(value, path: codingPath) }
        mutating func encode(_ value: Double) throws { try start(); try encoder.output.floatingPoint(value, path: codingPath) }
        mutating func encode<T: Encodable>(_ value: T) throws { try start(); try encoder.output.value(value, path: codingPath) }
    }
}
