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
    public var isoLocal: String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return f.string(from: self)
    }

    /// Parses ISO-8601 with or without fractional seconds.
    public init?(iso: String) {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: iso) { self = d; return }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: iso) { self = d; return }
        return nil
    }
}
