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

    /// Parses ISO-8601 with or without fractional seconds.
    public init?(iso: String) {
        let f = ISO8601DateFormatter()
        if let d = f.date(from: iso) { self = d; return }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: iso) { self = d; return }
        return nil
    }
}
