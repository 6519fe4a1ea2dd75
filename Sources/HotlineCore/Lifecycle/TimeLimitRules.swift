import Foundation

/// One row of the handling-limit table: type × category × urgency → limit (R-TIME-2).
/// A nil field matches anything; the most specific matching row wins.
public struct TimeLimitRule: Sendable, Equatable, Codable {
    public var requestType: RequestType?
    /// Matches this category and everything under it (codes are hierarchical).
    public var categoryPrefix: String?
    public var urgency: Urgency?
    public var limit: TimeLimit

    public init(requestType: RequestType? = nil, categoryPrefix: String? = nil, urgency: Urgency? = nil, limit: TimeLimit) {
        self.requestType = requestType
        self.categoryPrefix = categoryPrefix
        self.urgency = urgency
        self.limit = limit
    }

    func matches(_ type: RequestType, _ category: String, _ urgency: Urgency) -> Bool {
        (requestType == nil || requestType == type) && (self.urgency == nil || self.urgency == urgency)
            && (categoryPrefix.map { category.hasPrefix($0) } ?? true)
    }

    /// Urgency outranks category, which outranks type: an urgent order is due the same day
    /// whatever its type (当天答复); a longer category code is more specific.
    var specificity: Int {
        (urgency == nil ? 0 : 10_000) + (categoryPrefix?.count ?? 0) * 10 + (requestType == nil ? 0 : 1)
    }
}

public struct TimeLimitRules: Sendable, Equatable {
    public var rules: [TimeLimitRule]

    public init(_ rules: [TimeLimitRule]) { self.rules = rules }

    /// When nothing matches (an admin deleted every row): 5 working days, the common default.
    public static let fallback = TimeLimit.workingDays(5)

    public func resolve(type: RequestType, category: String, urgency: Urgency) -> TimeLimit {
        rules.filter { $0.matches(type, category, urgency) }.max { $0.specificity < $1.specificity }?.limit ?? Self.fallback
    }

    /// SPEC §8 defaults, from the Suzhou rules (seeds/001 五(二)): consultation 2 wd, help 5 wd,
    /// suggestion 5 wd, complaint 15 wd; reports 15 wd; urgent the same day; emergencies that
    /// still reach a unit within 2 hours.
    public static let defaults = TimeLimitRules([
        .init(requestType: .consultation, limit: .workingDays(2)),
        .init(requestType: .help, limit: .workingDays(5)),
        .init(requestType: .suggestion, limit: .workingDays(5)),
        .init(requestType: .complaint, limit: .workingDays(15)),
        .init(requestType: .report, limit: .workingDays(15)),
        .init(requestType: .praise, limit: .workingDays(5)),
        .init(urgency: .urgent, limit: .naturalDays(0)),
        .init(urgency: .emergency, limit: .naturalHours(2)),
    ])
}
