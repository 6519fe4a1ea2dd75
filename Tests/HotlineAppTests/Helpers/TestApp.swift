import Fluent
import Foundation
import HotlineCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

/// PostgreSQL tests share one database, so they take turns; SQLite tests each get their own
/// in-memory database and run in parallel.
actor DatabaseTurns {
    static let shared = DatabaseTurns()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

/// The package's root folder, from this file's place in it.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path + "/"
}()

/// The secret the test app shares with its SMS gateway.
let smsTestSecret = "sms-test-secret-0123456789"
/// The secret the test app shares with its CTI.
let ctiTestSecret = "cti-test-secret-0123456789"

/// The demo-sized world every app test starts from.
struct World {
    var platform: UnitModel
    var chaoyang: UnitModel
    var jianwai: UnitModel
    var haidian: UnitModel
    var tokens: [String: String] = [:]

    func token(_ user: String) -> String { tokens[user]! }
}

/// Whether this test run uses the PostgreSQL named by `DATABASE_URL` rather than SQLite.
let testsUsePostgres = ProcessInfo.processInfo.environment["DATABASE_URL"]?.hasPrefix("postgres") == true

/// Builds an app on in-memory SQLite, or on the PostgreSQL named by `DATABASE_URL` (schema
/// reset first), migrates, seeds a small world, runs the test and always shuts down.
/// `adjust` changes the test settings before the app is configured.
func withTestApp(at start: String = "2026-11-23T09:00:00+08:00", seedingWorld: Bool = true, settings adjust: (inout Settings) -> Void = { _ in }, _ test: (Application, World, @Sendable (Date) -> Void) async throws -> Void) async throws {
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""
    let postgres = testsUsePostgres
    if postgres { await DatabaseTurns.shared.acquire() }
    let app = try await Application.make(.testing)
    // The console's templates and files are found from the package root, whatever the
    // working directory of the test run (Leaf refuses paths under dot-folders such as .build).
    app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
    do {
        var settings = Settings(
            database: postgres ? .postgres(url) : .sqliteMemory,
            attachmentsDirectory: NSTemporaryDirectory() + "hotline-test-\(UUID().uuidString)", passwordCost: 4,
            smsWebhookSecret: smsTestSecret, ctiWebhookSecret: ctiTestSecret, callStreamSeconds: 1,
            // Small enough that a test reaches the Open311 key's limit quickly.
            publicLimits: .init(open311SubmissionsPerHour: 12))
        adjust(&settings)
        try await configure(app, settings: settings)
        if postgres {
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        let (clock, setClock) = AppClock.manual(Date(iso: start)!)
        app.hotline.clock = clock
        try await app.autoMigrate()
        let world = seedingWorld ? try await seedWorld(app) : World(platform: try await UnitModel.query(on: app.db).filter(\.$level == 1).first()!, chaoyang: UnitModel(), jianwai: UnitModel(), haidian: UnitModel())
        try await test(app, world, setClock)
    } catch {
        try? await app.asyncShutdown()
        if postgres { await DatabaseTurns.shared.release() }
        throw error
    }
    try await app.asyncShutdown()
    if postgres { await DatabaseTurns.shared.release() }
}

private func seedWorld(_ app: Application) async throws -> World {
    let db = app.db
    let platform = try await UnitModel.query(on: db).filter(\.$level == 1).first()!
    let chaoyang = UnitModel(code: "chaoyang", name: "朝阳区人民政府", level: 2, parent: platform, kind: "district")
    try await chaoyang.create(on: db)
    let jianwai = UnitModel(code: "jianwai", name: "建外街道", level: 3, parent: chaoyang, kind: "street")
    try await jianwai.create(on: db)
    let haidian = UnitModel(code: "haidian", name: "海淀区人民政府", level: 2, parent: platform, kind: "district")
    try await haidian.create(on: db)
    var world = World(platform: platform, chaoyang: chaoyang, jianwai: jianwai, haidian: haidian)
    let people: [(String, UnitModel, Set<Role>)] = [
        ("agent", platform, [.agent]), ("dispatcher", platform, [.dispatcher]), ("reviewer", platform, [.reviewer]),
        ("supervisor", platform, [.supervisor]), ("callback", platform, [.callbackAgent]), ("leader", platform, [.leader]),
        ("admin", platform, [.admin]),
        ("cy-handler", chaoyang, [.unitHandler]), ("cy-leader", chaoyang, [.unitLeader]),
        ("jw-handler", jianwai, [.unitHandler]), ("jw-leader", jianwai, [.unitLeader]),
        ("hd-handler", haidian, [.unitHandler]),
    ]
    let hash = try await app.password.async.hash("password123")
    for (name, unit, roles) in people {
        let a = AccountModel(username: name, displayName: name, passwordHash: hash, unitId: unit.id!, roles: roles)
        try await a.create(on: db)
        let token = "test-token-\(name)"
        try await AccessTokenModel(tokenHash: TokenHash.of(token), accountId: a.id!, csrfToken: "csrf-\(name)", createdAt: Date(timeIntervalSince1970: 0), expiresAt: .distantFuture).create(on: db)
        world.tokens[name] = token
    }
    return world
}

/// A valid intake body.
func intakeBody(secret: Bool = true, phone: String = "13812345678", type: String = "complaint") -> [String: Any] {
    [
        "channel": "phone", "requestType": type, "categoryCode": "010101", "title": "小区路灯不亮",
        "elements": [
            "time": "2026-11-20晚", "place": ["address": "朝阳区建国路88号"], "people": "来电人", "matter": "路灯不亮, 回电13812345678",
            "course": "多次反映未果", "wantedOutcome": "尽快修复",
        ],
        "citizen": ["name": "张三", "phone": phone, "wantsSecrecy": secret, "anonymous": false, "consentsToDisclosure": true],
    ]
}

extension Application {
    /// Sends JSON as `user` and returns the response. Every exchange is checked against
    /// openapi.yaml (`OpenAPIContract`); a departure is recorded as a test issue where it happened.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, as user: String?, world: World, json: [String: Any]? = nil, headers extra: [(String, String)] = [],
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        let requestBody = try json.map { try JSONSerialization.data(withJSONObject: $0) }
        try await self.testing().test(method, "/api/v1" + path, beforeRequest: { req in
            if let user { req.headers.bearerAuthorization = BearerAuthorization(token: world.token(user)) }
            for (k, v) in extra { req.headers.replaceOrAdd(name: k, value: v) }
            if let requestBody {
                req.headers.contentType = .json
                req.body = ByteBuffer(data: requestBody)
            }
        }, afterResponse: { res in result = res })
        let response = result!
        for problem in OpenAPIContract.shared.problems(
            method: method.rawValue, path: path, status: Int(response.status.code),
            contentType: response.headers.first(name: .contentType), body: Data(buffer: response.body), request: requestBody)
        {
            Issue.record("openapi.yaml: \(problem)", sourceLocation: sourceLocation)
        }
        return response
    }
}

extension Application {
    /// A console request as `user` (session cookie, as a browser sends it). Forms are posted
    /// URL-encoded with the user's CSRF token unless `csrf` is false.
    @discardableResult
    func page(_ method: HTTPMethod, _ path: String, as user: String?, world: World, form: [(String, String)]? = nil, csrf: Bool = true, headers extra: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await self.testing().test(method, path, beforeRequest: { req in
            req.headers.replaceOrAdd(name: .accept, value: "text/html")
            for (k, v) in extra { req.headers.replaceOrAdd(name: k, value: v) }
            if let user { req.headers.cookie = ["hotline_session": .init(string: world.token(user))] }
            if var fields = form {
                if csrf, let user { fields.append(("_csrf", "csrf-\(user)")) }
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                let body = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
                req.headers.contentType = .urlEncodedForm
                req.body = ByteBuffer(string: body)
            }
        }, afterResponse: { res in result = res })
        return result!
    }
}

extension TestingHTTPResponse {
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [[String: Any]] ?? [] }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ k: String) -> String? { self[k] as? String }
    func int(_ k: String) -> Int? { self[k] as? Int }
    var assignments: [[String: Any]] { self["assignments"] as? [[String: Any]] ?? [] }
    var items: [[String: Any]] { self["items"] as? [[String: Any]] ?? [] }
}
