import Foundation
import HotlineCore
import Testing
import Vapor

@testable import HotlineApp

/// Values of every shape the API sends, for comparing the two encoders.
private struct Sample: Encodable {
    enum Kind: String, Encodable { case complaint, 求助 }
    struct Empty: Encodable {}
    struct Inner: Encodable {
        var name: String
        var at: Date?
        var tags: [String]
    }

    var text = "引号\" 反斜杠\\ 斜杠/ 换行\n 回车\r 制表\t \u{01}\u{1F} 😀 路灯不亮"
    var empty = ""
    var escapesOnly = "\"\\/\n\u{00}"
    var endsEscaped = "末尾\t"
    var rareControls = "\u{08}退格\u{0C}换页\u{7F}删除"
    var int = Int.min
    var big = UInt64.max
    var small: Int8 = -7
    var whole = 1.0
    var fraction = 0.1
    var huge = 1e300
    var tiny = 5e-324
    var negativeZero = -0.0
    var float: Float = 0.1
    var yes = true
    var no = false
    var id = UUID()
    var ids = [UUID(), UUID()]
    var now = Date()
    var fractionalDate = Date(timeIntervalSince1970: 1_795_000_000.999)
    var oldDate = Date(timeIntervalSince1970: -86_400 * 400 + 0.5)
    var kind = Kind.求助
    var kinds: [Kind] = [.complaint, .求助]
    var missing: String? = nil
    var present: String? = "有"
    var optionals: [Int?] = [1, nil, 3]
    var nested = Inner(name: "内层", at: Date(timeIntervalSince1970: 0), tags: ["a", "b/c"])
    var nestedList = [Inner(name: "一", at: nil, tags: []), Inner(name: "二", at: Date(timeIntervalSince1970: 1), tags: ["x"])]
    var byName: [String: Int] = ["甲": 1, "乙": 2]
    var byNumber: [Int: String] = [1: "one", 20: "twenty"]
    var matrix = [[1, 2], [], [3]]
    var nothing = Empty()
    var data = Data([0, 1, 2, 250, 255])
    var url = URL(string: "https://example.org/a?b=c")!
    var emptyList: [String] = []
}

/// Opens a nested container, lets its parent go on, then writes into the nested one again.
private struct LateWriter: Encodable {
    enum K: String, CodingKey { case a, b }
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: K.self)
        var inner = outer.nestedContainer(keyedBy: K.self, forKey: .a)
        try inner.encode(1, forKey: .a)
        try outer.encode(2, forKey: .b)
        try inner.encode(3, forKey: .b)
    }
}

/// Foundation's patterns that reach past a plain synthesized `encode(to:)`: a class writing
/// its superclass under "super", a flattened base asked for the same container twice, and a
/// super encoder left unused.
private class Base: Encodable {
    var base = "底"
    enum K: String, CodingKey { case base }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(base, forKey: .base)
    }
}

private final class Derived: Base {
    var own = 2
    var leaveOneUnused = false
    enum D: String, CodingKey { case own, parent, unused, list }
    override func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: D.self)
        try c.encode(own, forKey: .own)
        try super.encode(to: c.superEncoder())
        try super.encode(to: c.superEncoder(forKey: .parent))
        if leaveOneUnused { _ = c.superEncoder(forKey: .unused) }
        var list = c.nestedUnkeyedContainer(forKey: .list)
        try list.encode(1)
        try super.encode(to: list.superEncoder())
    }
}

private struct Flattened: Encodable {
    var inner = Sample.Inner(name: "平", at: nil, tags: [])
    var extra = "额外"
    enum K: String, CodingKey { case extra }
    func encode(to encoder: any Encoder) throws {
        try inner.encode(to: encoder)
        var c = encoder.container(keyedBy: K.self)
        try c.encode(extra, forKey: .extra)
    }
}

@Suite("JSON responses written as they are encoded ([scale])")
struct StreamingJSONEncoderTests {
    /// Both encoders' output, parsed and written again with sorted keys.
    static func canonical(_ data: Data) throws -> Data {
        try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), options: [.sortedKeys, .fragmentsAllowed])
    }

    @Test("The same JSON as Vapor's default encoder for every shape of value, keys aside from their order")
    func sameAsFoundation() throws {
        let foundation = JSONEncoder.custom(dates: .iso8601)
        let values: [any Encodable] = [Sample(), [Sample(), Sample()], "片段", 42, [String: [Int]](), Optional<Int>.none, Derived(), Flattened()]
        for value in values {
            let ours = Data(try StreamingJSONEncoder.bytes(of: value))
            let theirs = try foundation.encode(value)
            #expect(try Self.canonical(ours) == Self.canonical(theirs), "\(String(decoding: ours, as: UTF8.self))\n\(String(decoding: theirs, as: UTF8.self))")
        }
        // Byte for byte where keys come in one order: escapes, numbers and dates as Foundation writes them.
        let text = Sample().text
        #expect(try StreamingJSONEncoder.bytes(of: [text]) == Array(try foundation.encode([text])))
        let numbers = [1.0, 0.1, 1e300, 5e-324, 123456789.125, -2.5]
        #expect(String(decoding: try StreamingJSONEncoder.bytes(of: numbers), as: UTF8.self) == String(decoding: try foundation.encode(numbers), as: UTF8.self))
        let dates = [Date(timeIntervalSince1970: 1_795_000_000.999), Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: 253_402_300_799), Date(timeIntervalSince1970: -12_000_000_000), .distantPast]
        let others: [Decimal] = [Decimal(string: "12.50")!, Decimal(-3), Decimal(string: "0.000001")!]
        #expect(String(decoding: try StreamingJSONEncoder.bytes(of: others), as: UTF8.self) == String(decoding: try foundation.encode(others), as: UTF8.self))
        let floats: [Float] = [0.1, 1, -2.5, 3.4e38]
        #expect(String(decoding: try StreamingJSONEncoder.bytes(of: floats), as: UTF8.self) == String(decoding: try foundation.encode(floats), as: UTF8.self))
        #expect(String(decoding: try StreamingJSONEncoder.bytes(of: dates), as: UTF8.self) == String(decoding: try foundation.encode(dates), as: UTF8.self))
    }

    @Test("Writing into a container after its parent went on is an error, not broken JSON; non-finite numbers are refused; a super encoder left unused leaves no key (Foundation writes {} under it)")
    func refusals() throws {
        let unused = Derived()
        unused.leaveOneUnused = true
        let json = try JSONSerialization.jsonObject(with: Data(try StreamingJSONEncoder.bytes(of: unused))) as? [String: Any]
        #expect(json?["unused"] == nil && json?["own"] as? Int == 2)
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.bytes(of: LateWriter()) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.bytes(of: [Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.bytes(of: ["x": Double.infinity]) }
        // The error names where the value was.
        do {
            _ = try StreamingJSONEncoder.bytes(of: ["outer": ["inner": [1, Double.nan]]])
            Issue.record("NaN was written")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["outer", "inner", "1"])
        }
    }
}
