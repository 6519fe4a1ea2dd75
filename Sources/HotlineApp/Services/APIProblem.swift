import HotlineCore
import Vapor

/// An API error with a stable machine code, the field and the rule (problem+json, RFC 9457).
struct APIProblem: AbortError, Sendable {
    var status: HTTPResponseStatus
    var code: String
    var field: String?
    var rule: String
    var related: [RuleViolation] = []

    var reason: String { rule }

    init(_ status: HTTPResponseStatus, code: String, field: String? = nil, rule: String) {
        self.status = status
        self.code = code
        self.field = field
        self.rule = rule
    }

    init(_ v: RuleViolation) {
        switch v.kind {
        case .forbidden: status = .forbidden
        case .conflict: status = .conflict
        case .invalid: status = .unprocessableEntity
        case .notFound: status = .notFound
        }
        code = v.code
        field = v.field
        rule = v.rule
        related = v.related
    }

    static func invalid(_ field: String, _ rule: String, code: String = "validation_failed") -> APIProblem {
        APIProblem(.unprocessableEntity, code: code, field: field, rule: rule)
    }

    static func notFound(_ what: String) -> APIProblem {
        APIProblem(.notFound, code: "\(what)_not_found", rule: "no such \(what), or not visible to you")
    }

    static let staleVersion = APIProblem(.conflict, code: "stale_version", field: "If-Match", rule: "the order changed since you read it; reload and try again (R-NF-4)")
}

/// The JSON problem document every error becomes.
struct ProblemDocument: Content {
    struct FieldError: Content {
        var field: String?
        var code: String
        var rule: String
    }

    var type: String
    var title: String
    var status: Int
    var code: String
    var field: String?
    var rule: String
    var errors: [FieldError]?
}

/// Turns every error into `application/problem+json` with a stable `code`.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let p = Self.problem(for: error)
            if p.status == .internalServerError {
                request.logger.report(error: error)
            }
            // Console pages answer with a page, never a stack trace or a JSON document.
            if Self.wantsPage(request), let page = try? await request.renderConsole("error", title: request.label("error"), ["status": Int(p.status.code)], problem: p) {
                ConsoleHeadersMiddleware.apply(to: page)
                return page
            }
            var errors = p.related.map { ProblemDocument.FieldError(field: $0.field, code: $0.code, rule: $0.rule) }
            if !errors.isEmpty { errors.insert(.init(field: p.field, code: p.code, rule: p.rule), at: 0) }
            let doc = ProblemDocument(
                type: "https://github.com/hotline-12345/problems/\(p.code)", title: p.status.reasonPhrase, status: Int(p.status.code),
                code: p.code, field: p.field, rule: p.rule, errors: errors.isEmpty ? nil : errors)
            let response = Response(status: p.status)
            try response.content.encode(doc, as: .json)
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
            return response
        }
    }

    /// A browser asking for a console page (not the API, not a file).
    static func wantsPage(_ request: Request) -> Bool {
        let path = request.url.path
        return !path.hasPrefix("/api/") && path != "/health" && (request.headers.first(name: .accept) ?? "").contains("text/html")
    }

    static func problem(for error: any Error) -> APIProblem {
        switch error {
        case let p as APIProblem:
            return p
        case let v as RuleViolation:
            return APIProblem(v)
        case let d as DecodingError:
            return decoding(d)
        case let a as any AbortError:
            let code: String
            switch a.status {
            case .unauthorized: code = "unauthenticated"
            case .forbidden: code = "forbidden"
            case .notFound: code = "not_found"
            case .payloadTooLarge: code = "payload_too_large"
            case .unsupportedMediaType: code = "unsupported_media_type"
            default: code = "http_\(a.status.code)"
            }
            return APIProblem(a.status, code: code, rule: a.reason)
        default:
            return APIProblem(.internalServerError, code: "internal_error", rule: "something went wrong on our side; nothing was changed")
        }
    }

    /// Names the field a bad body got wrong.
    static func decoding(_ e: DecodingError) -> APIProblem {
        func path(_ c: [any CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
        switch e {
        case .keyNotFound(let key, let ctx):
            let p = path(ctx.codingPath + [key])
            return .invalid(p, "\(p) is required")
        case .valueNotFound(_, let ctx):
            return .invalid(path(ctx.codingPath), "\(path(ctx.codingPath)) must not be null")
        case .typeMismatch(let type, let ctx):
            return .invalid(path(ctx.codingPath), "\(path(ctx.codingPath)) must be of type \(type)")
        case .dataCorrupted(let ctx):
            let p = path(ctx.codingPath)
            return .invalid(p.isEmpty ? "body" : p, p.isEmpty ? "the body is not valid JSON" : "\(p): \(ctx.debugDescription)")
        @unknown default:
            return .invalid("body", "the body could not be read")
        }
    }
}
