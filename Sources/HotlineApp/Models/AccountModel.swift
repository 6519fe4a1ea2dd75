import Fluent
import HotlineCore
import Vapor

/// A person with one or more roles in one unit (R-ROLE).
final class AccountModel: Model, @unchecked Sendable {
    static let schema = "accounts"

    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "display_name") var displayName: String
    @Field(key: "password_hash") var passwordHash: String
    @Parent(key: "unit_id") var unit: UnitModel
    /// Comma-separated role codes; a handful per person, read with the account.
    @Field(key: "roles") var rolesText: String
    @OptionalField(key: "phone") var phone: String?
    /// The extension (座席分机) an agent is signed in at: calls ringing there show on their screen.
    @OptionalField(key: "extension") var agentExtension: String?
    @Field(key: "active") var active: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID = UUID(), username: String, displayName: String, passwordHash: String, unitId: UUID, roles: Set<Role>, phone: String? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.$unit.id = unitId
        self.rolesText = Self.text(roles)
        self.phone = phone
        self.active = true
    }

    var roles: Set<Role> {
        get { Set(rolesText.split(separator: ",").compactMap { Role(rawValue: String($0)) }) }
        set { rolesText = Self.text(newValue) }
    }

    static func text(_ roles: Set<Role>) -> String { roles.map(\.rawValue).sorted().joined(separator: ",") }
}

/// A login: the bearer token and the session cookie carry the same secret; only its SHA-256
/// is stored, so a database dump does not hand out sessions.
final class AccessTokenModel: Model, @unchecked Sendable {
    static let schema = "access_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "account_id") var account: AccountModel
    /// Double-submit value for cookie-authenticated writes.
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(tokenHash: String, accountId: UUID, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.$account.id = accountId
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
