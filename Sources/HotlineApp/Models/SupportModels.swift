import Fluent
import Vapor

/// Dictionaries (R-ADM-1): request types, channels, the category tree, decline reasons,
/// guide targets, … as data that admins edit and that takes effect on the next request.
final class DictionaryEntryModel: Model, @unchecked Sendable {
    static let schema = "dictionary_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @OptionalField(key: "name_en") var nameEn: String?
    @OptionalField(key: "parent_code") var parentCode: String?
    @Field(key: "sort") var sort: Int
    @Field(key: "active") var active: Bool

    init() {}

    init(kind: String, code: String, name: String, nameEn: String? = nil, parentCode: String? = nil, sort: Int = 0) {
        self.id = UUID()
        self.kind = kind
        self.code = code
        self.name = name
        self.nameEn = nameEn
        self.parentCode = parentCode
        self.sort = sort
        self.active = true
    }
}

/// One parameter (R-ADM-1), text-valued; `HotlineCore.Policy` parses it.
final class ParameterModel: Model, @unchecked Sendable {
    static let schema = "parameters"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "value") var value: String
    @OptionalField(key: "updated_at") var updatedAt: Date?
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    init() {}

    init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}

/// A row of the handling-limit table (R-TIME-2).
final class TimeLimitRuleModel: Model, @unchecked Sendable {
    static let schema = "time_limit_rules"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "request_type") var requestType: String?
    @OptionalField(key: "category_prefix") var categoryPrefix: String?
    @OptionalField(key: "urgency") var urgency: String?
    @Field(key: "amount") var amount: Int
    @Field(key: "unit") var unit: String

    init() {}
}

/// An imported State Council notice (a holiday-cn year file), overriding the bundled year.
final class CalendarNoticeModel: Model, @unchecked Sendable {
    static let schema = "calendar_notices"

    @ID(custom: "year", generatedBy: .user) var id: Int?
    /// The file as imported, so it can be shown and re-read exactly.
    @Field(key: "content") var content: String
    @Field(key: "imported_at") var importedAt: Date
    @OptionalField(key: "imported_by") var importedBy: UUID?

    init() {}
}

/// Retried creates with the same key return the first order (R-NF-4).
final class IdempotencyKeyModel: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(key: .id) var id: UUID?
    @Field(key: "account_id") var accountId: UUID
    @Field(key: "key") var key: String
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(accountId: UUID, key: String, workOrderId: UUID, createdAt: Date) {
        self.id = UUID()
        self.accountId = accountId
        self.key = key
        self.workOrderId = workOrderId
        self.createdAt = createdAt
    }
}

/// Every read of unmasked citizen data, with who and why (R-NF-5).
final class PersonalDataAccessModel: Model, @unchecked Sendable {
    static let schema = "personal_data_access_log"
    /// The detail read writes these with SQLKit (`WorkOrderAccess.detail`).
    static let columns = ["id", "account_id", "account_name", "work_order_id", "fields", "purpose", "at"]

    @ID(key: .id) var id: UUID?
    @Field(key: "account_id") var accountId: UUID
    @Field(key: "account_name") var accountName: String
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "fields") var fields: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "at") var at: Date

    init() {}

    init(accountId: UUID, accountName: String, workOrderId: UUID, fields: String, purpose: String, at: Date) {
        self.id = UUID()
        self.accountId = accountId
        self.accountName = accountName
        self.workOrderId = workOrderId
        self.fields = fields
        self.purpose = purpose
        self.at = at
    }
}

/// 附件 (R-WO-8): stored on disk under the attachments directory; the row keeps the checksum.
final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "work_order_id") var workOrderId: UUID
    @Field(key: "file_name") var fileName: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    /// Path relative to the attachments directory.
    @Field(key: "storage_path") var storagePath: String
    @Field(key: "uploaded_at") var uploadedAt: Date
    @Field(key: "uploaded_by") var uploadedBy: UUID

    init() {}
}
