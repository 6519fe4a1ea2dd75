import HotlineCore
import Vapor

/// Body of `POST /api/v1/work-orders` (受理).
struct IntakeRequest: Content {
    var channel: Channel
    var requestType: RequestType
    var categoryCode: String
    var urgency: Urgency?
    var title: String
    var elements: SixElements
    var citizen: Citizen
    var subjectUnitId: UUID?
    /// The CTI's id of the call the order is recorded in (R-IN-4): the order is linked to
    /// the call and gets its recording.
    var callId: String?

    var draft: IntakeDraft {
        IntakeDraft(channel: channel, requestType: requestType, categoryCode: categoryCode, urgency: urgency ?? .normal, title: title, elements: elements, citizen: citizen, subjectUnitId: subjectUnitId)
    }
}

/// Body of `PATCH /api/v1/work-orders/{id}`.
struct WorkOrderPatch: Content {
    var title: String?
    var requestType: RequestType?
    var categoryCode: String?
    var urgency: Urgency?
    var elements: SixElements?
    var subjectUnitId: UUID?
}

struct AssignmentDTO: Content {
    var id: UUID
    var unitId: UUID
    var unitName: String
    var unitLevel: Int
    var role: AssignmentRole
    var parentId: UUID?
    var status: AssignmentStatus
    var dispatchedAt: Date
    var signDueAt: Date
    var signedAt: Date?
    var signedLate: Bool
    var timeLimit: TimeLimit
    var dueAt: Date
    var warnAt: Date
    var light: WarningLight
    var paused: Bool
    var contactDueAt: Date?
    var contactedAt: Date?
    var returnReason: String?
    var returnBasis: String?
    var feedback: Feedback?
    var feedbackSubmittedAt: Date?
    var opinion: String?
    var redoCount: Int
    var reminderCount: Int
    var completedAt: Date?

    init(_ a: Assignment, now: Date) {
        id = a.id
        unitId = a.unit.id
        unitName = a.unit.name
        unitLevel = a.unit.level
        role = a.role
        parentId = a.parentId
        status = a.status
        dispatchedAt = a.dispatchedAt
        signDueAt = a.signDueAt
        signedAt = a.signedAt
        signedLate = a.signedLate
        timeLimit = a.timeLimit
        dueAt = a.dueAt
        warnAt = a.warnAt
        light = WarningLight.at(a.pausedAt ?? now, warnAt: a.warnAt, dueAt: a.dueAt)
        paused = a.pausedAt != nil
        contactDueAt = a.contactDueAt
        contactedAt = a.contactedAt
        returnReason = a.returnReason
        returnBasis = a.returnBasis
        feedback = a.feedback
        feedbackSubmittedAt = a.feedbackSubmittedAt
        opinion = a.opinion
        redoCount = a.redoCount
        reminderCount = a.reminderCount
        completedAt = a.completedAt
    }
}

struct ExtensionDTO: Content {
    var id: UUID
    var assignmentId: UUID
    var amount: Int
    var reason: String
    var status: ExtensionStatus
    var requestedAt: Date
    var decidedAt: Date?
    var decisionNote: String?

    init(_ e: ExtensionRequest) {
        id = e.id
        assignmentId = e.assignmentId
        amount = e.amount
        reason = e.reason
        status = e.status
        requestedAt = e.requestedAt
        decidedAt = e.decidedAt
        decisionNote = e.decisionNote
    }
}

struct SupervisionDTO: Content {
    var id: UUID
    var assignmentId: UUID?
    var method: SupervisionMethod
    var note: String
    var instruction: String?
    var openedAt: Date
    var closedAt: Date?
    var closingNote: String?

    init(_ s: Supervision) {
        id = s.id
        assignmentId = s.assignmentId
        method = s.method
        note = s.note
        instruction = s.instruction
        openedAt = s.openedAt
        closedAt = s.closedAt
        closingNote = s.closingNote
    }
}

struct ReminderDTO: Content {
    var id: UUID
    var assignmentId: UUID
    var note: String
    var at: Date
    var automatic: Bool
}

struct AttachmentDTO: Content {
    var id: UUID
    var fileName: String
    var contentType: String
    var size: Int
    var sha256: String
    var uploadedAt: Date
}

extension AttachmentDTO {
    init(_ m: AttachmentModel) {
        id = m.id!
        fileName = m.fileName
        contentType = m.contentType
        size = m.size
        sha256 = m.sha256
        uploadedAt = m.uploadedAt
    }
}

/// A work order as the API shows it. Citizen data is masked for unit roles when the citizen
/// asked for secrecy (R-WO-6); `citizenMasked` says which the reader got.
struct WorkOrderDTO: Content {
    var id: UUID
    var number: String
    var version: Int
    var status: WorkOrderStatus
    var disposition: Disposition?
    var channel: Channel
    var requestType: RequestType
    var categoryCode: String
    var urgency: Urgency
    var title: String
    var elements: SixElements
    var citizen: Citizen
    var citizenMasked: Bool
    var subjectUnitId: UUID?
    var isSensitive: Bool
    var handlingMode: HandlingMode?
    var createdAt: Date
    var dispatchDueAt: Date?
    var dispatchedAt: Date?
    var proposal: String?
    var leaderInstruction: String?
    var timeLimit: TimeLimit?
    var dueAt: Date?
    var warnAt: Date?
    var light: WarningLight?
    var redoCount: Int
    var answer: String?
    var knowledgeArticleRef: String?
    var declineReasonCode: String?
    var guideTarget: String?
    var mergedIntoId: UUID?
    var reviewedAt: Date?
    var callbackDueAt: Date?
    var callbackAttempts: Int
    var callback: CallbackRecord?
    var closedAt: Date?
    var archivedAt: Date?
    var appealCount: Int
    var appealPending: Bool
    var assignments: [AssignmentDTO]
    var extensions: [ExtensionDTO]
    var supervisions: [SupervisionDTO]
    var reminders: [ReminderDTO]
    var attachments: [AttachmentDTO]

    init(_ a: WorkOrderAggregate, masked: Bool, attachments: [AttachmentDTO], now: Date) {
        let o = a.order
        id = o.id
        number = o.number
        version = o.version
        status = o.status
        disposition = o.disposition
        channel = o.channel
        requestType = o.requestType
        categoryCode = o.categoryCode
        urgency = o.urgency
        title = o.title
        elements = o.elements
        citizen = masked ? Masking.citizen(o.citizen) : o.citizen
        citizenMasked = masked
        if masked {
            elements.matter = Masking.phonesInText(elements.matter)
            elements.course = Masking.phonesInText(elements.course)
        }
        subjectUnitId = o.subjectUnitId
        isSensitive = o.isSensitive
        handlingMode = o.handlingMode
        createdAt = o.createdAt
        dispatchDueAt = o.dispatchDueAt
        dispatchedAt = o.dispatchedAt
        proposal = o.proposal
        leaderInstruction = o.leaderInstruction
        timeLimit = o.timeLimit
        dueAt = o.dueAt
        warnAt = o.warnAt
        light = o.light(at: now)
        redoCount = o.redoCount
        answer = o.answer
        knowledgeArticleRef = o.knowledgeArticleRef
        declineReasonCode = o.declineReasonCode
        guideTarget = o.guideTarget
        mergedIntoId = o.mergedIntoId
        reviewedAt = o.reviewedAt
        callbackDueAt = o.callbackDueAt
        callbackAttempts = o.callbackAttempts
        callback = o.callback
        closedAt = o.closedAt
        archivedAt = o.archivedAt
        appealCount = o.appealCount
        appealPending = o.appealPending
        assignments = a.assignments.map { AssignmentDTO($0, now: now) }
        extensions = a.extensions.map(ExtensionDTO.init)
        supervisions = a.supervisions.map(SupervisionDTO.init)
        reminders = a.reminders.map { ReminderDTO(id: $0.id, assignmentId: $0.assignmentId, note: $0.note, at: $0.at, automatic: $0.automatic) }
        self.attachments = attachments
    }
}

/// A line in a list or queue: no unmasked personal data, ever.
struct WorkOrderSummaryDTO: Content {
    var id: UUID
    var number: String
    var version: Int
    var status: WorkOrderStatus
    var disposition: Disposition?
    var channel: Channel
    var requestType: RequestType
    var categoryCode: String
    var urgency: Urgency
    var title: String
    var citizenName: String
    var citizenPhone: String
    var isSensitive: Bool
    var createdAt: Date
    var dispatchDueAt: Date?
    var dueAt: Date?
    var light: WarningLight?
    var redoCount: Int
    var appealPending: Bool
}

extension WorkOrderSummaryDTO {
    /// From a whole Fluent row; `WorkOrderSummaries` reads only the columns a line needs.
    init(_ m: WorkOrderModel, now: Date) {
        let o = m.value
        id = o.id
        number = o.number
        version = o.version
        status = o.status
        disposition = o.disposition
        channel = o.channel
        requestType = o.requestType
        categoryCode = o.categoryCode
        urgency = o.urgency
        title = o.title
        citizenName = o.citizen.anonymous ? "匿名" : Masking.name(o.citizen.name)
        citizenPhone = Masking.phone(o.citizen.phone)
        isSensitive = o.isSensitive
        createdAt = o.createdAt
        dispatchDueAt = o.dispatchDueAt
        dueAt = o.dueAt
        light = o.light(at: now)
        redoCount = o.redoCount
        appealPending = o.appealPending
    }
}

/// Page and page size from a query. Pages stop at 10,000: deeper ones are not a way anyone
/// reads a list, and an unbounded number would overflow the offset arithmetic.
enum Paging {
    static let maxPage = 10_000

    static func resolve(page: Int?, per: Int?) throws -> (page: Int, per: Int, offset: Int) {
        let page = page ?? 1
        guard (1...maxPage).contains(page) else { throw APIProblem.invalid("page", "page must be 1…\(maxPage)") }
        let per = min(max(1, per ?? 20), 100)
        return (page, per, (page - 1) * per)
    }
}

struct Page<T: Content>: Content {
    var items: [T]
    var page: Int
    var per: Int
    var total: Int
    /// Set on a text search with more matches than it counts (`SearchIndex.countCap`):
    /// `total` is then "at least this many".
    var totalIsLowerBound: Bool? = nil
}

struct TimelineEventDTO: Content {
    var seq: Int
    var at: Date
    var action: String
    var actorName: String
    var actorRoles: [String]
    var actorUnitId: UUID?
    var actorUnitName: String?
    var assignmentId: UUID?
    var unitId: UUID?
    var fromStatus: String?
    var toStatus: String?
    var note: String?
    var details: [String: String]
}

extension TimelineEventDTO {
    init(_ m: WorkOrderEventModel) {
        seq = m.seq
        at = m.at
        action = m.action
        actorName = m.actorName
        actorRoles = m.actorRoles.split(separator: ",").map(String.init)
        actorUnitId = m.actorUnitId
        actorUnitName = m.actorUnitName
        assignmentId = m.assignmentId
        unitId = m.unitId
        fromStatus = m.fromStatus
        toStatus = m.toStatus
        note = m.note
        details = m.details
    }
}
