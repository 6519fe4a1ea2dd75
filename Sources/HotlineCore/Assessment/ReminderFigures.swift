import Foundation

/// One unit's reminders (催办) over a period, for its assessment (R-STAT-3, [clocks] item 5):
/// how many of its assignments were reminded at least once, and how many reminders it got,
/// by people and by the platform's clocks.
public struct UnitReminderFigures: Sendable, Equatable {
    public var unitId: UUID
    public var unitName: String
    /// Assignments dispatched to the unit in the period.
    public var dispatched: Int
    /// Of those, the ones reminded at least once.
    public var reminded: Int
    /// Reminders the unit got in the period (on any of its assignments).
    public var reminders: Int
    /// Of those, the ones the platform's clocks sent (yellow, red).
    public var automaticReminders: Int

    public init(unitId: UUID, unitName: String, dispatched: Int, reminded: Int, reminders: Int, automaticReminders: Int) {
        self.unitId = unitId
        self.unitName = unitName
        self.dispatched = dispatched
        self.reminded = reminded
        self.reminders = reminders
        self.automaticReminders = automaticReminders
    }

    public var manualReminders: Int { reminders - automaticReminders }

    /// 催办率: the share of the unit's assignments reminded at least once; none without any
    /// assignment (no rate is not a rate of zero).
    public var reminderRate: Double? { dispatched == 0 ? nil : Double(reminded) / Double(dispatched) }

    /// Units with the most reminded share first (the ones to look at), then by reminders, then
    /// by name; units without assignments last.
    public static func ranked(_ figures: [UnitReminderFigures]) -> [UnitReminderFigures] {
        figures.sorted { a, b in
            switch (a.reminderRate, b.reminderRate) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.reminders != b.reminders ? a.reminders > b.reminders : a.unitName < b.unitName
            }
        }
    }
}
