import Foundation

/// 地点 (R-WO-5).
public struct Place: Codable, Sendable, Equatable {
    public var address: String
    /// Administrative division code of the district/street, when known.
    public var divisionCode: String?
    public var latitude: Double?
    public var longitude: Double?

    public init(address: String, divisionCode: String? = nil, latitude: Double? = nil, longitude: Double? = nil) {
        self.address = address
        self.divisionCode = divisionCode
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// The six elements (六要素, R-WO-5): 时间、地点、人物、事由、经过、结果.
public struct SixElements: Codable, Sendable, Equatable {
    /// 时间: when it happened, as the citizen said it ("昨晚10点起", "2026-11-20").
    public var time: String
    public var place: Place
    /// 人物: who is involved.
    public var people: String
    /// 事由: what the matter is.
    public var matter: String
    /// 经过: what happened.
    public var course: String
    /// 结果: what the citizen wants.
    public var wantedOutcome: String

    public init(time: String, place: Place, people: String, matter: String, course: String, wantedOutcome: String) {
        self.time = time
        self.place = place
        self.people = people
        self.matter = matter
        self.course = course
        self.wantedOutcome = wantedOutcome
    }
}

/// 诉求人 (R-WO-6).
public struct Citizen: Codable, Sendable, Equatable {
    public var name: String
    public var phone: String
    public var idNumber: String?
    public var address: String?
    /// 保密: units may not see name, phone or address.
    public var wantsSecrecy: Bool
    public var anonymous: Bool
    /// 同意公开.
    public var consentsToDisclosure: Bool

    public init(
        name: String, phone: String, idNumber: String? = nil, address: String? = nil,
        wantsSecrecy: Bool = false, anonymous: Bool = false, consentsToDisclosure: Bool = false
    ) {
        self.name = name
        self.phone = phone
        self.idNumber = idNumber
        self.address = address
        self.wantsSecrecy = wantsSecrecy
        self.anonymous = anonymous
        self.consentsToDisclosure = consentsToDisclosure
    }
}

/// The callback's outcome (R-CB-2).
public struct CallbackRecord: Codable, Sendable, Equatable {
    public var method: ContactMethod
    public var reached: Bool
    public var satisfaction: Satisfaction?
    public var solved: Bool?
    public var note: String?

    public init(method: ContactMethod, reached: Bool, satisfaction: Satisfaction?, solved: Bool?, note: String?) {
        self.method = method
        self.reached = reached
        self.satisfaction = satisfaction
        self.solved = solved
        self.note = note
    }
}

/// 工单: one citizen request and everything done about it (R-WO).
public struct WorkOrder: Sendable, Equatable {
    public var id: UUID
    /// Human-readable, unique, sortable (R-WO-1): `yyyyMMdd` + 6-digit daily sequence.
    public var number: String
    /// Optimistic-lock version; every transition bumps it.
    public var version: Int
    public var channel: Channel
    public var requestType: RequestType
    public var categoryCode: String
    public var urgency: Urgency
    public var title: String
    public var elements: SixElements
    public var citizen: Citizen
    /// The unit complained about, if any (R-DIS-3).
    public var subjectUnitId: UUID?
    /// Flagged by sensitive or emergency keywords (R-IN-6).
    public var isSensitive: Bool

    public var status: WorkOrderStatus
    public var disposition: Disposition?
    public var handlingMode: HandlingMode?

    public var createdAt: Date
    public var createdBy: UUID?
    /// R-DIS-4: the platform decides the responsible unit within this moment.
    public var dispatchDueAt: Date?
    public var dispatchWarnAt: Date?
    public var dispatchedAt: Date?

    /// 拟办意见 and 批示 (呈办).
    public var proposal: String?
    public var leaderInstruction: String?

    /// The lead assignment's deadline, mirrored here for queues and lights.
    public var dueAt: Date?
    public var warnAt: Date?
    public var timeLimit: TimeLimit?

    public var redoCount: Int
    /// The answer the citizen got: direct answer, or the approved feedback.
    public var answer: String?
    public var knowledgeArticleRef: String?
    public var declineReasonCode: String?
    public var guideTarget: String?
    public var mergedIntoId: UUID?

    public var reviewedAt: Date?
    public var callbackDueAt: Date?
    public var callbackAttempts: Int
    public var callback: CallbackRecord?
    public var closedAt: Date?
    public var archivedAt: Date?
    public var appealCount: Int
    /// True while a citizen's appeal (复核) waits for the platform.
    public var appealPending: Bool

    public init(
        id: UUID, number: String, channel: Channel, requestType: RequestType, categoryCode: String,
        urgency: Urgency, title: String, elements: SixElements, citizen: Citizen,
        subjectUnitId: UUID? = nil, isSensitive: Bool = false, createdAt: Date, createdBy: UUID?
    ) {
        self.id = id
        self.number = number
        self.version = 1
        self.channel = channel
        self.requestType = requestType
        self.categoryCode = categoryCode
        self.urgency = urgency
        self.title = title
        self.elements = elements
        self.citizen = citizen
        self.subjectUnitId = subjectUnitId
        self.isSensitive = isSensitive
        self.status = .pendingDispatch
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.redoCount = 0
        self.callbackAttempts = 0
        self.appealCount = 0
        self.appealPending = false
    }
}

extension WorkOrder {
    /// The order's light now (R-TIME-4, R-DIS-4): the dispatch clock while waiting for
    /// dispatch, the lead unit's clock while handled, none otherwise.
    public func light(at now: Date) -> WarningLight? {
        Self.light(status: status, dispatchDueAt: dispatchDueAt, dispatchWarnAt: dispatchWarnAt, dueAt: dueAt, warnAt: warnAt, at: now)
    }

    /// The same rule from bare columns, for list lines read without the whole order.
    public static func light(status: WorkOrderStatus, dispatchDueAt: Date?, dispatchWarnAt: Date?, dueAt: Date?, warnAt: Date?, at now: Date) -> WarningLight? {
        switch status {
        case .pendingDispatch:
            guard let due = dispatchDueAt, let warn = dispatchWarnAt else { return nil }
            return WarningLight.at(now, warnAt: warn, dueAt: due)
        case .handling, .awaitingReview:
            guard let due = dueAt, let warn = warnAt else { return nil }
            return WarningLight.at(now, warnAt: warn, dueAt: due)
        default:
            return nil
        }
    }
}
