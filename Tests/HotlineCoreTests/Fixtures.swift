import Foundation
@testable import HotlineCore

/// Shared values for the core tests.
enum Fixtures {
    static let calendar = WorkingCalendar.bundled()

    /// A moment in China Standard Time.
    static func t(_ s: String) -> Date {
        guard let d = Date(iso: s.contains("+") || s.hasSuffix("Z") ? s : s + "+08:00") else { fatalError("bad time \(s)") }
        return d
    }

    static let platform = UnitRef(id: UUID(), name: "12345热线", level: 1, parentId: nil, path: "/p/")
    static let district = UnitRef(id: UUID(), name: "朝阳区政府", level: 2, parentId: platform.id, path: "/p/d/")
    static let street = UnitRef(id: UUID(), name: "建外街道", level: 3, parentId: district.id, path: "/p/d/s/")
    static let water = UnitRef(id: UUID(), name: "自来水集团", level: 2, parentId: platform.id, path: "/p/w/")
    static let otherDistrict = UnitRef(id: UUID(), name: "海淀区政府", level: 2, parentId: platform.id, path: "/p/h/")

    static func actor(_ roles: Set<Role>, unit: UnitRef = platform, name: String = "测试") -> Actor {
        Actor(accountId: UUID(), name: name, roles: roles, unit: unit)
    }

    static let agent = actor([.agent])
    static let dispatcher = actor([.dispatcher])
    static let reviewer = actor([.reviewer])
    static let supervisor = actor([.supervisor])
    static let callbackAgent = actor([.callbackAgent])
    static let leader = actor([.leader])
    static let admin = actor([.admin])
    static let districtHandler = actor([.unitHandler], unit: district)
    static let districtLeader = actor([.unitLeader], unit: district)
    static let streetHandler = actor([.unitHandler], unit: street)
    static let streetLeader = actor([.unitLeader], unit: street)
    static let waterHandler = actor([.unitHandler], unit: water)
    static let waterLeader = actor([.unitLeader], unit: water)

    static func draft(type: RequestType = .complaint, urgency: Urgency = .normal, subject: UUID? = nil) -> IntakeDraft {
        IntakeDraft(
            channel: .phone, requestType: type, categoryCode: "0101", urgency: urgency, title: "小区路灯不亮",
            elements: SixElements(
                time: "2026-11-20晚", place: Place(address: "朝阳区建国路88号"), people: "来电人及小区居民",
                matter: "小区门口路灯连续一周不亮", course: "多次向物业反映未果", wantedOutcome: "尽快修复路灯"),
            citizen: Citizen(name: "张三", phone: "13812345678", wantsSecrecy: true), subjectUnitId: subject)
    }

    static func feedback(at: Date) -> Feedback {
        Feedback(
            answer: "经核实, 路灯线路老化, 已于11月24日更换。", result: .solved, contactMethod: .phone, contactedAt: at,
            citizenOpinion: "市民表示认可", policyReferences: "《城市道路照明设施管理规定》", responsiblePerson: "李四",
            responsiblePhone: "010-85000000")
    }

    static func lifecycle(at time: String, policy: Policy = Policy(), sample: Double = 0) -> Lifecycle {
        Lifecycle(LifecycleContext(now: t(time), calendar: calendar, policy: policy, sample: { sample }))
    }
}

/// Drives an order through the rules step by step, each at its own time.
struct Story {
    var aggregate: WorkOrderAggregate
    var events: [DomainEvent] = []

    init(intakeAt time: String, draft: IntakeDraft = Fixtures.draft()) throws {
        let t = try Fixtures.lifecycle(at: time).intake(draft, id: UUID(), number: "20261123000001", by: Fixtures.agent)
        aggregate = t.aggregate
        events = t.events
    }

    @discardableResult
    mutating func run(_ c: Command, by actor: Actor, at time: String, policy: Policy = Policy(), sample: Double = 0) throws -> [DomainEvent] {
        let t = try Fixtures.lifecycle(at: time, policy: policy, sample: sample).apply(c, to: aggregate, by: actor)
        aggregate = t.aggregate
        events += t.events
        return t.events
    }

    var order: WorkOrder { aggregate.order }
    var lead: Assignment { aggregate.lead ?? aggregate.assignments.last { $0.role == .lead && $0.parentId == nil }! }
    func assignment(unit: UnitRef) -> Assignment { aggregate.assignments.last { $0.unit.id == unit.id }! }
}
