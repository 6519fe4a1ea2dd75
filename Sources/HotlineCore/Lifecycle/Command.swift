import Foundation

/// 派单方案: where a dispatch sends the order.
public struct DispatchPlan: Sendable, Equatable {
    public var mode: HandlingMode
    public var lead: UnitRef
    public var coUnits: [UnitRef]
    /// Overrides the rule table's limit for this order.
    public var timeLimit: TimeLimit?
    /// R-DIS-3: required to send a complaint to the unit it is about.
    public var conflictOverrideReason: String?
    /// 直办: the answer the unit gave on the three-way call.
    public var directAnswer: String?
    public var note: String?

    public init(
        mode: HandlingMode, lead: UnitRef, coUnits: [UnitRef] = [], timeLimit: TimeLimit? = nil,
        conflictOverrideReason: String? = nil, directAnswer: String? = nil, note: String? = nil
    ) {
        self.mode = mode
        self.lead = lead
        self.coUnits = coUnits
        self.timeLimit = timeLimit
        self.conflictOverrideReason = conflictOverrideReason
        self.directAnswer = directAnswer
        self.note = note
    }
}

/// Fields an agent may correct before dispatch.
public struct WorkOrderEdit: Sendable, Equatable {
    public var title: String?
    public var requestType: RequestType?
    public var categoryCode: String?
    public var urgency: Urgency?
    public var elements: SixElements?
    public var subjectUnitId: UUID??

    public init(
        title: String? = nil, requestType: RequestType? = nil, categoryCode: String? = nil, urgency: Urgency? = nil,
        elements: SixElements? = nil, subjectUnitId: UUID?? = nil
    ) {
        self.title = title
        self.requestType = requestType
        self.categoryCode = categoryCode
        self.urgency = urgency
        self.elements = elements
        self.subjectUnitId = subjectUnitId
    }
}

/// Every transition of the lifecycle (SPEC §5–§10). See docs/lifecycle.md for the table of
/// who may do what, in which state, within which window.
public enum Command: Sendable, Equatable {
    case edit(WorkOrderEdit)
    case directAnswer(answer: String, knowledgeArticleRef: String?)
    case decline(reasonCode: String, note: String?)
    case guide(target: String, note: String?)
    case escalate(proposal: String)
    case instruct(instruction: String)
    case dispatch(DispatchPlan)
    case sign(assignment: UUID)
    case recordContact(assignment: UUID, method: ContactMethod, note: String?)
    case requestReturn(assignment: UUID, reason: String, basis: String)
    case approveReturn(assignment: UUID, approve: Bool, note: String?)
    case decideReturn(assignment: UUID, accept: Bool, note: String?)
    case subDispatch(assignment: UUID, to: UnitRef, note: String?)
    case reviewSubAnswer(assignment: UUID, approve: Bool, note: String?)
    case submitOpinion(assignment: UUID, opinion: String)
    case requestExtension(assignment: UUID, amount: Int, reason: String)
    case approveExtension(extension: UUID, approve: Bool, note: String?)
    case decideExtension(extension: UUID, approve: Bool, note: String?)
    case submitFeedback(assignment: UUID, Feedback)
    case approveFeedback(assignment: UUID, approve: Bool, note: String?)
    case review(approve: Bool, reasons: String?)
    case remind(assignment: UUID, note: String)
    case supervise(assignment: UUID?, method: SupervisionMethod, note: String, instruction: String?)
    case closeSupervision(supervision: UUID, note: String?)
    case callback(CallbackRecord, reasonable: Bool)
    case close(note: String)
    case appeal(reason: String)
    case archive

    /// The action name used in events, errors and the API.
    public var action: String {
        switch self {
        case .edit: "edit"
        case .directAnswer: "directAnswer"
        case .decline: "decline"
        case .guide: "guide"
        case .escalate: "escalate"
        case .instruct: "instruct"
        case .dispatch: "dispatch"
        case .sign: "sign"
        case .recordContact: "recordContact"
        case .requestReturn: "requestReturn"
        case .approveReturn: "approveReturn"
        case .decideReturn: "decideReturn"
        case .subDispatch: "subDispatch"
        case .reviewSubAnswer: "reviewSubAnswer"
        case .submitOpinion: "submitOpinion"
        case .requestExtension: "requestExtension"
        case .approveExtension: "approveExtension"
        case .decideExtension: "decideExtension"
        case .submitFeedback: "submitFeedback"
        case .approveFeedback: "approveFeedback"
        case .review: "review"
        case .remind: "remind"
        case .supervise: "supervise"
        case .closeSupervision: "closeSupervision"
        case .callback: "callback"
        case .close: "close"
        case .appeal: "appeal"
        case .archive: "archive"
        }
    }
}
