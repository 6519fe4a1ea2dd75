import Fluent
import Foundation

/// 信息报备: a unit's notice of an outage, roadwork or traffic measure over an area and a time
/// span (R-IN-5).
final class NoticeModel: Model, @unchecked Sendable {
    static let schema = "notices"

    /// The kinds the seeds name (停水、停电、停气、停热、道路维修、公交改线、交通管制).
    static let kinds = ["water", "power", "gas", "heat", "roadwork", "busRoute", "traffic"]

    @ID(key: .id) var id: UUID?
    @Field(key: "unit_id") var unitId: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    /// The area in words (streets, compounds, road sections).
    @Field(key: "area") var area: String
    /// A district (6 digits) or street (9 digits) division code the notice covers, when known.
    @OptionalField(key: "division_code") var divisionCode: String?
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: UUID

    init() {}
}

/// 派单目录: a category (by code prefix) in an area (by division-code prefix, or anywhere) is
/// the duty of a unit (R-UNIT-4).
final class CatalogueEntryModel: Model, @unchecked Sendable {
    static let schema = "dispatch_catalogue"

    @ID(key: .id) var id: UUID?
    @Field(key: "category_prefix") var categoryPrefix: String
    @OptionalField(key: "division_prefix") var divisionPrefix: String?
    @Field(key: "unit_id") var unitId: UUID
    @OptionalField(key: "note") var note: String?

    init() {}
}
