import Fluent
import Foundation
import HotlineCore

/// Column lists and rows for the work-order tables, written out by hand because Fluent's
/// reflection (`Fields.input`) took a third of the seed's time. `BulkRowsTests` checks that each
/// matches what the Fluent model itself would write, column for column, so they cannot drift.
enum BulkRows {
    // Typed cells for the common column types, so the bulk encoders switch on a case instead of
    // casting each value out of an `any Encodable` (a tenth of the seed's profile).
    private static func v(_ x: String?) -> BulkCell { x.map(BulkCell.text) ?? .null }
    private static func v(_ x: UUID?) -> BulkCell { x.map(BulkCell.uuid) ?? .null }
    private static func v(_ x: Int?) -> BulkCell { x.map(BulkCell.int) ?? .null }
    private static func v(_ x: Bool?) -> BulkCell { x.map(BulkCell.bool) ?? .null }
    private static func v(_ x: Date?) -> BulkCell { x.map(BulkCell.date) ?? .null }
    private static func v(_ x: Double?) -> BulkCell { x.map(BulkCell.double) ?? .null }
    private static func v(_ x: [String: String]?) -> BulkCell { x.map(BulkCell.object) ?? .null }
    private static func v<T: Encodable & Sendable>(_ x: T?) -> BulkCell { x.map { .encodable($0) } ?? .null }

    static let orderColumns = [
        "id", "number", "version", "channel", "request_type", "category_code", "urgency", "title", "time_text", "place_address",
        "place_division_code", "place_latitude", "place_longitude", "people", "matter", "course", "wanted_outcome", "citizen_name",
        "citizen_phone", "citizen_id_number", "citizen_address", "wants_secrecy", "anonymous", "consents_disclosure", "subject_unit_id",
        "is_sensitive", "status", "disposition", "handling_mode", "created_at", "created_by", "dispatch_due_at", "dispatch_warn_at",
        "dispatched_at", "proposal", "leader_instruction", "due_at", "warn_at", "limit_amount", "limit_unit", "redo_count", "answer",
        "knowledge_article_ref", "decline_reason_code", "guide_target", "merged_into_id", "reviewed_at", "callback_due_at",
        "callback_attempts", "callback", "closed_at", "archived_at", "appeal_count", "appeal_pending",
    ]

    static func order(_ o: WorkOrder) -> [BulkCell] {
        let e = o.elements, c = o.citizen
        return [
            v(o.id), v(o.number), v(o.version), v(o.channel.rawValue), v(o.requestType.rawValue), v(o.categoryCode), v(o.urgency.rawValue),
            v(o.title), v(e.time), v(e.place.address), v(e.place.divisionCode), v(e.place.latitude), v(e.place.longitude), v(e.people),
            v(e.matter), v(e.course), v(e.wantedOutcome), v(c.name), v(c.phone), v(c.idNumber), v(c.address), v(c.wantsSecrecy),
            v(c.anonymous), v(c.consentsToDisclosure), v(o.subjectUnitId), v(o.isSensitive), v(o.status.rawValue), v(o.disposition?.rawValue),
            v(o.handlingMode?.rawValue), v(o.createdAt), v(o.createdBy), v(o.dispatchDueAt), v(o.dispatchWarnAt), v(o.dispatchedAt),
            v(o.proposal), v(o.leaderInstruction), v(o.dueAt), v(o.warnAt), v(o.timeLimit?.amount), v(o.timeLimit?.unit.rawValue),
            v(o.redoCount), v(o.answer), v(o.knowledgeArticleRef), v(o.declineReasonCode), v(o.guideTarget), v(o.mergedIntoId),
            v(o.reviewedAt), v(o.callbackDueAt), v(o.callbackAttempts), v(o.callback), v(o.closedAt), v(o.archivedAt), v(o.appealCount),
            v(o.appealPending),
        ]
    }

    static let assignmentColumns = [
        "id", "work_order_id", "unit_id", "unit_path", "unit_name", "unit_level", "unit_parent_id", "role", "parent_id", "status",
        "dispatched_at", "sign_due_at", "signed_at", "signed_late", "limit_amount", "limit_unit", "due_at", "warn_at", "paused_at",
        "contact_due_at", "contacted_at", "return_reason", "return_basis", "return_requested_at", "feedback", "feedback_submitted_at",
        "opinion", "redo_count", "reminder_count", "completed_at",
    ]

    static func assignment(_ a: Assignment) -> [BulkCell] {
        [
            v(a.id), v(a.workOrderId), v(a.unit.id), v(a.unit.path), v(a.unit.name), v(a.unit.level), v(a.unit.parentId), v(a.role.rawValue),
            v(a.parentId), v(a.status.rawValue), v(a.dispatchedAt), v(a.signDueAt), v(a.signedAt), v(a.signedLate), v(a.timeLimit.amount),
            v(a.timeLimit.unit.rawValue), v(a.dueAt), v(a.warnAt), v(a.pausedAt), v(a.contactDueAt), v(a.contactedAt), v(a.returnReason),
            v(a.returnBasis), v(a.returnRequestedAt), v(a.feedback), v(a.feedbackSubmittedAt), v(a.opinion), v(a.redoCount),
            v(a.reminderCount), v(a.completedAt),
        ]
    }

    static let eventColumns = [
        "id", "work_order_id", "seq", "at", "action", "actor_id", "actor_name", "actor_roles", "actor_unit_id", "actor_unit_name",
        "assignment_id", "unit_id", "from_status", "to_status", "note", "details",
    ]

    static func event(_ e: DomainEvent, id: UUID, workOrderId: UUID, seq: Int, at: Date, actor: Actor?, rolesText: String) -> [BulkCell] {
        [
            v(id), v(workOrderId), v(seq), v(at), v(e.action), v(actor?.accountId), v(actor?.name ?? "系统"), v(rolesText),
            v(actor?.unit.id), v(actor?.unit.name), v(e.assignmentId), v(e.unitId), v(e.fromStatus), v(e.toStatus), v(e.note), v(e.details),
        ]
    }

    static let extensionColumns = [
        "id", "work_order_id", "assignment_id", "amount", "reason", "status", "requested_at", "requested_by", "decided_at", "decision_note",
    ]

    static func extensionRequest(_ e: ExtensionRequest, workOrderId: UUID) -> [BulkCell] {
        [
            v(e.id), v(workOrderId), v(e.assignmentId), v(e.amount), v(e.reason), v(e.status.rawValue), v(e.requestedAt), v(e.requestedBy),
            v(e.decidedAt), v(e.decisionNote),
        ]
    }

    static let supervisionColumns = [
        "id", "work_order_id", "assignment_id", "method", "note", "instruction", "opened_at", "opened_by", "closed_at", "closing_note",
    ]

    static func supervision(_ s: Supervision, workOrderId: UUID) -> [BulkCell] {
        [
            v(s.id), v(workOrderId), v(s.assignmentId), v(s.method.rawValue), v(s.note), v(s.instruction), v(s.openedAt), v(s.openedBy),
            v(s.closedAt), v(s.closingNote),
        ]
    }

    static let reminderColumns = ["id", "work_order_id", "assignment_id", "note", "at", "by", "automatic"]

    static func reminder(_ r: Reminder, workOrderId: UUID) -> [BulkCell] {
        [v(r.id), v(workOrderId), v(r.assignmentId), v(r.note), v(r.at), v(r.by), v(r.automatic)]
    }
}

/// One value of a row written by hand, typed for the common column types.
enum BulkCell: Sendable {
    case null
    case text(String)
    case uuid(UUID)
    case int(Int)
    case bool(Bool)
    case date(Date)
    case double(Double)
    /// A JSON object of strings (a timeline event's details).
    case object([String: String])
    /// Any other value, stored as its JSON (feedback, a callback).
    case encodable(any Encodable & Sendable)

    /// The same value for Fluent's and SQLKit's binds.
    var value: DatabaseQuery.Value {
        switch self {
        case .null: .null
        case .text(let x): .bind(x)
        case .uuid(let x): .bind(x)
        case .int(let x): .bind(x)
        case .bool(let x): .bind(x)
        case .date(let x): .bind(x)
        case .double(let x): .bind(x)
        case .object(let x): .bind(x)
        case .encodable(let x): .bind(x)
        }
    }
}

extension Array where Element == BulkCell {
    var values: [DatabaseQuery.Value] { map(\.value) }
}
