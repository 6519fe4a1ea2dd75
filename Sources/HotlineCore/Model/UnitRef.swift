import Foundation

/// A unit of the handling network as the rules need it (R-UNIT-1): level 1 is the platform,
/// level 2 districts/departments/enterprises, level 3 their streets, towns and stations.
///
/// `path` is the materialised path of ids from the root (`/a/b/c/`), so "this unit or one of
/// its sub-units" is a prefix test in memory and an indexed `LIKE 'prefix%'` in SQL.
public struct UnitRef: Sendable, Equatable, Hashable, Codable {
    public var id: UUID
    public var name: String
    public var level: Int
    public var parentId: UUID?
    public var path: String

    public init(id: UUID, name: String, level: Int, parentId: UUID?, path: String) {
        self.id = id
        self.name = name
        self.level = level
        self.parentId = parentId
        self.path = path
    }

    public static func path(parentPath: String?, id: UUID) -> String {
        (parentPath ?? "/") + id.uuidString.lowercased() + "/"
    }

    public func isAncestor(of other: UnitRef) -> Bool { other.path.hasPrefix(path) && other.id != id }
}
