import Foundation
import Testing

@testable import HotlineCore

@Suite("Hot-path text and time helpers")
struct TextAndTimeTests {
    @Test("isoLocal formats like ISO8601DateFormatter in UTC+8, including across midnight and the year")
    func isoLocal() {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        for t in [0.0, 1_767_196_799.9, 1_767_196_800, 1_798_732_800.5, -86_400 * 3 + 0.25, 1_800_000_000.999] {
            let d = Date(timeIntervalSince1970: t)
            #expect(d.isoLocal == f.string(from: d), "\(t)")
        }
    }

    @Test("trimmed, isBlank, containsText and padded")
    func text() {
        #expect("\u{3000} 路灯不亮\n".trimmed == "路灯不亮")
        #expect(" \t\n\u{3000}".isBlank && !" a ".isBlank && "".isBlank)
        #expect("市民反映上访问题".containsText("上访"))
        #expect(!"市民反映问题".containsText("上访"))
        #expect("abc".containsText(""))
        #expect(7.padded(6) == "000007" && 1234567.padded(6) == "1234567")
    }
}

@Suite("Reading ISO-8601 times")
struct ISOTimeTests {
    /// The reading before it was made cheap: a pair of fresh formatters per call.
    static func reference(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    @Test("Date(iso:) reads exactly what a fresh ISO8601DateFormatter pair reads, to the same instant")
    func sameAsFormatters() {
        var rng = SystemRandomNumberGenerator()
        var texts = [
            "2026-11-21T09:00:00+08:00", "2026-11-21T01:00:00Z", "2026-11-21T09:00:00.123+08:00", "2026-11-21T09:00:00.5Z",
            "2026-11-20T20:30:00-05:30", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2024-02-29T12:00:00+08:00",
            "2025-02-29T12:00:00+08:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z",
            "2026-11-21T23:60:00Z", "2026-11-21T23:59:60Z", "2026-11-21 09:00:00+08:00", "2026-11-21t09:00:00+08:00",
            "2026-11-21T09:00:00", "2026-11-21T09:00:00+0800", "2026-11-21T09:00:00+08", "2026-11-21", "20261121-000012",
            "", "路灯不亮", "2026-11-21T09:00:00+08:00 ", " 2026-11-21T09:00:00+08:00", "2026-1-21T09:00:00+08:00",
            "2026-11-21T09:00:00+24:00", "2026-11-21T09:00:00Zjunk", "0999-01-01T00:00:00Z",
        ]
        for _ in 0..<300 {
            let seconds = Int.random(in: -2_000_000_000...4_000_000_000, using: &rng)
            let d = Date(timeIntervalSince1970: TimeInterval(seconds))
            texts.append(d.isoLocal)
            let f = ISO8601DateFormatter()
            texts.append(f.string(from: d))
            f.timeZone = TimeZone(secondsFromGMT: Int.random(in: -12...14, using: &rng) * 1800)
            texts.append(f.string(from: d))
        }
        for text in texts {
            #expect(Date(iso: text) == Self.reference(text), "\(text)")
        }
        // The quick shape test before a message value is tried as a time.
        #expect(Date.looksLikeISOTime(Date(timeIntervalSince1970: 1_800_000_000).isoLocal))
        for value in ["20261121-000012", "A7K2Q9", "13800000000", "", "路灯不亮", "2026-11-21"] { #expect(!Date.looksLikeISOTime(value), "\(value)") }
    }
}
