import Fluent
import HotlineCore
import Vapor

/// 交办单 row: one unit's share of a dispatched order. The unit's path is copied here so
/// a unit's inbox and scope checks are one indexed prefix scan.
final class AssignmentModel: Model, @unchecked Sendable {
    static let schema = "assignments"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "unit_id") var unitId: UUID
    @Field(key: "unit_path") var unitPath: String
    @Field(key: "unit_name") var unitName: String
    @Field(key: "unit_level") var unitLevel: Int
    @OptionalField(key: "unit_parent_id") var unitParentId: UUID?
    @Field(key: "role") var role: String
    @OptionalField(key: "parent_id") var parentId: UUID?
    @Field(key: "status") var status: String
    @Field(key: "dispatched_at") var dispatchedAt: Date
    @Field(key: "sign_due_at") var signDueAt: Date
    @OptionalField(key: "signed_at") var signedAt: Date?
    @Field(key: "signed_late") var signedLate: Bool
    @Field(key: "limit_amount") var limitAmount: Int
    @Field(key: "limit_unit") var limitUnit: String
    @Field(key: "due_at") var dueAt: Date
    @Field(key: "warn_at") var warnAt: Date
    @OptionalField(key: "paused_at") var pausedAt: Date?
    @OptionalField(key: "contact_due_at") var contactDueAt: Date?
    @OptionalField(key: "contacted_at") var contactedAt: Date?
    @OptionalField(key: "return_reason") var returnReason: String?
    @OptionalField(key: "return_basis") var returnBasis: String?
    @OptionalField(key: "return_requested_at") var returnRequestedAt: Date?
    @OptionalField(key: "feedback") var feedback: Feedback?
    @OptionalField(key: "feedback_submitted_at") var feedbackSubmittedAt: Date?
    @OptionalField(key: "opinion") var opinion: String?
    @Field(key: "redo_count") var redoCount: Int
    @Field(key: "reminder_count") var reminderCount: Int
    @OptionalField(key: "completed_at") var completedAt: Date?

    init() {}

    init(_ a: Assignment) {
        self.id = a.id
        apply(a)
    }

    func apply(_ a: Assignment) {
        workOrderId = a.workOrderId
        unitId = a.unit.id
        unitPath = a.unit.path
        unitName = a.unit.name
        unitLevel = a.unit.level
        unitParentId = a.unit.parentId
        role = a.role.rawValue
        parentId = a.parentId
        status = a.status.rawValue
        dispatchedAt = a.dispatchedAt
        signDueAt = a.signDueAt
        signedAt = a.signedAt
        signedLate = a.signedLate
        limitAmount = a.timeLimit.amount
        limitUnit = a.timeLimit.unit.rawValue
        dueAt = a.dueAt
        warnAt = a.warnAt
        pausedAt = a.pausedAt
        contactDueAt = a.contactDueAt
        contactedAt = a.contactedAt
        returnReason = a.returnReason
        returnBasis = a.returnBasis
        returnRequestedAt = a.returnRequestedAt
        feedback = a.feedback
        feedbackSubmittedAt = a.feedbackSubmittedAt
        opinion = a.opinion
        redoCount = a.redoCount
        reminderCount = a.reminderCount
        completedAt = a.completedAt
    }

    var value: Assignment {
        var a = Assignment(
            id: id!, workOrderId: workOrderId,
            unit: UnitRef(id: unitId, name: unitName, level: unitLevel, parentId: unitParentId, path: unitPath),
            role: AssignmentRole(rawValue: role) ?? .lead, parentId: parentId, dispatchedAt: dispatchedAt,
            signDueAt: signDueAt, timeLimit: TimeLimit(limitAmount, TimeLimitUnit(rawValue: limitUnit) ?? .workingDays),
            dueAt: dueAt, warnAt: warnAt)
        a.status = AssignmentStatus(rawValue: status) ?? .toSign
        a.signedAt = signedAt
        a.signedLate = signedLate
        a.pausedAt = pausedAt
        a.contactDueAt = contactDueAt
        a.contactedAt = contactedAt
        a.returnReason = returnReason
        a.returnBasis = returnBasis
        a.returnRequestedAt = returnRequestedAt
        a.feedback = feedback
        a.feedbackSubmittedAt = feedbackSubmittedAt
        a.opinion = opinion
        a.redoCount = redoCount
        a.reminderCount = reminderCount
        a.completedAt = completedAt
        return a
    }
}
