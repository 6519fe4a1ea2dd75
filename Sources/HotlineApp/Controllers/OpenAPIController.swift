import Vapor

/// Serves the OpenAPI 3.1 description of this API (Resources/openapi.yaml). A test checks that
/// every route the server registers is described there, and nothing else.
struct OpenAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("openapi.yaml", use: yaml)
    }

    static func document() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw Abort(.internalServerError, reason: "openapi.yaml is missing from the bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Sendable func yaml(req: Request) async throws -> Response {
        let response = Response(status: .ok, body: .init(string: try Self.document()))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
        return response
    }
}
