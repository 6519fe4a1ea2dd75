import Fluent
import Foundation
import HotlineCore

/// The platform unit, default dictionaries, parameters and time-limit rules. Inserted once;
/// later changes go through the API, never by editing this migration.
struct M004_SeedReferenceData: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await UnitModel(code: "12345", name: "12345政务服务便民热线", level: 1, parent: nil, kind: "platform").create(on: database)

        var entries: [DictionaryEntryModel] = []
        for (i, t) in RequestType.allCases.enumerated() {
            entries.append(.init(kind: "requestType", code: t.rawValue, name: t.chineseName, nameEn: ReferenceData.englishRequestTypes[t], sort: i))
        }
        for (i, c) in Channel.allCases.enumerated() {
            entries.append(.init(kind: "channel", code: c.rawValue, name: c.chineseName, nameEn: c.rawValue, sort: i))
        }
        for (i, c) in ReferenceData.categories.enumerated() {
            let parent = c.code.count > 2 ? String(c.code.dropLast(2)) : nil
            entries.append(.init(kind: "category", code: c.code, name: c.name, nameEn: c.nameEn, parentCode: parent, sort: i))
        }
        for (i, r) in ReferenceData.declineReasons.enumerated() {
            entries.append(.init(kind: "declineReason", code: r.0, name: r.1, nameEn: r.2, sort: i))
        }
        for (i, r) in ReferenceData.guideTargets.enumerated() {
            entries.append(.init(kind: "guideTarget", code: r.0, name: r.1, nameEn: r.2, sort: i))
        }
        for (i, r) in ReferenceData.unitKinds.enumerated() {
            entries.append(.init(kind: "unitKind", code: r.0, name: r.1, nameEn: r.2, sort: i))
        }
        try await entries.create(on: database)

        let policy = Policy()
        try await Policy.keys.map { ParameterModel(key: $0.name, value: policy.value(of: $0.name)!) }.create(on: database)

        let rules = TimeLimitRules.defaults.rules.map { r in
            let m = TimeLimitRuleModel()
            m.id = UUID()
            m.requestType = r.requestType?.rawValue
            m.categoryPrefix = r.categoryPrefix
            m.urgency = r.urgency?.rawValue
            m.amount = r.limit.amount
            m.unit = r.limit.unit.rawValue
            return m
        }
        try await rules.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await TimeLimitRuleModel.query(on: database).delete()
        try await ParameterModel.query(on: database).delete()
        try await DictionaryEntryModel.query(on: database).delete()
        try await UnitModel.query(on: database).filter(\.$code == "12345").delete()
    }
}
