import Fluent
import HotlineCore
import Vapor

/// 延期申请 row (R-UH-6).
final class ExtensionRequestModel: Model, @unchecked Sendable {
    static let schema = "extension_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "assignment_id") var assignmentId: UUID
    @Field(key: "amount") var amount: Int
    @Field(key: "reason") var reason: String
    @Field(key: "status") var status: String
    @Field(key: "requested_at") var requestedAt: Date
    @Field(key: "requested_by") var requestedBy: UUID
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decision_note") var decisionNote: String?

    init() {}

    init(_ e: ExtensionRequest, workOrderId: UUID) {
        self.id = e.id
        self.workOrderId = workOrderId
        apply(e)
    }

    func apply(_ e: ExtensionRequest) {
        assignmentId = e.assignmentId
        amount = e.amount
        reason = e.reason
        status = e.status.rawValue
        requestedAt = e.requestedAt
        requestedBy = e.requestedBy
        decidedAt = e.decidedAt
        decisionNote = e.decisionNote
    }

    var value: ExtensionRequest {
        var e = ExtensionRequest(id: id!, assignmentId: assignmentId, amount: amount, reason: reason, requestedAt: requestedAt, requestedBy: requestedBy)
        e.status = ExtensionStatus(rawValue: status) ?? .pendingUnitLeader
        e.decidedAt = decidedAt
        e.decisionNote = decisionNote
        return e
    }
}

/// 督办台账 row (R-SUP-2).
final class SupervisionModel: Model, @unchecked Sendable {
    static let schema = "supervisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    @OptionalField(key: "assignment_id") var assignmentId: UUID?
    @Field(key: "method") var method: String
    @Field(key: "note") var note: String
    @OptionalField(key: "instruction") var instruction: String?
    @Field(key: "opened_at") var openedAt: Date
    @Field(key: "opened_by") var openedBy: UUID
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closing_note") var closingNote: String?

    init() {}

    init(_ s: Supervision, workOrderId: UUID) {
        self.id = s.id
        self.workOrderId = workOrderId
        apply(s)
    }

    func apply(_ s: Supervision) {
        assignmentId = s.assignmentId
        method = s.method.rawValue
        note = s.note
        instruction = s.instruction
        openedAt = s.openedAt
        openedBy = s.openedBy
        closedAt = s.closedAt
        closingNote = s.closingNote
    }

    var value: Supervision {
        var s = Supervision(id: id!, assignmentId: assignmentId, method: SupervisionMethod(rawValue: method) ?? .written, note: note, instruction: instruction, openedAt: openedAt, openedBy: openedBy)
        s.closedAt = closedAt
        s.closingNote = closingNote
        return s
    }
}

/// 催办 row (R-SUP-1).
final class ReminderModel: Model, @unchecked Sendable {
    static let schema = "reminders"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "assignment_id") var assignmentId: UUID
    @Field(key: "note") var note: String
    @Field(key: "at") var at: Date
    @OptionalField(key: "by") var by: UUID?
    @Field(key: "automatic") var automatic: Bool

    init() {}

    init(_ r: Reminder, workOrderId: UUID) {
        self.id = r.id
        self.workOrderId = workOrderId
        assignmentId = r.assignmentId
        note = r.note
        at = r.at
        by = r.by
        automatic = r.automatic
    }

    var value: Reminder { Reminder(id: id!, assignmentId: assignmentId, note: note, at: at, by: by, automatic: automatic) }
}
