import Foundation

/// 信息报备 (R-IN-5): which notices an agent sees for a place. Division codes nest by prefix
/// (district `110105`, its street `110105001`), so a notice for a district covers its
/// streets, one for a street is shown when only its district is known (the caller may live
/// there), and one without a place is shown everywhere.
public enum NoticeRules {
    /// Whether a notice filed for `noticeDivision` concerns `place` (nil: no place chosen yet).
    public static func covers(noticeDivision: String?, place: String?) -> Bool {
        guard let n = noticeDivision, !n.isEmpty, let p = place, !p.isEmpty else { return true }
        return p.hasPrefix(n) || n.hasPrefix(p)
    }

    /// In force at `now`, or (with `upcoming`) not yet ended.
    public static func isShown(startsAt: Date, endsAt: Date, at now: Date, upcoming: Bool) -> Bool {
        endsAt > now && (upcoming || startsAt <= now)
    }
}

/// 派单目录 (R-UNIT-4): the units the catalogue names for a category and place, best first.
public enum DispatchCatalogue {
    public struct Entry: Sendable, Equatable {
        public var categoryPrefix: String
        /// nil: the whole city.
        public var divisionPrefix: String?
        public var unitId: UUID

        public init(categoryPrefix: String, divisionPrefix: String?, unitId: UUID) {
            self.categoryPrefix = categoryPrefix
            self.divisionPrefix = divisionPrefix
            self.unitId = unitId
        }
    }

    /// The units of the entries that apply, each once: the most specific category first, then
    /// the most specific area; an entry for the whole city after one for the place.
    public static func units(for categoryCode: String, division: String?, in entries: [Entry]) -> [UUID] {
        let place = division ?? ""
        let ranked = entries.filter { e in
            categoryCode.hasPrefix(e.categoryPrefix) && (e.divisionPrefix.map { place.hasPrefix($0) } ?? true)
        }.sorted { ($0.categoryPrefix.count, $0.divisionPrefix?.count ?? 0) > ($1.categoryPrefix.count, $1.divisionPrefix?.count ?? 0) }
        var out: [UUID] = []
        for e in ranked where !out.contains(e.unitId) { out.append(e.unitId) }
        return out
    }
}
