import Fluent
import HotlineCore
import Vapor

/// Administration (R-ADM-1, R-UNIT, R-ROLE): units, accounts, dictionaries, parameters and
/// time-limit rules. Everything here is data read per request, so changes apply at once.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("units", use: listUnits)
        routes.post("units", use: createUnit)
        routes.patch("units", ":unitId", use: updateUnit)
        routes.get("accounts", use: listAccounts)
        routes.post("accounts", use: createAccount)
        routes.patch("accounts", ":accountId", use: updateAccount)
        routes.get("dictionaries", ":kind", use: listDictionary)
        routes.post("dictionaries", ":kind", use: createEntry)
        routes.patch("dictionaries", ":kind", ":code", use: updateEntry)
        routes.get("parameters", use: listParameters)
        routes.put("parameters", ":key", use: setParameter)
        routes.get("time-limit-rules", use: listRules)
        routes.post("time-limit-rules", use: createRule)
        routes.delete("time-limit-rules", ":ruleId", use: deleteRule)
        routes.get("audit", "personal-data-access", use: accessLog)
    }

    // MARK: Units

    struct UnitDTO: Content {
        var id: UUID
        var code: String
        var name: String
        var level: Int
        var parentId: UUID?
        var kind: String
        var divisionCode: String?
        var leaderName: String?
        var liaisonPhone: String?
        var active: Bool

        init(_ u: UnitModel) {
            id = u.id!
            code = u.code
            name = u.name
            level = u.level
            parentId = u.parentId
            kind = u.kind
            divisionCode = u.divisionCode
            leaderName = u.leaderName
            liaisonPhone = u.liaisonPhone
            active = u.active
        }
    }

    struct UnitBody: Content {
        var code: String
        var name: String
        var parentId: UUID
        var kind: String
        var divisionCode: String?
        var leaderName: String?
        var liaisonPhone: String?
    }

    struct UnitPatch: Content {
        var name: String?
        var leaderName: String?
        var liaisonPhone: String?
        var active: Bool?
    }

    @Sendable func listUnits(req: Request) async throws -> [UnitDTO] {
        _ = try req.principal()
        return try await UnitModel.query(on: req.database).sort(\.$level).sort(\.$code).all().map(UnitDTO.init)
    }

    @Sendable func createUnit(req: Request) async throws -> Response {
        let p = try req.principal(.admin)
        let b = try req.decodeBody(UnitBody.self)
        guard !b.code.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("code", "code is required") }
        guard !b.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("name", "name is required") }
        guard let parent = try await UnitModel.find(b.parentId, on: req.database) else { throw APIProblem.invalid("parentId", "parentId names no unit") }
        // R-UNIT-1: three levels; the platform is level 1.
        guard parent.level < 3 else { throw APIProblem.invalid("parentId", "the network has three levels; a level-3 unit cannot have sub-units (R-UNIT-1)") }
        try await Dictionaries.requireActive(kind: "unitKind", code: b.kind, field: "kind", in: req)
        if try await UnitModel.query(on: req.database).filter(\.$code == b.code).count() > 0 {
            throw APIProblem(.conflict, code: "duplicate_code", field: "code", rule: "unit code \(b.code) is taken")
        }
        if let phone = b.liaisonPhone, !Intake.isPhoneNumber(phone) { throw APIProblem.invalid("liaisonPhone", "liaisonPhone must be a phone number") }
        let unit = UnitModel(code: b.code, name: b.name, level: parent.level + 1, parent: parent, kind: b.kind, divisionCode: b.divisionCode, leaderName: b.leaderName, liaisonPhone: b.liaisonPhone)
        try await req.hotline.write(on: req.database) { db in try await unit.create(on: db) }
        req.logger.info("unit created", metadata: ["unit": .string(b.code), "by": .string(p.actor.name)])
        return try await UnitDTO(unit).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateUnit(req: Request) async throws -> UnitDTO {
        _ = try req.principal(.admin)
        let b = try req.decodeBody(UnitPatch.self)
        guard let unit = try await UnitModel.find(req.parameters.require("unitId", as: UUID.self), on: req.database) else { throw APIProblem.notFound("unit") }
        if let n = b.name { unit.name = n }
        if let l = b.leaderName { unit.leaderName = l }
        if let phone = b.liaisonPhone {
            guard Intake.isPhoneNumber(phone) else { throw APIProblem.invalid("liaisonPhone", "liaisonPhone must be a phone number") }
            unit.liaisonPhone = phone
        }
        if let a = b.active { unit.active = a }
        try await req.hotline.writeChangingSessions(on: req.database) { db in try await unit.save(on: db) }
        return UnitDTO(unit)
    }

    // MARK: Accounts

    struct AccountBody: Content {
        var username: String
        var displayName: String
        var password: String
        var unitId: UUID
        var roles: [Role]
        var phone: String?
    }

    struct AccountPatch: Content {
        var displayName: String?
        var password: String?
        var roles: [Role]?
        var active: Bool?
    }

    @Sendable func listAccounts(req: Request) async throws -> [AuthController.AccountDTO] {
        _ = try req.principal(.admin)
        return try await AccountModel.query(on: req.database).with(\.$unit).sort(\.$username).all().map(AuthController.dto)
    }

    @Sendable func createAccount(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let b = try req.decodeBody(AccountBody.self)
        let account = try await Accounts.create(username: b.username, displayName: b.displayName, password: b.password, unitId: b.unitId, roles: Set(b.roles), phone: b.phone, on: req.database, services: req.hotline, hasher: req.password.async)
        try await account.$unit.load(on: req.database)
        return try await AuthController.dto(account).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateAccount(req: Request) async throws -> AuthController.AccountDTO {
        _ = try req.principal(.admin)
        let b = try req.decodeBody(AccountPatch.self)
        guard let account = try await AccountModel.find(req.parameters.require("accountId", as: UUID.self), on: req.database) else { throw APIProblem.notFound("account") }
        try await account.$unit.load(on: req.database)
        if let n = b.displayName { account.displayName = n }
        if let roles = b.roles {
            try Accounts.check(roles: Set(roles), unit: account.unit)
            account.roles = Set(roles)
        }
        if let pw = b.password {
            try Accounts.check(password: pw)
            account.passwordHash = try await req.password.async.hash(pw)
        }
        if let a = b.active {
            account.active = a
        }
        // Deactivating ends the account's sessions in the same transaction.
        try await req.hotline.writeChangingSessions(on: req.database) { db in
            if !account.active { try await AccessTokenModel.query(on: db).filter(\.$account.$id == account.id!).delete() }
            try await account.save(on: db)
        }
        return AuthController.dto(account)
    }

    // MARK: Dictionaries

    struct EntryDTO: Content {
        var code: String
        var name: String
        var nameEn: String?
        var parentCode: String?
        var sort: Int
        var active: Bool
    }

    struct EntryPatch: Content {
        var name: String?
        var nameEn: String?
        var sort: Int?
        var active: Bool?
    }

    static let kinds = ["requestType", "channel", "category", "declineReason", "guideTarget", "unitKind"]

    private func kind(_ req: Request) throws -> String {
        let k = try req.parameters.require("kind")
        guard Self.kinds.contains(k) else {
            throw APIProblem(.notFound, code: "unknown_dictionary", field: "kind", rule: "dictionaries are \(Self.kinds.joined(separator: ", "))")
        }
        return k
    }

    @Sendable func listDictionary(req: Request) async throws -> [EntryDTO] {
        _ = try req.principal()
        let k = try kind(req)
        return try await DictionaryEntryModel.query(on: req.database).filter(\.$kind == k).sort(\.$sort).sort(\.$code).all()
            .map { EntryDTO(code: $0.code, name: $0.name, nameEn: $0.nameEn, parentCode: $0.parentCode, sort: $0.sort, active: $0.active) }
    }

    @Sendable func createEntry(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        let k = try kind(req)
        // The rules depend on the six request types and the channels: those lists are fixed.
        guard k != "requestType" && k != "channel" else {
            throw APIProblem(.conflict, code: "fixed_dictionary", field: "kind", rule: "request types and channels are fixed by the rules; edit their names instead")
        }
        let b = try req.decodeBody(EntryDTO.self)
        guard !b.code.isEmpty, b.code.count <= 32 else { throw APIProblem.invalid("code", "code must be 1–32 characters") }
        guard !b.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("name", "name is required") }
        if let parent = b.parentCode { try await Dictionaries.requireActive(kind: k, code: parent, field: "parentCode", in: req) }
        if k == "category", let parent = b.parentCode, !b.code.hasPrefix(parent) {
            throw APIProblem.invalid("code", "a category code starts with its parent's code, so limits and statistics roll up")
        }
        if try await DictionaryEntryModel.query(on: req.database).filter(\.$kind == k).filter(\.$code == b.code).count() > 0 {
            throw APIProblem(.conflict, code: "duplicate_code", field: "code", rule: "\(k) \(b.code) exists")
        }
        let entry = DictionaryEntryModel(kind: k, code: b.code, name: b.name, nameEn: b.nameEn, parentCode: b.parentCode, sort: b.sort)
        try await req.hotline.write(on: req.database) { db in try await entry.create(on: db) }
        req.hotline.rules.invalidate()
        return try await b.encodeResponse(status: .created, for: req)
    }

    @Sendable func updateEntry(req: Request) async throws -> EntryDTO {
        _ = try req.principal(.admin)
        let k = try kind(req)
        let code = try req.parameters.require("code")
        let b = try req.decodeBody(EntryPatch.self)
        guard let e = try await DictionaryEntryModel.query(on: req.database).filter(\.$kind == k).filter(\.$code == code).first() else { throw APIProblem.notFound("entry") }
        if let n = b.name { e.name = n }
        if let n = b.nameEn { e.nameEn = n }
        if let s = b.sort { e.sort = s }
        if let a = b.active {
            if !a && (k == "requestType" || k == "channel") { throw APIProblem(.conflict, code: "fixed_dictionary", field: "active", rule: "request types and channels cannot be switched off") }
            e.active = a
        }
        try await req.hotline.write(on: req.database) { db in try await e.save(on: db) }
        req.hotline.rules.invalidate()
        return EntryDTO(code: e.code, name: e.name, nameEn: e.nameEn, parentCode: e.parentCode, sort: e.sort, active: e.active)
    }

    // MARK: Parameters

    struct ParameterDTO: Content { var key: String; var value: String; var description: String }
    struct ParameterBody: Content { var value: String }

    @Sendable func listParameters(req: Request) async throws -> [ParameterDTO] {
        _ = try req.principal()
        let policy = try await RulesLoader(db: req.database, services: req.hotline).policy()
        return Policy.keys.map { ParameterDTO(key: $0.name, value: policy.value(of: $0.name) ?? "", description: $0.description) }
    }

    @Sendable func setParameter(req: Request) async throws -> ParameterDTO {
        let p = try req.principal(.admin)
        let key = try req.parameters.require("key")
        let b = try req.decodeBody(ParameterBody.self)
        var policy = Policy()
        try policy.apply(key, b.value)  // validates; unknown keys are 404
        let normalized = policy.value(of: key) ?? b.value
        let row = try await ParameterModel.find(key, on: req.database) ?? ParameterModel(key: key, value: normalized)
        row.value = normalized
        row.updatedAt = req.now
        row.updatedBy = p.accountId
        try await req.hotline.write(on: req.database) { db in try await row.save(on: db) }
        req.hotline.rules.invalidate()
        return ParameterDTO(key: key, value: normalized, description: Policy.keys.first { $0.name == key }?.description ?? "")
    }

    // MARK: Time-limit rules

    struct RuleDTO: Content {
        var id: UUID?
        var requestType: RequestType?
        var categoryPrefix: String?
        var urgency: Urgency?
        var limit: TimeLimit
    }

    @Sendable func listRules(req: Request) async throws -> [RuleDTO] {
        _ = try req.principal()
        return try await TimeLimitRuleModel.query(on: req.database).all().map {
            RuleDTO(id: $0.id, requestType: $0.requestType.flatMap(RequestType.init(rawValue:)), categoryPrefix: $0.categoryPrefix, urgency: $0.urgency.flatMap(Urgency.init(rawValue:)), limit: TimeLimit($0.amount, TimeLimitUnit(rawValue: $0.unit) ?? .workingDays))
        }
    }

    @Sendable func createRule(req: Request) async throws -> Response {
        _ = try req.principal(.admin)
        var b = try req.decodeBody(RuleDTO.self)
        guard (0...365).contains(b.limit.amount) else { throw APIProblem.invalid("limit.amount", "limit.amount must be 0…365") }
        if let c = b.categoryPrefix { try await Dictionaries.requireActive(kind: "category", code: c, field: "categoryPrefix", in: req) }
        let m = TimeLimitRuleModel()
        m.id = UUID()
        m.requestType = b.requestType?.rawValue
        m.categoryPrefix = b.categoryPrefix
        m.urgency = b.urgency?.rawValue
        m.amount = b.limit.amount
        m.unit = b.limit.unit.rawValue
        try await req.hotline.write(on: req.database) { db in try await m.create(on: db) }
        req.hotline.rules.invalidate()
        b.id = m.id
        return try await b.encodeResponse(status: .created, for: req)
    }

    @Sendable func deleteRule(req: Request) async throws -> HTTPStatus {
        _ = try req.principal(.admin)
        guard let m = try await TimeLimitRuleModel.find(req.parameters.require("ruleId", as: UUID.self), on: req.database) else { throw APIProblem.notFound("rule") }
        try await req.hotline.write(on: req.database) { db in try await m.delete(on: db) }
        req.hotline.rules.invalidate()
        return .noContent
    }

    // MARK: Audit

    struct AccessDTO: Content {
        var accountId: UUID
        var accountName: String
        var workOrderId: UUID
        var fields: String
        var purpose: String
        var at: Date
    }

    struct AccessQuery: Content { var workOrderId: UUID?; var accountId: UUID? }

    /// R-NF-5: who read which citizen's data, and why.
    @Sendable func accessLog(req: Request) async throws -> [AccessDTO] {
        _ = try req.principal(.admin)
        let q = try req.query.decode(AccessQuery.self)
        var query = PersonalDataAccessModel.query(on: req.database)
        if let w = q.workOrderId { query = query.filter(\.$workOrderId == w) }
        if let a = q.accountId { query = query.filter(\.$accountId == a) }
        return try await query.sort(\.$at, .descending).limit(500).all().map {
            AccessDTO(accountId: $0.accountId, accountName: $0.accountName, workOrderId: $0.workOrderId, fields: $0.fields, purpose: $0.purpose, at: $0.at)
        }
    }
}

/// Creating accounts, shared by the API, the CLI and the demo seed.
enum Accounts {
    static func check(password: String) throws {
        guard password.count >= 8 else { throw APIProblem.invalid("password", "password must be at least 8 characters") }
    }

    /// Unit roles belong to units; platform roles to the platform (level 1).
    static func check(roles: Set<Role>, unit: UnitModel) throws {
        guard !roles.isEmpty else { throw APIProblem.invalid("roles", "at least one role") }
        if unit.level == 1, roles.contains(where: \.isUnitRole) {
            throw APIProblem.invalid("roles", "unitHandler and unitLeader belong to a level-2 or level-3 unit")
        }
        if unit.level > 1, roles.contains(where: { !$0.isUnitRole }) {
            throw APIProblem.invalid("roles", "a unit account holds only unitHandler and unitLeader")
        }
    }

    static func create(username: String, displayName: String, password: String, unitId: UUID, roles: Set<Role>, phone: String?, on db: any Database, services: HotlineServices, hasher: AsyncPasswordHasher) async throws -> AccountModel {
        guard username.range(of: #"^[A-Za-z0-9._-]{3,40}$"#, options: .regularExpression) != nil else {
            throw APIProblem.invalid("username", "username must be 3–40 letters, digits, dot, dash or underscore")
        }
        guard !displayName.trimmingCharacters(in: .whitespaces).isEmpty else { throw APIProblem.invalid("displayName", "displayName is required") }
        try check(password: password)
        guard let unit = try await UnitModel.find(unitId, on: db) else { throw APIProblem.invalid("unitId", "unitId names no unit") }
        try check(roles: roles, unit: unit)
        if try await AccountModel.query(on: db).filter(\.$username == username).count() > 0 {
            throw APIProblem(.conflict, code: "duplicate_username", field: "username", rule: "username \(username) is taken")
        }
        let account = AccountModel(username: username, displayName: displayName, passwordHash: try await hasher.hash(password), unitId: unitId, roles: roles, phone: phone)
        // Hashing above stays outside the write gate; only the insert takes it.
        try await services.write(on: db) { db in try await account.create(on: db) }
        return account
    }
}
