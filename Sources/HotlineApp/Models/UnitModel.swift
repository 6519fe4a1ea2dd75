import Fluent
import HotlineCore
import Vapor

/// 网络单位 (R-UNIT).
final class UnitModel: Model, @unchecked Sendable {
    static let schema = "units"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "level") var level: Int
    @OptionalField(key: "parent_id") var parentId: UUID?
    /// Materialised path of ids from the root; scope checks are prefix tests on it.
    @Field(key: "path") var path: String
    /// district / department / enterprise / street / station / platform.
    @Field(key: "kind") var kind: String
    /// Administrative division code for area units.
    @OptionalField(key: "division_code") var divisionCode: String?
    @OptionalField(key: "leader_name") var leaderName: String?
    /// R-UNIT-3: liaison phone for SMS alerts.
    @OptionalField(key: "liaison_phone") var liaisonPhone: String?
    @Field(key: "active") var active: Bool

    init() {}

    init(id: UUID = UUID(), code: String, name: String, level: Int, parent: UnitModel?, kind: String, divisionCode: String? = nil, leaderName: String? = nil, liaisonPhone: String? = nil) {
        self.id = id
        self.code = code
        self.name = name
        self.level = level
        self.parentId = parent?.id
        self.path = UnitRef.path(parentPath: parent?.path, id: id)
        self.kind = kind
        self.divisionCode = divisionCode
        self.leaderName = leaderName
        self.liaisonPhone = liaisonPhone
        self.active = true
    }

    var ref: UnitRef { UnitRef(id: id!, name: name, level: level, parentId: parentId, path: path) }
}
