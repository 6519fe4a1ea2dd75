import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The messages the platform owes (R-INT-1): written in the same transaction as the event that
/// caused them, one row per recipient with the text as rendered then, and delivered afterwards
/// by the worker through a `MessageSender`, with retries and a dead-letter state.
struct Outbox {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    static let columns = [
        "id", "created_at", "work_order_id", "channel", "recipient", "recipient_kind", "template", "body", "state", "attempts",
        "next_attempt_at", "lease_until", "last_error", "sent_at",
    ]

    /// Resolves each message's recipients to phone numbers and stores one row per number.
    /// A recipient without a number is skipped: there is nobody to send to.
    func enqueue(_ messages: [OutboundMessage], order: WorkOrder, at now: Date) async throws {
        guard !messages.isEmpty else { return }
        let templates = try await MessageTemplates.current(on: db)
        var rows: [[DatabaseQuery.Value]] = []
        var seen = Set<String>()
        for m in messages {
            for (phone, kind) in try await recipients(m.recipient, order: order) {
                // One text per number and template: a liaison who is also a handler gets it once.
                guard seen.insert(phone + "|" + m.template).inserted else { continue }
                rows.append(Self.row(m, to: phone, kind: kind, order: order, templates: templates, at: now))
            }
        }
        try await sql.insertRows(into: "outbox", columns: Self.columns, rows)
    }

    /// The rows of messages to the citizen alone (no lookup needed), for a write built ahead
    /// as statements (intake).
    static func citizenRows(_ messages: [OutboundMessage], order: WorkOrder, templates: [String: String], at now: Date) -> (any SQLExpression)? {
        let phone = order.citizen.phone.trimmingCharacters(in: .whitespaces)
        let rows = messages.filter { $0.recipient == .citizen && !phone.isEmpty }.map {
            row($0, to: phone, kind: "citizen", order: order, templates: templates, at: now)
        }
        return rows.isEmpty ? nil : SQLRowsInsert(table: "outbox", columns: columns, rows: rows)
    }

    /// One pending message to one number, its text rendered now.
    static func row(_ m: OutboundMessage, to phone: String, kind: String, order: WorkOrder, templates: [String: String], at now: Date) -> [DatabaseQuery.Value] {
        [
            .bind(UUID.timeOrdered()), .bind(now), .bind(order.id), .bind("sms"), .bind(phone), .bind(kind), .bind(m.template),
            .bind(MessageTemplates.render(templates[m.template] ?? m.template, m.values)), .bind("pending"), .bind(0), .bind(now), .null, .null, .null,
        ]
    }

    private func recipients(_ r: OutboundMessage.Recipient, order: WorkOrder) async throws -> [(String, String)] {
        switch r {
        case .citizen:
            let phone = order.citizen.phone.trimmingCharacters(in: .whitespaces)
            return phone.isEmpty ? [] : [(phone, "citizen")]
        case .unitLiaison(let unit):
            let rows = try await sql.raw("SELECT liaison_phone FROM units WHERE id = \(bind: unit)").all()
            return try rows.compactMap { try OrderRows.Reader(row: $0).optional("liaison_phone") as String? }.filter { !$0.isEmpty }.map { ($0, "liaison") }
        case .unitRole(let unit, let role):
            return try await accounts(where: "unit_id = \(bind: unit)", role: role)
        case .platformRole(let role):
            return try await accounts(where: "unit_id IN (SELECT id FROM units WHERE level = 1)", role: role)
        }
    }

    private func accounts(where clause: SQLQueryString, role: Role) async throws -> [(String, String)] {
        var q: SQLQueryString = "SELECT phone, roles FROM accounts WHERE active = \(bind: true) AND phone IS NOT NULL AND "
        q.appendInterpolation(clause)
        return try await sql.raw(q).all().compactMap { row in
            let r = OrderRows.Reader(row: row)
            let roles: String = try r("roles")
            guard let phone: String = try r.optional("phone"), !phone.isEmpty, roles.split(separator: ",").contains(Substring(role.rawValue)) else { return nil }
            return (phone, role.rawValue)
        }
    }

    struct Claimed: Sendable {
        var id: UUID
        var recipient: String
        var template: String
        var body: String
        var attempts: Int
        var createdAt: Date
    }

    /// Claims up to `limit` messages due for (another) attempt, for `lease` seconds; skipped by
    /// other instances on PostgreSQL, free again if this worker dies before finishing.
    func claim(now: Date, limit: Int, lease: TimeInterval) async throws -> [Claimed] {
        let postgres = sql.dialect.name == "postgresql"
        let rows = try await sql.raw("""
            UPDATE outbox SET lease_until = \(bind: now.addingTimeInterval(lease))
            WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= \(bind: now)
                AND (lease_until IS NULL OR lease_until < \(bind: now)) ORDER BY next_attempt_at, id LIMIT \(unsafeRaw: String(limit))\(unsafeRaw: postgres ? " FOR UPDATE SKIP LOCKED" : ""))
            RETURNING id, recipient, template, body, attempts, created_at
            """).all()
        return try rows.map { row in
            let r = OrderRows.Reader(row: row)
            return Claimed(id: try r("id"), recipient: try r("recipient"), template: try r("template"), body: try r("body"), attempts: try r("attempts"), createdAt: try r("created_at"))
        }.sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }  // first owed, first sent (ids are time-ordered)
    }

    func markSent(_ id: UUID, attempts: Int, at now: Date) async throws {
        try await sql.raw("""
            UPDATE outbox SET state = 'sent', attempts = \(bind: attempts), sent_at = \(bind: now), lease_until = NULL, last_error = NULL
            WHERE id = \(bind: id)
            """).run()
    }

    /// A failed attempt: tried again after a growing pause, or dead after the last one.
    func markFailed(_ id: UUID, attempts: Int, error: String, at now: Date, maxAttempts: Int) async throws {
        let dead = attempts >= maxAttempts
        let next = now.addingTimeInterval(Self.backoff(afterAttempt: attempts))
        try await sql.raw("""
            UPDATE outbox SET state = \(bind: dead ? "dead" : "pending"), attempts = \(bind: attempts), last_error = \(bind: String(error.prefix(500))),
                next_attempt_at = \(bind: next), lease_until = NULL
            WHERE id = \(bind: id)
            """).run()
    }

    /// 5 s, 10 s, 20 s … up to an hour between attempts.
    static func backoff(afterAttempt n: Int) -> TimeInterval {
        min(3600, 5 * pow(2, Double(max(0, n - 1))))
    }

    /// An administrator's retry of a dead message: pending again, at once, with fresh attempts.
    func retry(_ id: UUID, at now: Date) async throws -> Bool {
        let rows = try await sql.raw("""
            UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = \(bind: now), lease_until = NULL
            WHERE id = \(bind: id) AND state = 'dead' RETURNING id
            """).all()
        return rows.count == 1
    }
}

/// The messages' texts (R-ADM-1): a default for every template the rules use, which an
/// administrator may replace; `{name}` is filled from the message's values.
enum MessageTemplates {
    static let defaults: [String: (body: String, description: String)] = [
        "remind.yellow": ("【12345】工单{number}「{title}」将于{dueAt}到期，请{unit}抓紧办理。", "黄灯自动催办（承办单位联络员、承办人）"),
        "remind.red": ("【12345】工单{number}「{title}」已于{dueAt}超期，请{unit}立即办理并反馈。", "红灯自动催办（承办单位联络员、承办人）"),
        "remind.lateSign": ("【12345】工单{number}「{title}」已超过签收时限{signDueAt}，请{unit}立即签收。", "超时未签收催办"),
        "escalate.leader": ("【12345】{unit}承办的工单{number}「{title}」已超期（时限{dueAt}），请分管领导督促办理。", "超期通知单位分管领导"),
        "supervise.overdue": ("【12345】{unit}承办的工单{number}「{title}」超期未办结（时限{dueAt}），已自动督办并列入通报。", "超期自动督办并通报"),
        "alert.sensitive": ("【12345】工单{number}「{title}」含敏感或紧急关键词，请督办员关注。", "敏感/紧急关键词提醒督办员"),
        "alert.dispatchOverdue": ("【12345】工单{number}「{title}」超过派单时限{dueAt}仍未派出，请派单员处理。", "超时未派单提醒派单员"),
        "citizen.accepted": ("【12345】您的诉求已受理，工单编号{number}，查询密码{secret}，可凭编号和密码在网上查询办理进度。", "受理告知诉求人（含查询密码 R-CIT-2）"),
        "citizen.extended": ("【12345】您的工单{number}经批准延期办理，新的办结时限为{dueAt}。", "延期告知诉求人 R-UH-6"),
        "citizen.answered": ("【12345】您的工单{number}已答复：{answer}。请回复数字评价：1非常满意 2满意 3基本满意 4不满意 5非常不满意；问题未解决请在数字后加N，如4N。", "答复告知诉求人并短信回访 R-CB-2"),
        "alert.callbackOverdue": ("【12345】工单{number}「{title}」超过回访时限{dueAt}仍未回访，请回访员处理。", "超时未回访提醒回访员"),
    ]

    /// Placeholders a template must keep.
    static let required: [String: [String]] = ["citizen.accepted": ["number", "secret"]]

    /// The texts in force: the stored ones over the defaults.
    static func current(on db: any Database) async throws -> [String: String] {
        try await current(on: db as! any SQLDatabase)
    }

    static func current(on sql: any SQLDatabase) async throws -> [String: String] {
        var out = defaults.mapValues(\.body)
        for row in try await sql.raw("SELECT \"key\", body FROM message_templates").all() {
            let r = OrderRows.Reader(row: row)
            out[try r("key")] = try r("body")
        }
        return out
    }

    /// The `{name}`s a text uses.
    static func placeholders(in text: String) -> Set<String> {
        var out = Set<String>()
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }) { out.insert(String(name)) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// Fills `{name}`; a time (an ISO value) is shown as `10月8日 23:59`. One pass over the
    /// template: a value's own braces are left as they are, and a `{name}` with no value stays.
    static func render(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = rest[rest.index(after: open)..<close]
            out += rest[..<open]
            if let v = values[String(name)] {
                let time = Date.looksLikeISOTime(v) ? Date(iso: v) : nil
                out += time.map(shortTime) ?? v
                rest = rest[rest.index(after: close)...]
            } else {
                // Not a name with a value (`{` of `{{number}}`, or an unknown name): kept.
                out += rest[open...open]
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }

    static func shortTime(_ d: Date) -> String {
        let seconds = Int(d.timeIntervalSince1970) + 8 * 3600
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down))).components
        let s = ((seconds % 86_400) + 86_400) % 86_400
        return "\(day.month)月\(day.day)日 \(String(format: "%02d:%02d", s / 3600, s % 3600 / 60))"
    }
}

/// Delivers one message; throws when it was not accepted (it will be tried again).
protocol MessageSender: Sendable {
    func send(_ message: Outbox.Claimed) async throws
}

/// The default: the message goes to the log (the number masked: R-NF-5).
struct LogSender: MessageSender {
    let logger: Logger

    func send(_ message: Outbox.Claimed) async throws {
        logger.info("sms \(message.template) to \(Masking.phone(message.recipient)): \(QuerySecret.masked(in: message.body))")
    }
}

/// An SMS gateway's webhook: a JSON POST signed with HMAC-SHA256 over the body (header
/// `X-Hotline-Signature: sha256=<hex>`), carrying the message id so the gateway can drop a
/// repeat (a delivery whose answer was lost is tried again). Any 2xx answer is delivery.
struct WebhookSender: MessageSender {
    let client: any Client
    let url: URI
    let secret: SymmetricKey

    struct Payload: Content {
        var id: UUID
        var to: String
        var template: String
        var body: String
        var createdAt: Date
    }

    func send(_ message: Outbox.Claimed) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        let body = try encoder.encode(Payload(id: message.id, to: message.recipient, template: message.template, body: message.body, createdAt: message.createdAt))
        let signature = HMAC<SHA256>.authenticationCode(for: body, using: secret).map { String(format: "%02x", $0) }.joined()
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: "X-Hotline-Signature", value: "sha256=" + signature)
        headers.add(name: "X-Hotline-Message-Id", value: message.id.uuidString)
        let response = try await client.post(url, headers: headers) { req in req.body = ByteBuffer(data: body) }
        guard (200..<300).contains(response.status.code) else {
            throw Abort(.badGateway, reason: "gateway answered \(response.status.code)")
        }
    }
}
