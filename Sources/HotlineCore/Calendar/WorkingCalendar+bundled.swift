import Foundation

extension HolidayNotice {
    /// The State Council notices shipped with the project (holiday-cn 2019–2026, MIT; see
    /// Resources/holiday-cn/LICENSE), loaded together because December days can sit in the
    /// next year's file.
    public static func bundled() -> [HolidayNotice] {
        guard let dir = Bundle.module.url(forResource: "holiday-cn", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }.compactMap { url in
            guard let data = try? Data(contentsOf: url) else { return nil }
            return try? HolidayNotice.decode(data)
        }
    }
}

extension WorkingCalendar {
    public static func bundled(officeHours: OfficeHours = .standard) -> WorkingCalendar {
        WorkingCalendar(notices: HolidayNotice.bundled(), officeHours: officeHours)
    }
}

extension Date {
    /// ISO-8601 in China Standard Time, as people here read times.
    /// Formatted by arithmetic: events carry several of these, and an ISO8601DateFormatter per
    /// call cost more than the rest of a transition (seen in the [scale] profile).
    public var isoLocal: String {
        let local = Int((timeIntervalSince1970 + 8 * 3600).rounded(.down))
        let dayNumber = Int((Double(local) / 86_400).rounded(.down))
        let sod = local - dayNumber * 86_400
        let (y, m, d) = LocalDate(dayNumber: dayNumber).components
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(sod / 3600)):\(two(sod / 60 % 60)):\(two(sod % 60))+08:00"
    }

    /// Parses ISO-8601 with or without fractional seconds, as `ISO8601DateFormatter` does.
    ///
    /// Made cheap because message texts try their values as times (`Outbox.render`): making
    /// an `ISO8601DateFormatter` (ICU) per call was a third of the server's CPU under intake.
    /// The form this system writes itself (`isoLocal`, or UTC with `Z`) is read by arithmetic;
    /// anything else goes to two formatters made once.
    public init?(iso: String) {
        var text = iso
        if let d = text.withUTF8({ Self.plainInternetTime($0) }) {
            self = d
        } else if let d = ISOParsers.shared.date(from: iso) {
            self = d
        } else {
            return nil
        }
    }

    /// Whether `text` has the shape of `isoLocal`'s output (`YYYY-MM-DDTHH:MM:SS+08:00`),
    /// without parsing it: a quick test before trying a value as a time.
    public static func looksLikeISOTime(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { b in
            b.count >= 20 && b[4] == UInt8(ascii: "-") && b[7] == UInt8(ascii: "-") && b[10] == UInt8(ascii: "T") && b[13] == UInt8(ascii: ":")
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`, nothing else; nil when it is not exactly that.
    private static func plainInternetTime(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count == 20 || b.count == 25, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var n = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60,
            // ICU reads earlier years in the Julian calendar: left to it.
            year >= 1600
        else { return nil }
        let offset: Int
        if b.count == 20, b[19] == UInt8(ascii: "Z") {
            offset = 0
        } else if b.count == 25, b[19] == UInt8(ascii: "+") || b[19] == UInt8(ascii: "-"), b[22] == UInt8(ascii: ":"),
            let h = number(20, 2), let m = number(23, 2), h < 24, m < 60 {
            offset = (b[19] == UInt8(ascii: "+") ? 1 : -1) * (h * 3600 + m * 60)
        } else {
            return nil
        }
        let date = LocalDate(year: year, month: month, day: day)
        // 2025-02-30 and the like are no dates.
        guard date.components == (year, month, day) else { return nil }
        let seconds = date.dayNumber * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// The two ISO-8601 readers, made once (each is an ICU formatter) and used one call at a time:
/// corelibs Foundation does not promise that a formatter may be shared between threads.
private final class ISOParsers: @unchecked Sendable {
    static let shared = ISOParsers()
    private let lock = NSLock()
    private let plain = ISO8601DateFormatter()
    private let fractional: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    func date(from text: String) -> Date? {
        lock.lock()
        defer { lock.unlock() }
        return plain.date(from: text) ?? fractional.date(from: text)
    }
}
