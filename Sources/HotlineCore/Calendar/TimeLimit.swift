import Foundation

/// How a time limit is counted (R-TIME-2).
public enum TimeLimitUnit: String, Codable, Sendable, CaseIterable {
    /// 工作日: ends at 23:59:59 of the Nth working day after the start day.
    case workingDays
    /// 工作小时: counts office hours of working days only.
    case workingHours
    /// 自然日: ends at 23:59:59 of the Nth day after the start day; 0 = the same day (当天答复).
    case naturalDays
    /// 自然小时: plain elapsed hours.
    case naturalHours
}

/// A time limit such as "15 working days".
public struct TimeLimit: Codable, Sendable, Equatable, CustomStringConvertible {
    public var amount: Int
    public var unit: TimeLimitUnit

    public init(_ amount: Int, _ unit: TimeLimitUnit) {
        self.amount = amount
        self.unit = unit
    }

    public static func workingDays(_ n: Int) -> TimeLimit { .init(n, .workingDays) }
    public static func workingHours(_ n: Int) -> TimeLimit { .init(n, .workingHours) }
    public static func naturalDays(_ n: Int) -> TimeLimit { .init(n, .naturalDays) }
    public static func naturalHours(_ n: Int) -> TimeLimit { .init(n, .naturalHours) }

    public var description: String { "\(amount) \(unit.rawValue)" }
}

/// Where the yellow light starts (R-TIME-4): the last N working days before the deadline,
/// or the last fraction of the limit.
public enum WarningMargin: Sendable, Equatable, CustomStringConvertible {
    case workingDays(Int)
    case fraction(Double)

    /// Parses `1wd` or `20%`.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("wd"), let n = Int(t.dropLast(2)), n >= 0 {
            self = .workingDays(n)
        } else if t.hasSuffix("%"), let p = Double(t.dropLast()), p > 0, p < 100 {
            self = .fraction(p / 100)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .workingDays(let n): "\(n)wd"
        case .fraction(let f): "\(Int((f * 100).rounded()))%"
        }
    }
}

/// 红黄牌: green = on time, yellow = within the warning margin, red = overdue (R-TIME-4).
public enum WarningLight: String, Codable, Sendable, CaseIterable {
    case green, yellow, red

    public static func at(_ now: Date, warnAt: Date, dueAt: Date) -> WarningLight {
        if now > dueAt { return .red }
        if now >= warnAt { return .yellow }
        return .green
    }
}

/// A computed deadline and the warnings met on the way (years without calendar data).
public struct Deadline: Sendable, Equatable {
    public var dueAt: Date
    public var warnAt: Date
    public var warnings: [String]

    public init(dueAt: Date, warnAt: Date, warnings: [String] = []) {
        self.dueAt = dueAt
        self.warnAt = warnAt
        self.warnings = warnings
    }
}
