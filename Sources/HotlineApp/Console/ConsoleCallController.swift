import Fluent
import HotlineCore
import SQLKit
import Vapor

/// The agent's side of call events (R-IN-4): signing in at a seat's extension, and the live
/// channel (server-sent events) through which a call ringing there reaches the agent's open
/// console page, which then shows the caller's earlier orders without a reload.
struct ConsoleCallController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("calls", "stream", use: stream)
        routes.post("calls", "seat", use: seat)
    }

    struct SeatInput: Content {
        var `extension`: String?
        /// The page to go back to.
        var next: String?
    }

    /// Signs the agent in at an extension (blank: signs out of it). Agents change seats, so
    /// an extension taken by someone else moves to the new agent.
    @Sendable func seat(req: Request) async throws -> Response {
        let principal = try req.principal(.agent)
        let input = try req.decodeBody(SeatInput.self)
        let ext = input.extension.map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        if let ext, !Telephony.isExtension(ext) {
            throw APIProblem.invalid("extension", "extension must be 1–20 letters or digits")
        }
        let account = principal.accountId
        // Two agents taking the same seat at once: on PostgreSQL the second may still find the
        // first's row after clearing, and the unique index refuses it; it goes round again.
        for attempt in 1...3 {
            do {
                try await req.hotline.writeChangingSessions(on: req.database) { db in
                    let sql = db as! any SQLDatabase
                    if let ext { try await sql.raw("UPDATE accounts SET extension = NULL WHERE extension = \(bind: ext) AND id <> \(bind: account)").run() }
                    try await sql.raw("UPDATE accounts SET extension = \(bind: ext) WHERE id = \(bind: account)").run()
                }
                break
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 3 {
                continue
            }
        }
        // Only a path of this site: the field is anybody's to write.
        let next = ConsoleController.safeNext(input.next)
        return req.redirect(to: next == "/" && input.next != "/" ? "/intake" : next)
    }

    /// What the page's script receives for each change of a call at the agent's extension.
    struct CallNews: Encodable {
        var callId: String
        var state: String
        var callerNumber: String
        var missed: Bool
        var hasRecording: Bool
    }

    /// `text/event-stream`: an `event: call` for each change of a call at the agent's
    /// extension, from 30 seconds before the page connected (a page opened while the phone
    /// rings still shows the call). Each response ends after `callStreamSeconds` and the
    /// browser reconnects with `Last-Event-ID`, so a stopping server never waits long for it.
    @Sendable func stream(req: Request) async throws -> Response {
        let principal = try req.principal(.agent)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/event-stream; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        guard let ext = principal.agentExtension else {
            // Not at a seat: nothing rings here. Look again in a while (the agent may sign in).
            return Response(status: .ok, headers: headers, body: .init(string: "retry: 30000\n\n"))
        }
        let app = req.application
        let bell = req.hotline.callBell
        let seconds = req.hotline.settings.callStreamSeconds
        // From where the browser left off (the id of the last event it got), but never before
        // the last minute: the header is the client's to write, and an old id would replay the
        // numbers of calls taken by whoever sat here before.
        let now = req.now
        let resumed = req.headers.first(name: "Last-Event-ID").flatMap { Int64($0) }.map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let start = min(now, max(resumed ?? now.addingTimeInterval(-30), now.addingTimeInterval(-60)))
        let body = Response.Body(asyncStream: { writer in
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: .milliseconds(Int(seconds * 1000)))
            var since = start
            var shown: [String: CallNews] = [:]
            let encoder = JSONEncoder()
            do {
                try await writer.writeBuffer(ByteBuffer(string: "retry: 1000\n\n"))
                while clock.now < end {
                    let rung = bell.count(ext)
                    // A little overlap: changes stored by other instances a moment apart.
                    for (call, at) in try await CallStore(db: app.db).changed(at: ext, since: since.addingTimeInterval(-5)) {
                        since = max(since, at)
                        let news = CallNews(callId: call.callId, state: call.state.rawValue, callerNumber: call.callerNumber, missed: call.missed, hasRecording: call.recordingURL != nil)
                        guard shown[call.callId].map({ $0.state != news.state || $0.missed != news.missed || $0.hasRecording != news.hasRecording }) ?? true else { continue }
                        shown[call.callId] = news
                        let json = String(decoding: try encoder.encode(news), as: UTF8.self)
                        let id = Int64(since.timeIntervalSince1970 * 1000)
                        try await writer.writeBuffer(ByteBuffer(string: "id: \(id)\nevent: call\ndata: \(json)\n\n"))
                    }
                    // Until a call at this extension changes here, or two seconds pass (a
                    // change stored by another instance).
                    let look = min(clock.now.advanced(by: .seconds(2)), end)
                    while clock.now < look && bell.count(ext) == rung { try await Task.sleep(for: .milliseconds(100)) }
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }
}
