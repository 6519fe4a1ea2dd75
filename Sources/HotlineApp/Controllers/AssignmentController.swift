import Fluent
import HotlineCore
import Vapor

/// `/api/v1/assignments/{id}/…` and `/api/v1/extensions/{id}/…`: what units do with their share
/// of an order (R-UH), and the decisions on their return and extension requests.
struct AssignmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let a = routes.grouped("assignments", ":assignmentId")
        a.post("sign", use: sign)
        a.post("contact", use: contact)
        a.post("return-request", use: returnRequest)
        a.post("return-approval", use: returnApproval)
        a.post("return-decision", use: returnDecision)
        a.post("sub-dispatch", use: subDispatch)
        a.post("sub-review", use: subReview)
        a.post("opinion", use: opinion)
        a.post("extensions", use: requestExtension)
        a.post("feedback", use: feedback)
        a.post("feedback-approval", use: feedbackApproval)
        let e = routes.grouped("extensions", ":extensionId")
        e.post("unit-approval", use: extensionApproval)
        e.post("decision", use: extensionDecision)
    }

    private func orderId(_ req: Request) async throws -> (UUID, UUID) {
        let id = try req.parameters.require("assignmentId", as: UUID.self)
        guard let a = try await AssignmentModel.find(id, on: req.database) else { throw APIProblem.notFound("assignment") }
        return (a.workOrderId, id)
    }

    private func extensionOrder(_ req: Request) async throws -> (UUID, UUID) {
        let id = try req.parameters.require("extensionId", as: UUID.self)
        guard let e = try await ExtensionRequestModel.find(id, on: req.database) else { throw APIProblem.notFound("extension") }
        return (e.workOrderId, id)
    }

    @Sendable func sign(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .sign(assignment: id) }
    }

    @Sendable func contact(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(ContactBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .recordContact(assignment: id, method: b.method, note: b.note) }
    }

    @Sendable func returnRequest(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(ReturnRequestBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .requestReturn(assignment: id, reason: b.reason, basis: b.basis) }
    }

    @Sendable func returnApproval(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .approveReturn(assignment: id, approve: b.approve, note: b.note) }
    }

    @Sendable func returnDecision(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .decideReturn(assignment: id, accept: b.approve, note: b.note) }
    }

    @Sendable func subDispatch(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(SubDispatchBody.self)
        let unit = try await Units.handling(b.unitId, field: "unitId", on: req.database)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .subDispatch(assignment: id, to: unit, note: b.note) }
    }

    @Sendable func subReview(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .reviewSubAnswer(assignment: id, approve: b.approve, note: b.note) }
    }

    @Sendable func opinion(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(OpinionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .submitOpinion(assignment: id, opinion: b.opinion) }
    }

    @Sendable func requestExtension(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(ExtensionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .requestExtension(assignment: id, amount: b.amount, reason: b.reason) }
    }

    @Sendable func feedback(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(Feedback.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .submitFeedback(assignment: id, b) }
    }

    @Sendable func feedbackApproval(req: Request) async throws -> Response {
        let (order, id) = try await orderId(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .approveFeedback(assignment: id, approve: b.approve, note: b.note) }
    }

    @Sendable func extensionApproval(req: Request) async throws -> Response {
        let (order, id) = try await extensionOrder(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .approveExtension(extension: id, approve: b.approve, note: b.note) }
    }

    @Sendable func extensionDecision(req: Request) async throws -> Response {
        let (order, id) = try await extensionOrder(req)
        let b = try req.decodeBody(DecisionBody.self)
        return try await WorkOrderAccess.perform(req, orderId: order) { _ in .decideExtension(extension: id, approve: b.approve, note: b.note) }
    }
}
