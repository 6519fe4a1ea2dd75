import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `POST /api/v1/sms/inbound`: the SMS gateway passes on a citizen's text (R-INT-1). A reply
/// to the callback question ("1"–"5", optionally with Y or N) is recorded as the callback of
/// that citizen's order waiting for one (`Lifecycle.smsReply`). The gateway signs the body as
/// the platform signs its own deliveries: `X-Hotline-Signature: sha256=<hex HMAC-SHA256>` with
/// `HOTLINE_SMS_WEBHOOK_SECRET`.
struct SmsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("sms", "inbound", use: inbound)
    }

    struct InboundBody: Content {
        var from: String
        var text: String
    }

    struct InboundResult: Content {
        /// What the text was taken as: callback, callbackReply (unsatisfied, left for an
        /// agent), or ignored (no order waiting for a callback from this number, or not a reply).
        var outcome: String
        var workOrderNumber: String?
    }

    @Sendable func inbound(req: Request) async throws -> InboundResult {
        guard let secret = req.hotline.settings.smsWebhookSecret else {
            throw APIProblem(.serviceUnavailable, code: "sms_not_configured", rule: "no SMS gateway is configured (HOTLINE_SMS_WEBHOOK_SECRET)")
        }
        try WebhookSignature.verify(req, secret: secret)
        let body = try req.decodeBody(InboundBody.self)
        guard let reply = CallbackReply(parsing: body.text) else { return InboundResult(outcome: "ignored") }
        let phone = body.from.trimmingCharacters(in: .whitespaces)
        // The newest order of this number that waits for its callback.
        let sql = req.database as! any SQLDatabase
        guard let row = try await sql.raw("""
            SELECT id FROM work_orders WHERE citizen_phone = \(bind: phone) AND status = \(bind: WorkOrderStatus.awaitingCallback.rawValue)
            ORDER BY reviewed_at DESC LIMIT 1
            """).first(), let loaded = try await WorkOrderRepository(db: req.database).find(try row.decode(column: "id", as: UUID.self))
        else { return InboundResult(outcome: "ignored") }
        let now = req.now
        let lifecycle = try await RulesLoader(db: req.database, services: req.hotline).lifecycle(now: now)
        let t = try lifecycle.smsReply(reply, text: body.text, to: loaded.aggregate)
        try await req.hotline.write(on: req.database) { db in
            try await WorkOrderRepository(db: db).save(t, over: loaded, actor: nil, at: now, timers: lifecycle.timers(for: t.aggregate))
        }
        return InboundResult(outcome: reply.satisfaction.isUnsatisfied ? "callbackReply" : "callback", workOrderNumber: loaded.aggregate.order.number)
    }
}

/// Inbound webhooks (SMS replies, CTI call events) are signed as the platform signs its own
/// deliveries: `X-Hotline-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
enum WebhookSignature {
    static func verify(_ req: Request, secret: String) throws {
        let raw = Data(buffer: req.body.data ?? ByteBuffer())
        let mac = HMAC<SHA256>.authenticationCode(for: raw, using: SymmetricKey(data: Data(secret.utf8)))
        let given = req.headers.first(name: "X-Hotline-Signature") ?? ""
        // The MAC's own == compares in constant time.
        guard given.hasPrefix("sha256="), let sent = Data(hexString: String(given.dropFirst(7))), mac == sent else {
            throw APIProblem(.unauthorized, code: "bad_signature", field: "X-Hotline-Signature", rule: "X-Hotline-Signature must be sha256=<hex HMAC-SHA256 of the body>")
        }
    }
}

extension Data {
    init?(hexString: String) {
        guard hexString.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = hexString.startIndex
        while i < hexString.endIndex {
            let j = hexString.index(i, offsetBy: 2)
            guard let b = UInt8(hexString[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        self.init(bytes)
    }
}
