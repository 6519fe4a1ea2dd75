/// What a person may do (R-ROLE). A person may hold several roles.
public enum Role: String, Codable, Sendable, CaseIterable {
    case agent  // 话务员/受理员
    case dispatcher  // 派单员
    case reviewer  // 审核员
    case supervisor  // 督办员
    case callbackAgent  // 回访员
    case unitHandler  // 承办人
    case unitLeader  // 单位分管领导
    case leader  // 市领导
    case analyst  // 分析员
    case admin  // 管理员

    /// Unit roles see only their unit's and sub-units' orders (R-ROLE-1); platform roles see all.
    public var isUnitRole: Bool { self == .unitHandler || self == .unitLeader }

    public var chineseName: String {
        switch self {
        case .agent: "话务员"
        case .dispatcher: "派单员"
        case .reviewer: "审核员"
        case .supervisor: "督办员"
        case .callbackAgent: "回访员"
        case .unitHandler: "承办人"
        case .unitLeader: "单位分管领导"
        case .leader: "市领导"
        case .analyst: "分析员"
        case .admin: "管理员"
        }
    }
}

/// The person doing something, as the lifecycle sees them.
public struct Actor: Sendable, Equatable {
    public var accountId: UUID
    public var name: String
    public var roles: Set<Role>
    public var unit: UnitRef

    public init(accountId: UUID, name: String, roles: Set<Role>, unit: UnitRef) {
        self.accountId = accountId
        self.name = name
        self.roles = roles
        self.unit = unit
    }

    /// Platform staff: any role that is not a unit role.
    public var isPlatformStaff: Bool { roles.contains { !$0.isUnitRole } }

    /// May this person see orders handled by `unitPath`? (R-ROLE-1)
    public func canSee(unitPath: String) -> Bool {
        isPlatformStaff || unitPath.hasPrefix(unit.path)
    }
}

import Foundation
