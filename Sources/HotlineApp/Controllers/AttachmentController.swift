import Crypto
import Fluent
import HotlineCore
import SQLKit
import Vapor

/// Attachments (R-WO-8): photos, recordings and documents, stored under the configured
/// directory with size and type limits and a SHA-256 checksum.
struct AttachmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "work-orders", ":orderId", "attachments", body: .collect(maxSize: "100mb"), use: upload)
        routes.get("attachments", ":attachmentId", use: download)
    }

    /// The raw file is the body; its type is `Content-Type` and its name `?fileName=`.
    @Sendable func upload(req: Request) async throws -> Response {
        let type = req.headers.contentType.map { "\($0.type)/\($0.subType)" }
        let m = try await Self.store(req, fileName: req.query[String.self, at: "fileName"], contentType: type, body: req.body.data, typeField: "Content-Type")
        return try await AttachmentDTO(m).encodeResponse(status: .created, for: req)
    }

    /// Checks and stores a file for the order in the path (the API's upload and the console's
    /// form), with an `attach` event on the order's timeline.
    static func store(_ req: Request, fileName name: String?, contentType type: String?, body: ByteBuffer?, typeField: String) async throws -> AttachmentModel {
        let p = try req.principal()
        let loaded = try await WorkOrderAccess.visible(req, principal: p)
        guard loaded.aggregate.order.status != .archived else {
            throw APIProblem(.conflict, code: "archived", rule: "an archived order is read-only")
        }
        let policy = try await RulesLoader(db: req.database, services: req.hotline).policy()
        guard let name, !name.isEmpty, name.count <= 200, !name.contains("/"), !name.contains("\\") else {
            throw APIProblem.invalid("fileName", "fileName is required: 1–200 characters, no slashes")
        }
        guard let type, policy.attachmentTypes.contains(type) else {
            throw APIProblem(.unsupportedMediaType, code: "attachment_type_refused", field: typeField, rule: "allowed types: \(policy.attachmentTypes.joined(separator: ", "))")
        }
        guard let body, body.readableBytes > 0 else { throw APIProblem.invalid("body", "the file is empty") }
        guard body.readableBytes <= policy.attachmentMaxBytes else {
            throw APIProblem(.payloadTooLarge, code: "attachment_too_large", field: "body", rule: "attachments are at most \(policy.attachmentMaxBytes) bytes")
        }
        let data = Data(buffer: body)
        let id = UUID()
        // Written before the row exists, so a committed row never points at a missing file.
        let (relative, sha) = try await Self.writeFile(body, id: id, on: req)
        let m = AttachmentModel()
        m.id = id
        m.workOrderId = loaded.aggregate.order.id
        m.fileName = name
        m.contentType = type
        m.size = data.count
        m.sha256 = sha
        m.storagePath = relative
        m.uploadedAt = req.now
        m.uploadedBy = p.accountId
        let now = req.now
        try await req.hotline.write(on: req.database) { db in
            // Bumping the version row-locks the order on PostgreSQL, so the event's seq can't
            // collide with a transition committing at the same time, and readers' ETags change.
            let sql = db as! any SQLDatabase
            guard try await sql.raw("UPDATE work_orders SET version = version + 1 WHERE id = \(bind: m.workOrderId) RETURNING version").first() != nil else {
                throw APIProblem.notFound("work_order")
            }
            try await m.create(on: db)
            let seq = (try await WorkOrderEventModel.query(on: db).filter(\.$workOrderId == m.workOrderId).max(\.$seq) ?? 0) + 1
            try await WorkOrderEventModel(DomainEvent("attach", note: name, details: ["attachmentId": id.uuidString, "sha256": sha, "size": String(data.count)]), workOrderId: m.workOrderId, seq: seq, at: now, actor: p.actor).create(on: db)
        }
        return m
    }

    /// Writes a file under the attachments directory (by month, named by its id): its path
    /// relative to the directory and its SHA-256, for the row that will point at it.
    static func writeFile(_ body: ByteBuffer, id: UUID, on req: Request) async throws -> (relative: String, sha256: String) {
        let relative = req.now.isoLocal.prefix(7).replacingOccurrences(of: "-", with: "/") + "/" + id.uuidString.lowercased()
        let path = req.hotline.settings.attachmentsDirectory + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try await req.fileio.writeFile(body, at: path)
        return (relative, SHA256.hash(data: Data(buffer: body)).hex)
    }

    @Sendable func download(req: Request) async throws -> Response {
        let p = try req.principal()
        guard let m = try await AttachmentModel.find(req.parameters.require("attachmentId", as: UUID.self), on: req.database) else { throw APIProblem.notFound("attachment") }
        _ = try await WorkOrderAccess.visible(req, principal: p, id: m.workOrderId)
        let path = req.hotline.settings.attachmentsDirectory + "/" + m.storagePath
        let response = try await req.fileio.asyncStreamFile(at: path, mediaType: HTTPMediaType(type: String(m.contentType.split(separator: "/").first ?? "application"), subType: String(m.contentType.split(separator: "/").last ?? "octet-stream")))
        response.headers.replaceOrAdd(name: "X-Checksum-SHA256", value: m.sha256)
        return response
    }
}
