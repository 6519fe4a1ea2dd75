import Fluent
import HotlineCore
import SQLKit
import Vapor

/// `POST /api/v1/telephony/events`: the CTI (call-centre switch) reports each call's ringing,
/// answer, hang-up and recording (R-IN-4, R-INT-1; docs/telephony.md). Signed like the SMS
/// webhook, with `HOTLINE_CTI_WEBHOOK_SECRET`. A ringing call shows on the screen of the
/// agent signed in at its extension; a recording reaches the orders recorded during the call.
struct TelephonyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("telephony", "events", use: event)
    }

    struct EventBody: Content {
        var callId: String
        var event: String
        var callerNumber: String?
        var `extension`: String?
        var at: Date?
        var recordingUrl: String?
    }

    struct EventResult: Content {
        var callId: String
        var state: String
        /// False for a repeated or stale delivery, which changed nothing.
        var changed: Bool
        /// The orders recorded during the call so far.
        var workOrderIds: [UUID]
    }

    @Sendable func event(req: Request) async throws -> EventResult {
        guard let secret = req.hotline.settings.ctiWebhookSecret else {
            throw APIProblem(.serviceUnavailable, code: "cti_not_configured", rule: "no CTI is configured (HOTLINE_CTI_WEBHOOK_SECRET)")
        }
        try WebhookSignature.verify(req, secret: secret)
        let body = try req.decodeBody(EventBody.self)
        guard let kind = CallEvent.Kind(rawValue: body.event) else {
            throw APIProblem.invalid("event", "event must be one of ringing, answered, hungUp, recording")
        }
        let e = CallEvent(callId: body.callId, kind: kind, callerNumber: body.callerNumber, agentExtension: body.extension, at: body.at, recordingURL: body.recordingUrl)
        let now = req.now
        // Two first deliveries of one call may race to insert it; the loser goes round again
        // and finds the winner's row.
        for attempt in 1...2 {
            let outcome: (Call, Bool, [UUID])? = try await req.hotline.write(on: req.database) { db in
                let store = CallStore(db: db)
                let before = try await store.find(e.callId, lock: true)
                let (call, changed) = try Telephony.apply(e, to: before, receivedAt: now)
                guard changed else { return (call, false, try await store.orders(of: call.callId)) }
                if before == nil {
                    guard try await store.insert(call, at: now) else { return nil }
                } else {
                    try await store.update(call, at: now)
                }
                let orders = try await store.orders(of: call.callId)
                if call.recordingURL != before?.recordingURL, let recording = Telephony.recordingEvent(call) {
                    // Beside the order, not a change of it: its version stays, so nobody
                    // working on the order is told it changed under them.
                    let repo = WorkOrderRepository(db: db)
                    for id in orders {
                        try await ClockTimers(db: db).lockOrder(id)
                        try await repo.appendEvents([recording], to: id, actor: nil, at: now)
                    }
                }
                return (call, true, orders)
            }
            if let (call, changed, orders) = outcome {
                if changed { req.hotline.callBell.ring(call.agentExtension) }
                return EventResult(callId: call.callId, state: call.state.rawValue, changed: changed, workOrderIds: orders)
            }
            if attempt == 2 { break }
        }
        throw APIProblem(.conflict, code: "call_busy", field: "callId", rule: "the call was changed by another delivery at the same moment; send the event again")
    }
}
