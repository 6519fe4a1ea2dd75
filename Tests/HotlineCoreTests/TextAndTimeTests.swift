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
