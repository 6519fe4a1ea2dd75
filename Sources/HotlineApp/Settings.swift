import Foundation
import HotlineCore

/// Typed configuration, read once at boot from the environment; every bad key is named.
public struct Settings: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(String)

        public var isSQLite: Bool { if case .postgres = self { false } else { true } }
    }

    public var database: DatabaseChoice
    /// Where attachments are stored (R-WO-8).
    public var attachmentsDirectory: String
    public var officeHours: OfficeHours
    /// Bcrypt cost; tests lower it to keep the suite fast.
    public var passwordCost: Int
    public var tokenLifetimeHours: Int

    public init(database: DatabaseChoice, attachmentsDirectory: String, officeHours: OfficeHours = .standard, passwordCost: Int = 10, tokenLifetimeHours: Int = 12) {
        self.database = database
        self.attachmentsDirectory = attachmentsDirectory
        self.officeHours = officeHours
        self.passwordCost = passwordCost
        self.tokenLifetimeHours = tokenLifetimeHours
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "bad configuration:\n  " + problems.joined(separator: "\n  ") }
    }

    /// `DATABASE_URL`: `postgres://…` selects PostgreSQL; `sqlite:///abs/path.sqlite` or a
    /// plain path a SQLite file; `sqlite::memory:` an in-memory database; unset,
    /// `data/hotline.sqlite` under the working directory.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment, workingDirectory: String) throws -> Settings {
        var problems: [String] = []
        let database: DatabaseChoice
        switch env["DATABASE_URL"] {
        case nil, "":
            database = .sqliteFile(workingDirectory + "/data/hotline.sqlite")
        case let url? where url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"):
            database = .postgres(url)
        case "sqlite::memory:":
            database = .sqliteMemory
        case let url? where url.hasPrefix("sqlite://"):
            let path = String(url.dropFirst("sqlite://".count))
            if path.hasPrefix("/") { database = .sqliteFile(path) } else {
                problems.append("DATABASE_URL: sqlite URLs need an absolute path, as in sqlite:///abs/path.sqlite")
                database = .sqliteMemory
            }
        case let other?:
            problems.append("DATABASE_URL: '\(other)' is neither postgres://… nor sqlite:///…")
            database = .sqliteMemory
        }
        var officeHours = OfficeHours.standard
        if let text = env["HOTLINE_OFFICE_HOURS"], !text.isEmpty {
            if let o = OfficeHours(parsing: text) { officeHours = o } else {
                problems.append("HOTLINE_OFFICE_HOURS: '\(text)' is not like 09:00-12:00,13:30-17:30")
            }
        }
        var cost = 10
        if let text = env["HOTLINE_PASSWORD_COST"], !text.isEmpty {
            if let n = Int(text), (4...31).contains(n) { cost = n } else { problems.append("HOTLINE_PASSWORD_COST: must be 4…31") }
        }
        var lifetime = 12
        if let text = env["HOTLINE_TOKEN_HOURS"], !text.isEmpty {
            if let n = Int(text), (1...720).contains(n) { lifetime = n } else { problems.append("HOTLINE_TOKEN_HOURS: must be 1…720") }
        }
        let attachments = env["HOTLINE_ATTACHMENTS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? workingDirectory + "/data/attachments"
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return Settings(database: database, attachmentsDirectory: attachments, officeHours: officeHours, passwordCost: cost, tokenLifetimeHours: lifetime)
    }
}
