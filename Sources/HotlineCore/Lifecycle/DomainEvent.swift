import Foundation

/// What happened, for the append-only timeline (R-WO-9). The shell adds who and when and
/// writes it in the same transaction as the state change: no event, no change.
public struct DomainEvent: Sendable, Equatable {
    public var action: String
    public var assignmentId: UUID?
    public var unitId: UUID?
    /// Status before and after: the order's, or the assignment's when `assignmentId` is set.
    public var fromStatus: String?
    public var toStatus: String?
    public var note: String?
    public var details: [String: String]

    public init(
        _ action: String, assignmentId: UUID? = nil, unitId: UUID? = nil, from: String? = nil, to: String? = nil,
        note: String? = nil, details: [String: String] = [:]
    ) {
        self.action = action
        self.assignmentId = assignmentId
        self.unitId = unitId
        self.fromStatus = from
        self.toStatus = to
        self.note = note
        self.details = details
    }
}
