import Foundation
import Testing
import Vapor
import VaporTesting

@testable import HotlineApp

@Suite("Request bodies: JSON read without parsing the media type (Request.decodeBody)")
struct RequestBodyTests {
    @Test("What counts as JSON")
    func isJSON() {
        for yes in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8", "application/json "] {
            #expect(Request.isJSON(yes), "\(yes)")
        }
        for no in ["", "application/jso", "application/jsonx", "application/json-patch+json", "text/json", "application/x-www-form-urlencoded", " application/json"] {
            #expect(!Request.isJSON(no), "\(no)")
        }
    }

    @Test("An intake in JSON of any spelling is read; a body of another type is refused as before, and nothing is stored")
    func intakeBodies() async throws {
        try await withTestApp { app, w, _ in
            let body = try JSONSerialization.data(withJSONObject: intakeBody())
            func post(_ contentType: String?, _ data: Data) async throws -> TestingHTTPResponse {
                var result: TestingHTTPResponse?
                try await app.testing().test(.POST, "/api/v1/work-orders", beforeRequest: { req in
                    req.headers.bearerAuthorization = BearerAuthorization(token: w.token("agent"))
                    if let contentType { req.headers.replaceOrAdd(name: .contentType, value: contentType) }
                    req.body = ByteBuffer(data: data)
                }, afterResponse: { result = $0 })
                return result!
            }
            #expect(try await post("application/json", body).status == .created)
            #expect(try await post("Application/JSON; charset=utf-8", body).status == .created)
            let before = try await WorkOrderModel.query(on: app.db).count()
            let text = try await post("text/plain", body)
            // Read as `content.decode` always read it (Vapor's plain-text decoder, which refuses).
            #expect(text.status == .unprocessableEntity || text.status == .unsupportedMediaType)
            let broken = try await post("application/json", Data("{\"channel\": ".utf8))
            #expect(broken.status == .badRequest || broken.status == .unprocessableEntity)
            let missing = try await post("application/json", try JSONSerialization.data(withJSONObject: ["channel": "phone"]))
            #expect(missing.status == .badRequest || missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("requestType") || missing.body.string.contains("title"), "the error names a missing field: \(missing.body.string)")
            // No body at all: refused as `content.decode` refuses it.
            let empty = try await post("application/json", Data())
            #expect(empty.status == .unprocessableEntity || empty.status == .badRequest)
            #expect(try await WorkOrderModel.query(on: app.db).count() == before)
        }
    }
}

@Suite("HOTLINE_NIO_EXECUTOR")
struct NIOExecutorSettingTests {
    @Test("on unless off; any other value is refused with the variable named")
    func values() throws {
        #expect(Settings.useNIOExecutor([:]))
        #expect(Settings.useNIOExecutor(["HOTLINE_NIO_EXECUTOR": "on"]))
        #expect(!Settings.useNIOExecutor(["HOTLINE_NIO_EXECUTOR": "off"]))
        #expect(!Settings.useNIOExecutor(["HOTLINE_NIO_EXECUTOR": "of"]))
        _ = try Settings.fromEnvironment(["HOTLINE_NIO_EXECUTOR": "off"], workingDirectory: "/tmp")
        #expect {
            _ = try Settings.fromEnvironment(["HOTLINE_NIO_EXECUTOR": "of"], workingDirectory: "/tmp")
        } throws: { error in
            "\(error)".contains("HOTLINE_NIO_EXECUTOR: 'of' is neither on nor off")
        }
    }
}

@Suite("Which commands serve (Entrypoint.serves)")
struct ServingCommandTests {
    @Test("serve, demo and no command start the server; one-off commands do not")
    func commands() {
        #expect(Entrypoint.serves(["hotline"]))
        #expect(Entrypoint.serves(["hotline", "serve", "--port", "8080"]))
        #expect(Entrypoint.serves(["hotline", "demo"]))
        for other in ["seed", "worker", "migrate", "user", "calendar"] {
            #expect(!Entrypoint.serves(["hotline", other]), "\(other)")
        }
    }
}
