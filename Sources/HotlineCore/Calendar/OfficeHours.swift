import Foundation

/// Office periods of a working day, in minutes after local midnight (R-TIME-1).
/// Default 09:00–12:00 and 13:30–17:30, the usual government office day.
public struct OfficeHours: Sendable, Equatable, Codable {
    public struct Period: Sendable, Equatable, Codable {
        public var startMinute: Int
        public var endMinute: Int
        public init(startMinute: Int, endMinute: Int) {
            self.startMinute = startMinute
            self.endMinute = endMinute
        }
    }

    public var periods: [Period]

    public init(periods: [Period]) { self.periods = periods.sorted { $0.startMinute < $1.startMinute } }

    public static let standard = OfficeHours(periods: [
        .init(startMinute: 9 * 60, endMinute: 12 * 60),
        .init(startMinute: 13 * 60 + 30, endMinute: 17 * 60 + 30),
    ])

    /// Office seconds in one working day.
    public var secondsPerDay: Int { periods.reduce(0) { $0 + ($1.endMinute - $1.startMinute) * 60 } }

    /// Parses `09:00-12:00,13:30-17:30`; nil when malformed, overlapping or empty.
    public init?(parsing text: String) {
        func minute(_ s: Substring) -> Int? {
            let hm = s.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h),
                (0...59).contains(m), h * 60 + m <= 1440
            else { return nil }
            return h * 60 + m
        }
        var periods: [Period] = []
        for part in text.split(separator: ",") {
            let ends = part.trimmingCharacters(in: .whitespaces).split(separator: "-")
            guard ends.count == 2, let a = minute(ends[0]), let b = minute(ends[1]), a < b else { return nil }
            periods.append(Period(startMinute: a, endMinute: b))
        }
        guard !periods.isEmpty else { return nil }
        self.init(periods: periods)
        for (a, b) in zip(self.periods, self.periods.dropFirst()) where a.endMinute > b.startMinute {
            return nil
        }
    }

    public var text: String {
        periods.map { String(format: "%02d:%02d-%02d:%02d", $0.startMinute / 60, $0.startMinute % 60, $0.endMinute / 60, $0.endMinute % 60) }
            .joined(separator: ",")
    }
}
