import Foundation
import Testing

@testable import HotlineCore

@Suite struct TelephonyTests {
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func ring(_ id: String = "c-1") -> CallEvent {
        CallEvent(callId: id, kind: .ringing, callerNumber: "13912345678", agentExtension: "8001", at: t0)
    }

    @Test func aCallRingsIsAnsweredEndsAndGetsItsRecording() throws {
        var (call, changed) = try Telephony.apply(ring(), to: nil, receivedAt: t0)
        #expect(changed && call.state == .ringing && call.callerNumber == "13912345678" && call.agentExtension == "8001")
        (call, changed) = try Telephony.apply(CallEvent(callId: "c-1", kind: .answered, at: t0 + 5), to: call, receivedAt: t0 + 6)
        #expect(changed && call.state == .answered && call.answeredAt == t0 + 5)
        (call, changed) = try Telephony.apply(CallEvent(callId: "c-1", kind: .hungUp), to: call, receivedAt: t0 + 300)
        #expect(changed && call.state == .ended && call.endedAt == t0 + 300 && !call.missed)
        (call, changed) = try Telephony.apply(CallEvent(callId: "c-1", kind: .recording, recordingURL: "https://rec.example/c-1.mp3"), to: call, receivedAt: t0 + 400)
        #expect(changed && call.recordingURL == "https://rec.example/c-1.mp3" && call.state == .ended)
        #expect(Telephony.recordingEvent(call)?.details["recordingUrl"] == "https://rec.example/c-1.mp3")
    }

    @Test func repeatedAndLateDeliveriesChangeNothingAndNeverMoveBack() throws {
        let (rung, _) = try Telephony.apply(ring(), to: nil, receivedAt: t0)
        let again = try Telephony.apply(ring(), to: rung, receivedAt: t0 + 1)
        #expect(!again.changed && again.call == rung)
        let (ended, _) = try Telephony.apply(CallEvent(callId: "c-1", kind: .hungUp, at: t0 + 60), to: rung, receivedAt: t0 + 60)
        #expect(ended.missed)
        // The answer arrives after the hang-up: the call stays ended, no longer counted missed.
        let (late, lateChanged) = try Telephony.apply(CallEvent(callId: "c-1", kind: .answered, at: t0 + 10), to: ended, receivedAt: t0 + 61)
        #expect(lateChanged && late.state == .ended && late.answeredAt == t0 + 10 && !late.missed)
        let twice = try Telephony.apply(CallEvent(callId: "c-1", kind: .hungUp, at: t0 + 99), to: late, receivedAt: t0 + 99)
        #expect(!twice.changed && twice.call.endedAt == t0 + 60)
    }

    @Test func anEventForAnUnknownCallStartsItOnlyWithCallerAndExtension() throws {
        #expect(throws: RuleViolation.self) { try Telephony.apply(CallEvent(callId: "x", kind: .answered), to: nil, receivedAt: t0) }
        do {
            _ = try Telephony.apply(CallEvent(callId: "x", kind: .hungUp), to: nil, receivedAt: t0)
            Issue.record("accepted an unknown call")
        } catch {
            #expect(error.code == "call_not_found" && error.field == "callId")
        }
        let (c, _) = try Telephony.apply(CallEvent(callId: "x", kind: .answered, callerNumber: "01065432100", agentExtension: "A12"), to: nil, receivedAt: t0)
        #expect(c.state == .answered && c.ringingAt == t0 && c.answeredAt == t0)
    }

    @Test func badFieldsAreNamed() {
        let bad = CallEvent(callId: "has space", kind: .ringing, callerNumber: "12", agentExtension: "80 01")
        #expect(Set(Telephony.validate(bad).compactMap(\.field)) == ["callId", "callerNumber", "extension"])
        #expect(Telephony.validate(CallEvent(callId: "c", kind: .ringing)).map(\.field) == ["callerNumber", "extension"])
        #expect(Telephony.validate(CallEvent(callId: "c", kind: .recording)).map(\.field) == ["recordingUrl"])
        #expect(Telephony.validate(CallEvent(callId: "c", kind: .recording, recordingURL: "javascript:alert(1)")).map(\.field) == ["recordingUrl"])
        #expect(Telephony.validate(CallEvent(callId: "c", kind: .recording, recordingURL: "https://x/" + String(repeating: "a", count: 2000))).map(\.field) == ["recordingUrl"])
        #expect(Telephony.validate(CallEvent(callId: "c", kind: .ringing, callerNumber: "+8613912345678", agentExtension: "8001")).isEmpty)
    }

    @Test func theOrderTakenDuringTheCallCarriesTheCallAndAnyRecording() {
        var call = Call(callId: "c-9", callerNumber: "13900000000", agentExtension: "8001", state: .answered, ringingAt: t0)
        #expect(Telephony.intakeEvent(call).details["recordingUrl"] == nil)
        #expect(Telephony.recordingEvent(call) == nil)
        call.recordingURL = "http://pbx.local/r/9.wav"
        #expect(Telephony.intakeEvent(call).action == "call" && Telephony.intakeEvent(call).details["recordingUrl"] == "http://pbx.local/r/9.wav")
    }
}
