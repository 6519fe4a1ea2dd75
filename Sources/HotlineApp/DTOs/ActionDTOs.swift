import HotlineCore
import Vapor

// Bodies of the action sub-resources (POST …/{action}). Each names only what the action needs.

struct DirectAnswerBody: Content { var answer: String; var knowledgeArticleRef: String? }
struct DeclineBody: Content { var reasonCode: String; var note: String? }
struct GuideBody: Content { var target: String; var note: String? }
struct MergeBody: Content { var targetId: UUID; var note: String? }
struct EscalateBody: Content { var proposal: String }
struct InstructBody: Content { var instruction: String }

struct DispatchBody: Content {
    var mode: HandlingMode?
    var leadUnitId: UUID
    var coUnitIds: [UUID]?
    var timeLimit: TimeLimit?
    var conflictOverrideReason: String?
    var directAnswer: String?
    var note: String?
}

struct DecisionBody: Content {
    var approve: Bool
    var note: String?
}

struct ReturnRequestBody: Content { var reason: String; var basis: String }
struct ContactBody: Content { var method: ContactMethod; var note: String? }
struct SubDispatchBody: Content { var unitId: UUID; var note: String? }
struct OpinionBody: Content { var opinion: String }
struct ExtensionBody: Content { var amount: Int; var reason: String }
struct ReviewBody: Content { var approve: Bool; var reasons: String? }
struct ReminderBody: Content { var assignmentId: UUID; var note: String }
struct SupervisionBody: Content { var assignmentId: UUID?; var method: SupervisionMethod; var note: String; var instruction: String? }
struct NoteBody: Content { var note: String? }
struct CloseBody: Content { var note: String }
struct AppealBody: Content { var reason: String }

struct CallbackBody: Content {
    var method: ContactMethod
    var reached: Bool
    var satisfaction: Satisfaction?
    var solved: Bool?
    var note: String?
    /// R-CB-3: the callback agent's judgement that an unsatisfied citizen's complaint is reasonable.
    var reasonable: Bool?
}
