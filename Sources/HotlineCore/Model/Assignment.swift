import Foundation

/// 反馈件 (R-UH-7): every part is required; missing parts are refused by name.
public struct Feedback: Codable, Sendable, Equatable {
    /// A factual answer to the request (正面回应).
    public var answer: String
    public var result: HandlingResult
    public var contactMethod: ContactMethod
    public var contactedAt: Date
    /// The citizen's view after contact.
    public var citizenOpinion: String
    /// Policy and legal references (文号和出处); may be "无" but not empty.
    public var policyReferences: String
    public var responsiblePerson: String
    public var responsiblePhone: String

    public init(
        answer: String, result: HandlingResult, contactMethod: ContactMethod, contactedAt: Date,
        citizenOpinion: String, policyReferences: String, responsiblePerson: String, responsiblePhone: String
    ) {
        self.answer = answer
        self.result = result
        self.contactMethod = contactMethod
        self.contactedAt = contactedAt
        self.citizenOpinion = citizenOpinion
        self.policyReferences = policyReferences
        self.responsiblePerson = responsiblePerson
        self.responsiblePhone = responsiblePhone
    }
}

/// 交办单: one unit's share of a dispatched order.
public struct Assignment: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var workOrderId: UUID
    public var unit: UnitRef
    public var role: AssignmentRole
    /// Set on a sub-dispatched (下派) assignment: the level-2 assignment it came from.
    public var parentId: UUID?
    public var status: AssignmentStatus

    public var dispatchedAt: Date
    public var signDueAt: Date
    public var signedAt: Date?
    /// Signed after the sign limit (R-UH-1): counts in assessment.
    public var signedLate: Bool

    public var timeLimit: TimeLimit
    public var dueAt: Date
    public var warnAt: Date
    /// Set while the clock is paused (R-TIME-3).
    public var pausedAt: Date?

    /// Help requests: contact the citizen within 1 working day (R-UH-3).
    public var contactDueAt: Date?
    public var contactedAt: Date?

    public var returnReason: String?
    public var returnBasis: String?
    public var returnRequestedAt: Date?

    public var feedback: Feedback?
    public var feedbackSubmittedAt: Date?
    /// A co-unit's opinion to the lead (R-UH-5).
    public var opinion: String?
    public var redoCount: Int
    public var reminderCount: Int
    public var completedAt: Date?

    public init(
        id: UUID, workOrderId: UUID, unit: UnitRef, role: AssignmentRole, parentId: UUID? = nil,
        dispatchedAt: Date, signDueAt: Date, timeLimit: TimeLimit, dueAt: Date, warnAt: Date
    ) {
        self.id = id
        self.workOrderId = workOrderId
        self.unit = unit
        self.role = role
        self.parentId = parentId
        self.status = .toSign
        self.dispatchedAt = dispatchedAt
        self.signDueAt = signDueAt
        self.signedLate = false
        self.timeLimit = timeLimit
        self.dueAt = dueAt
        self.warnAt = warnAt
        self.redoCount = 0
        self.reminderCount = 0
    }
}

/// 延期申请 (R-UH-6).
public struct ExtensionRequest: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var assignmentId: UUID
    /// Extra time, in the unit of the assignment's limit.
    public var amount: Int
    public var reason: String
    public var status: ExtensionStatus
    public var requestedAt: Date
    public var requestedBy: UUID
    public var decidedAt: Date?
    public var decisionNote: String?

    public init(id: UUID, assignmentId: UUID, amount: Int, reason: String, requestedAt: Date, requestedBy: UUID) {
        self.id = id
        self.assignmentId = assignmentId
        self.amount = amount
        self.reason = reason
        self.status = .pendingUnitLeader
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
    }
}

/// 督办 (R-SUP-2): one entry of the order's supervision ledger, open until 办结销号.
public struct Supervision: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var assignmentId: UUID?
    public var method: SupervisionMethod
    public var note: String
    public var instruction: String?
    public var openedAt: Date
    public var openedBy: UUID
    public var closedAt: Date?
    public var closingNote: String?

    public init(
        id: UUID, assignmentId: UUID?, method: SupervisionMethod, note: String, instruction: String?,
        openedAt: Date, openedBy: UUID
    ) {
        self.id = id
        self.assignmentId = assignmentId
        self.method = method
        self.note = note
        self.instruction = instruction
        self.openedAt = openedAt
        self.openedBy = openedBy
    }

    public var isOpen: Bool { closedAt == nil }
}

/// 催办 (R-SUP-1).
public struct Reminder: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var assignmentId: UUID
    public var note: String
    public var at: Date
    public var by: UUID?
    /// True when a clock sent it, not a person.
    public var automatic: Bool

    public init(id: UUID, assignmentId: UUID, note: String, at: Date, by: UUID?, automatic: Bool) {
        self.id = id
        self.assignmentId = assignmentId
        self.note = note
        self.at = at
        self.by = by
        self.automatic = automatic
    }
}

/// Everything the lifecycle rules look at for one work order.
public struct WorkOrderAggregate: Sendable, Equatable {
    public var order: WorkOrder
    public var assignments: [Assignment]
    public var extensions: [ExtensionRequest]
    public var supervisions: [Supervision]
    public var reminders: [Reminder]

    public init(
        order: WorkOrder, assignments: [Assignment] = [], extensions: [ExtensionRequest] = [],
        supervisions: [Supervision] = [], reminders: [Reminder] = []
    ) {
        self.order = order
        self.assignments = assignments
        self.extensions = extensions
        self.supervisions = supervisions
        self.reminders = reminders
    }

    /// The active top-level lead assignment.
    public var lead: Assignment? {
        assignments.first { $0.role == .lead && $0.parentId == nil && $0.status.isActive }
    }

    /// The unit that led the handling: the active lead, or once done the last lead that
    /// completed (what the public sees as the agency responsible).
    public var leadUnit: UnitRef? {
        (lead ?? assignments.last { $0.role == .lead && $0.parentId == nil && $0.status == .completed })?.unit
    }

    public func assignment(_ id: UUID) -> Assignment? { assignments.first { $0.id == id } }
}
