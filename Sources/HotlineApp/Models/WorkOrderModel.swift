import Fluent
import HotlineCore
import Vapor

/// 工单 row. Columns mirror `HotlineCore.WorkOrder`; queues and search read them directly.
final class WorkOrderModel: Model, @unchecked Sendable {
    static let schema = "work_orders"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "version") var version: Int
    @Field(key: "channel") var channel: String
    @Field(key: "request_type") var requestType: String
    @Field(key: "category_code") var categoryCode: String
    @Field(key: "urgency") var urgency: String
    @Field(key: "title") var title: String
    @Field(key: "time_text") var timeText: String
    @Field(key: "place_address") var placeAddress: String
    @OptionalField(key: "place_division_code") var placeDivisionCode: String?
    @OptionalField(key: "place_latitude") var placeLatitude: Double?
    @OptionalField(key: "place_longitude") var placeLongitude: Double?
    @Field(key: "people") var people: String
    @Field(key: "matter") var matter: String
    @Field(key: "course") var course: String
    @Field(key: "wanted_outcome") var wantedOutcome: String
    @Field(key: "citizen_name") var citizenName: String
    @Field(key: "citizen_phone") var citizenPhone: String
    @OptionalField(key: "citizen_id_number") var citizenIdNumber: String?
    @OptionalField(key: "citizen_address") var citizenAddress: String?
    @Field(key: "wants_secrecy") var wantsSecrecy: Bool
    @Field(key: "anonymous") var anonymous: Bool
    @Field(key: "consents_disclosure") var consentsDisclosure: Bool
    @OptionalField(key: "subject_unit_id") var subjectUnitId: UUID?
    @Field(key: "is_sensitive") var isSensitive: Bool
    @Field(key: "status") var status: String
    @OptionalField(key: "disposition") var disposition: String?
    @OptionalField(key: "handling_mode") var handlingMode: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "created_by") var createdBy: UUID?
    @OptionalField(key: "dispatch_due_at") var dispatchDueAt: Date?
    @OptionalField(key: "dispatch_warn_at") var dispatchWarnAt: Date?
    @OptionalField(key: "dispatched_at") var dispatchedAt: Date?
    @OptionalField(key: "proposal") var proposal: String?
    @OptionalField(key: "leader_instruction") var leaderInstruction: String?
    @OptionalField(key: "due_at") var dueAt: Date?
    @OptionalField(key: "warn_at") var warnAt: Date?
    @OptionalField(key: "limit_amount") var limitAmount: Int?
    @OptionalField(key: "limit_unit") var limitUnit: String?
    @Field(key: "redo_count") var redoCount: Int
    @OptionalField(key: "answer") var answer: String?
    @OptionalField(key: "knowledge_article_ref") var knowledgeArticleRef: String?
    @OptionalField(key: "decline_reason_code") var declineReasonCode: String?
    @OptionalField(key: "guide_target") var guideTarget: String?
    @OptionalField(key: "merged_into_id") var mergedIntoId: UUID?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "callback_due_at") var callbackDueAt: Date?
    @Field(key: "callback_attempts") var callbackAttempts: Int
    @OptionalField(key: "callback") var callback: CallbackRecord?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "archived_at") var archivedAt: Date?
    @Field(key: "appeal_count") var appealCount: Int
    @Field(key: "appeal_pending") var appealPending: Bool

    init() {}

    init(_ o: WorkOrder) {
        self.id = o.id
        apply(o)
    }

    /// Copies a core value onto the row; Fluent then writes only what changed.
    func apply(_ o: WorkOrder) {
        number = o.number
        version = o.version
        channel = o.channel.rawValue
        requestType = o.requestType.rawValue
        categoryCode = o.categoryCode
        urgency = o.urgency.rawValue
        title = o.title
        timeText = o.elements.time
        placeAddress = o.elements.place.address
        placeDivisionCode = o.elements.place.divisionCode
        placeLatitude = o.elements.place.latitude
        placeLongitude = o.elements.place.longitude
        people = o.elements.people
        matter = o.elements.matter
        course = o.elements.course
        wantedOutcome = o.elements.wantedOutcome
        citizenName = o.citizen.name
        citizenPhone = o.citizen.phone
        citizenIdNumber = o.citizen.idNumber
        citizenAddress = o.citizen.address
        wantsSecrecy = o.citizen.wantsSecrecy
        anonymous = o.citizen.anonymous
        consentsDisclosure = o.citizen.consentsToDisclosure
        subjectUnitId = o.subjectUnitId
        isSensitive = o.isSensitive
        status = o.status.rawValue
        disposition = o.disposition?.rawValue
        handlingMode = o.handlingMode?.rawValue
        createdAt = o.createdAt
        createdBy = o.createdBy
        dispatchDueAt = o.dispatchDueAt
        dispatchWarnAt = o.dispatchWarnAt
        dispatchedAt = o.dispatchedAt
        proposal = o.proposal
        leaderInstruction = o.leaderInstruction
        dueAt = o.dueAt
        warnAt = o.warnAt
        limitAmount = o.timeLimit?.amount
        limitUnit = o.timeLimit?.unit.rawValue
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
    }

    var value: WorkOrder {
        var o = WorkOrder(
            id: id!, number: number, channel: Channel(rawValue: channel) ?? .other,
            requestType: RequestType(rawValue: requestType) ?? .consultation, categoryCode: categoryCode,
            urgency: Urgency(rawValue: urgency) ?? .normal, title: title,
            elements: SixElements(
                time: timeText,
                place: Place(address: placeAddress, divisionCode: placeDivisionCode, latitude: placeLatitude, longitude: placeLongitude),
                people: people, matter: matter, course: course, wantedOutcome: wantedOutcome),
            citizen: Citizen(
                name: citizenName, phone: citizenPhone, idNumber: citizenIdNumber, address: citizenAddress,
                wantsSecrecy: wantsSecrecy, anonymous: anonymous, consentsToDisclosure: consentsDisclosure),
            subjectUnitId: subjectUnitId, isSensitive: isSensitive, createdAt: createdAt, createdBy: createdBy)
        o.version = version
        o.status = WorkOrderStatus(rawValue: status) ?? .pendingDispatch
        o.disposition = disposition.flatMap(Disposition.init(rawValue:))
        o.handlingMode = handlingMode.flatMap(HandlingMode.init(rawValue:))
        o.dispatchDueAt = dispatchDueAt
        o.dispatchWarnAt = dispatchWarnAt
        o.dispatchedAt = dispatchedAt
        o.proposal = proposal
        o.leaderInstruction = leaderInstruction
        o.dueAt = dueAt
        o.warnAt = warnAt
        if let a = limitAmount, let u = limitUnit.flatMap(TimeLimitUnit.init(rawValue:)) { o.timeLimit = TimeLimit(a, u) }
        o.redoCount = redoCount
        o.answer = answer
        o.knowledgeArticleRef = knowledgeArticleRef
        o.declineReasonCode = declineReasonCode
        o.guideTarget = guideTarget
        o.mergedIntoId = mergedIntoId
        o.reviewedAt = reviewedAt
        o.callbackDueAt = callbackDueAt
        o.callbackAttempts = callbackAttempts
        o.callback = callback
        o.closedAt = closedAt
        o.archivedAt = archivedAt
        o.appealCount = appealCount
        o.appealPending = appealPending
        return o
    }
}
