import Crypto
import Fluent
import HotlineCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What the public portal and the Open311 API share (R-CIT): submitting a request as an order
/// in the agents' queue, finding an order by number and query secret (with the lockout), and
/// the rate limits that keep a script from flooding either.
enum CitizenChannel {
    /// Who records a citizen's own request: no staff member, but the rules want an intaking
    /// actor. These ids name the channel on the timeline; no account has them, so nobody can
    /// sign in as one.
    static let portalAccount = UUID(uuidString: "00000000-0000-0000-0000-00000000c171")!
    static let open311Account = UUID(uuidString: "00000000-0000-0000-0000-000000000311")!

    static func principal(for channel: Channel, on db: any Database) async throws -> Principal {
        guard let platform = try await UnitModel.query(on: db).filter(\.$level == 1).first() else {
            throw APIProblem(.serviceUnavailable, code: "no_platform_unit", rule: "the platform unit is missing; run the migrations")
        }
        let (id, name) = channel == .open311 ? (open311Account, "Open311接口") : (portalAccount, "市民网上诉求")
        return Principal(actor: Actor(accountId: id, name: name, roles: [.agent], unit: platform.ref), tokenId: UUID(), viaCookie: false, csrfToken: "")
    }

    /// The order id salts the hash, so equal secrets of two orders hash apart.
    static func hash(_ secret: String, orderId: UUID) -> String {
        SHA256.hash(data: Data((orderId.uuidString.lowercased() + ":" + secret).utf8)).hex
    }

    static func storeSecret(_ secret: String, orderId: UUID) -> any SQLExpression {
        SQLRowsInsert(table: "query_secrets", columns: ["work_order_id", "secret_hash", "failures"], rows: [[.bind(orderId), .bind(hash(secret, orderId: orderId)), .bind(0)]])
    }

    /// A citizen's own request becomes an order (R-CIT-1): checked first, so bad input stores
    /// nothing; then recorded like an agent's intake, with its SMS (number and secret) in
    /// the outbox in the same write.
    static func submit(
        _ s: PublicSubmission, names: PublicIntake.FieldNames, categoryField: String, on req: Request,
        alongside: @escaping @Sendable (WorkOrder) -> [any SQLExpression] = { _ in [] }
    ) async throws -> (aggregate: WorkOrderAggregate, querySecret: String) {
        try await check(s, names: names, categoryField: categoryField, on: req)
        let name = try await DictionaryEntryModel.query(on: req.database).filter(\.$kind == "category").filter(\.$code == s.categoryCode).first()?.name ?? s.categoryCode
        let d = PublicIntake.draft(s, serviceName: name)
        let body = IntakeRequest(
            channel: d.channel, requestType: d.requestType, categoryCode: d.categoryCode, urgency: d.urgency, title: d.title,
            elements: d.elements, citizen: d.citizen, subjectUnitId: nil, callId: nil)
        let principal = try await principal(for: s.channel, on: req.database)
        // Per phone as well as per address: one number cannot flood the queue from many addresses.
        // Digits only, without China's +86: 138-0000-1111 and +86 13800001111 are one phone.
        var phone = s.phone.filter { $0.isASCII && $0.isNumber }
        if phone.count == 13, phone.hasPrefix("86") { phone = String(phone.dropFirst(2)) }
        if !phone.isEmpty {
            try req.requireWithinRate("submission", key: "phone " + phone, limit: req.hotline.settings.publicLimits.submissionsPerPhonePerDay, window: 86_400)
        }
        return try await WorkOrderController.recordWithSecret(body, idempotencyKey: nil, principal: principal, on: req, alongside: alongside)
    }

    /// Every problem of a submission, by field, before anything is stored.
    static func check(_ s: PublicSubmission, names: PublicIntake.FieldNames, categoryField: String, on req: Request) async throws {
        var problems = PublicIntake.validate(s, names: names)
        let snapshot = try await req.hotline.rules.snapshot(on: req.database)
        if !snapshot.isActive(kind: "category", code: s.categoryCode) {
            problems.insert(RuleViolation(.invalid, code: "unknown_code", field: categoryField, rule: "\(categoryField) must be an active category code; got '\(s.categoryCode)'"), at: 0)
        }
        if let problem = RuleViolation.all(problems) { throw APIProblem(problem) }
    }

    /// Finds the order a citizen asks about (R-CIT-2). A wrong secret counts towards the
    /// lockout; an unknown number and a wrong secret get the same answer, so the numbers in
    /// use cannot be probed.
    static func lookup(number: String, secret typed: String, on req: Request, guard rule: LookupGuard = LookupGuard()) async throws -> WorkOrderRepository.Loaded {
        let number = number.trimmingCharacters(in: .whitespaces)
        let secret = QuerySecret.normalized(typed)
        guard !number.isEmpty, number.count <= 20, number.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIProblem.invalid("number", "number must be the order number: digits only")
        }
        guard QuerySecret.isWellFormed(secret) else {
            throw APIProblem.invalid("secret", "secret must be the \(QuerySecret.length)-character query secret from the acceptance SMS")
        }
        let wrong = APIProblem(.notFound, code: "lookup_failed", rule: "no order has this number and query secret")
        let sql = req.database as! any SQLDatabase
        guard let found = try await sql.raw("SELECT id FROM work_orders WHERE number = \(bind: number)").first() else { throw wrong }
        let id = try found.decode(column: "id", as: UUID.self)
        let now = req.now
        let lockRow = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
        // Read, judge and write in one transaction with the row locked (SQLite has one writer):
        // guesses sent at the same moment are counted one after another, not all as the first.
        let outcome: LookupGuard.Outcome? = try await req.hotline.write(on: req.database) { db in
            let sql = db as! any SQLDatabase
            guard let row = try await sql.raw("""
                SELECT secret_hash, failures, locked_until FROM query_secrets WHERE work_order_id = \(bind: id)\(unsafeRaw: lockRow)
                """).first() else { return nil }
            let r = OrderRows.Reader(row: row)
            let stored: String = try r("secret_hash")
            let state = LookupGuard.State(failures: try r("failures"), lockedUntil: try r.optional("locked_until"))
            let matches = Array(hash(secret, orderId: id).utf8).constantTimeEquals(Array(stored.utf8))
            let (outcome, next) = rule.attempt(state, secretMatches: matches, at: now)
            if next != state {
                // Not the order's row: a citizen's lookup never makes a staff member's edit stale.
                try await sql.raw("""
                    UPDATE query_secrets SET failures = \(bind: next.failures), locked_until = \(bind: next.lockedUntil) WHERE work_order_id = \(bind: id)
                    """).run()
            }
            return outcome
        }
        guard let outcome else { throw wrong }
        switch outcome {
        case .allowed:
            guard let loaded = try await WorkOrderRepository(db: req.database).find(id) else { throw wrong }
            return loaded
        case .locked(let until):
            throw APIProblem(.tooManyRequests, code: "lookup_locked", field: "secret", rule: "too many wrong query secrets: this order can be looked up again after \(MessageTemplates.shortTime(until))")
        case .wrongSecret:
            throw wrong
        }
    }
}

extension Array where Element == UInt8 {
    /// Compares without stopping at the first difference, so the time taken does not tell
    /// how much of a guess was right.
    func constantTimeEquals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        var diff: UInt8 = 0
        for i in indices { diff |= self[i] ^ other[i] }
        return diff == 0
    }
}

/// Per-key request counts in a sliding window, in this process's memory: per client address
/// on the public portal and the Open311 API, per phone number on submission. Several
/// instances each count their own share, which multiplies the limit by the number of
/// instances; the lockout on wrong secrets is in the database and holds across all of them.
final class RateLimiter: Sendable {
    private let hits = NIOLockedValueBox<[String: [Date]]>([:])

    /// Counts this request and says whether it is within `limit` per `window` seconds.
    func allow(_ key: String, limit: Int, window: TimeInterval, now: Date) -> Bool {
        hits.withLockedValue { all in
            // An occasional sweep keeps the table from growing with every address ever seen.
            if all.count > 10_000 { all = all.filter { $0.value.last.map { now.timeIntervalSince($0) < window } ?? false } }
            var list = (all[key] ?? []).filter { now.timeIntervalSince($0) < window }
            guard list.count < limit else {
                all[key] = list
                return false
            }
            list.append(now)
            all[key] = list
            return true
        }
    }
}

extension Request {
    /// The client's address: the TCP peer's, or behind a trusted reverse proxy
    /// (`HOTLINE_TRUSTED_PROXIES`) the last `X-Forwarded-For` address no proxy of ours added.
    /// A forwarded header from anyone else is ignored: a client cannot choose its own count.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        let trusted = hotline.settings.publicLimits.trustedProxies
        guard trusted.contains(peer), let forwarded = headers.first(name: "X-Forwarded-For") else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trusted.contains($0) } ?? peer
    }

    /// Refuses the request when this client (or phone) has used up its allowance.
    func requireWithinRate(_ what: String, key: String, limit: Int, window: TimeInterval) throws {
        guard hotline.rateLimiter.allow(what + " " + key, limit: limit, window: window, now: now) else {
            throw APIProblem(.tooManyRequests, code: "rate_limited", rule: "too many \(what) requests; at most \(limit) per \(Int(window / 60)) minutes")
        }
    }
}
