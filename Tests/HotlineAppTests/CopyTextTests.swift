import Foundation
import HotlineCore
import NIOCore
import Testing

@testable import HotlineApp

/// The seed's COPY text is written byte by byte for speed; here it is held equal to what the
/// plain formatters give, so a faster writer cannot change what PostgreSQL reads.
@Suite("The seed's COPY text ([scale])")
struct CopyTextTests {
    private func copyText(_ cell: BulkCell) throws -> String {
        var buffer = ByteBuffer()
        try PostgresCopyText.write(cell, to: &buffer)
        return buffer.readString(length: buffer.readableBytes)!
    }

    /// The reference: `yyyy-MM-dd HH:mm:ss.SSSSSS+00` from calendar components in UTC.
    private func reference(_ d: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let t = d.timeIntervalSince1970
        var seconds = t.rounded(.down)
        var micros = Int(((t - seconds) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(c.year!, 4))-\(pad(c.month!, 2))-\(pad(c.day!, 2)) \(pad(c.hour!, 2)):\(pad(c.minute!, 2)):\(pad(c.second!, 2)).\(pad(micros, 6))+00"
    }

    @Test("Times: every field padded, microseconds rounded, the day's edges and a year past 9999")
    func times() throws {
        var fixed: [Date] = [
            Date(timeIntervalSince1970: 0),
            Date(timeIntervalSince1970: 1_763_828_080.326_97),
            Date(timeIntervalSince1970: 1_767_225_599.999_999_7),  // rounds up into the next year
            Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
            Date(timeIntervalSince1970: 253_402_300_800.5),  // 10000-01-01
            Date(timeIntervalSince1970: -1.25),  // 1969-12-31 23:59:58.750000
            Date(timeIntervalSince1970: -2_208_988_800),  // 1900-01-01 (Foundation's calendar is Julian before 1582)
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { fixed.append(Date(timeIntervalSince1970: Double.random(in: 0..<2_000_000_000, using: &rng))) }
        for d in fixed {
            #expect(try copyText(.date(d)) == reference(d), "\(d.timeIntervalSince1970)")
            #expect(BulkTime.iso(d) == reference(d))
        }
    }

    @Test("Ids as uuidString gives them; text escaped; rows of several cells, each written after the last")
    func idsAndText() throws {
        for _ in 0..<200 {
            let id = UUID()
            #expect(try copyText(.uuid(id)) == id.uuidString)
        }
        #expect(try copyText(.text("路灯\t不亮\n\\r")) == "路灯\\t不亮\\n\\\\r")
        #expect(try copyText(.null) == "\\N")
        #expect(try copyText(.int(-42)) == "-42")
        #expect(try copyText(.bool(true)) == "t")

        // Two rows in one table: every cell lands after the ones before it in the same buffer.
        let ids = [UUID(), UUID()]
        let times = [Date(timeIntervalSince1970: 1_763_828_080.326_97), Date(timeIntervalSince1970: 1_765_291_203.308_04)]
        var table = BulkTable("t", columns: ["id", "at", "note", "gone", "n"])
        table.add([.uuid(ids[0]), .date(times[0]), .text("路灯不亮"), .null, .int(7)])
        table.add([.uuid(ids[1]), .date(times[1]), .text("a\tb"), .null, .int(-1)])
        let encoded = try PostgresBulkWriter.encode([table])
        #expect(encoded.count == 1)
        var buffer = try #require(encoded.first).data
        let text = buffer.readString(length: buffer.readableBytes)
        #expect(text == """
            \(ids[0].uuidString)\t\(reference(times[0]))\t路灯不亮\t\\N\t7
            \(ids[1].uuidString)\t\(reference(times[1]))\ta\\tb\t\\N\t-1

            """)
    }
}
