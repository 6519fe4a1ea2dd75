import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit

/// Parameters, time-limit rules, the active dictionary codes and the message texts, read once
/// and kept for a moment. Every intake and every action needs the first three, and every
/// intake the texts (the acceptance SMS); reading them per request was four statements and a
/// parse of every parameter (a tenth of an intake's CPU on PostgreSQL).
///
/// Admin changes take effect at once on the instance that made them (`invalidate()` after the
/// commit) and within `maxAge` on the others (R-ADM: "effective immediately"; two seconds is
/// the time it takes an administrator to switch windows).
final class RulesCache: Sendable {
    struct Snapshot: Sendable {
        var policy: Policy
        var limits: TimeLimitRules
        /// "kind code" of every active dictionary entry.
        var activeCodes: Set<String>
        /// The message texts in force (`MessageTemplates.current`).
        var templates: [String: String]

        func isActive(kind: String, code: String) -> Bool { activeCodes.contains(kind + " " + code) }
    }

    static let maxAge: Duration = .seconds(2)

    private struct State {
        var snapshot: Snapshot?
        var loadedAt = ContinuousClock.now
        /// Bumped by every invalidation, so a load that began before it is not kept.
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    func snapshot(on db: any Database) async throws -> Snapshot {
        let (cached, loadedAt, generation) = state.withLockedValue { ($0.snapshot, $0.loadedAt, $0.generation) }
        if let cached, ContinuousClock.now - loadedAt < Self.maxAge { return cached }
        let started = ContinuousClock.now
        let fresh = try await Self.load(db as! any SQLDatabase)
        state.withLockedValue {
            if $0.generation == generation {
                $0.snapshot = fresh
                $0.loadedAt = started
            }
        }
        return fresh
    }

    /// After an administrator's change has committed.
    func invalidate() {
        state.withLockedValue {
            $0.snapshot = nil
            $0.generation += 1
        }
    }

    private static func load(_ sql: any SQLDatabase) async throws -> Snapshot {
        async let parameters = sql.select().columns("key", "value").from(ParameterModel.schema).all()
        async let limits = sql.select().columns("request_type", "category_prefix", "urgency", "amount", "unit").from(TimeLimitRuleModel.schema).all()
        async let codes = sql.select().columns("kind", "code").from(DictionaryEntryModel.schema).where(SQLColumn("active"), .equal, SQLBind(true)).all()
        async let templates = MessageTemplates.current(on: sql)
        var policy = Policy()
        for row in try await parameters {
            // A row an older version wrote and this one no longer knows is skipped, not fatal.
            try? policy.apply(row.decode(column: "key", as: String.self), row.decode(column: "value", as: String.self))
        }
        let rules = TimeLimitRules(try await limits.compactMap { row in
            let r = OrderRows.Reader(row: row)
            guard let unit = TimeLimitUnit(rawValue: try r("unit")) else { return nil }
            return TimeLimitRule(
                requestType: try r.optional("request_type", as: String.self).flatMap(RequestType.init(rawValue:)), categoryPrefix: try r.optional("category_prefix"),
                urgency: try r.optional("urgency", as: String.self).flatMap(Urgency.init(rawValue:)), limit: TimeLimit(try r("amount"), unit))
        })
        let active = Set(try await codes.map { try $0.decode(column: "kind", as: String.self) + " " + $0.decode(column: "code", as: String.self) })
        return Snapshot(policy: policy, limits: rules, activeCodes: active, templates: try await templates)
    }
}
