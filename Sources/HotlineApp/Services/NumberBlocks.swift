import Foundation
import NIOConcurrencyHelpers

/// Order numbers on PostgreSQL, taken from the day's counter a block at a time while intake is
/// busy. Drawing one number was a round trip of its own for every intake. A quiet centre still
/// draws one number per trip: numbers follow the order of intake exactly, and a restart leaves
/// no gap. When blocks run out within half a second the next is twice as large (up to
/// `NumberBlockSizing.largest`); when one lasts longer than two seconds, half as large. The
/// price, under load only: a restart drops the rest of a block (a gap; R-WO-1 asks for unique,
/// sortable numbers, not gapless ones), and two server processes each hand out their own
/// blocks, so within a busy second an order may carry a number below one recorded before it.
final class NumberBlocks: Sendable {
    private struct State {
        var day = ""
        /// Numbers drawn and not yet given out, lowest first.
        var spare: [ClosedRange<Int>] = []
        var sizing = NumberBlockSizing()
    }
    private let state = NIOLockedValueBox(State())

    /// The day's next number: from a block in hand, or from `draw(size)`, which adds `size` to
    /// the day's counter and returns its new value. `now` is seconds on a monotonic clock.
    func next(day: String, now: Double, draw: (Int) async throws -> Int) async throws -> Int {
        enum Step { case given(Int), draw(Int) }
        let step: Step = state.withLockedValue { s in
            if s.day != day {
                s.day = day
                s.spare = []
            }
            guard let first = s.spare.first else { return .draw(s.sizing.size) }
            if first.count == 1 { s.spare.removeFirst() } else { s.spare[0] = first.lowerBound + 1...first.upperBound }
            return .given(first.lowerBound)
        }
        switch step {
        case .given(let n):
            return n
        case .draw(let size):
            let last = try await draw(size)
            let block = (last - size + 1)...last
            state.withLockedValue { s in
                // Another day began meanwhile: the rest of this block is a gap.
                guard s.day == day else { return }
                s.sizing.drew(size, at: now)
                if block.count > 1 {
                    s.spare.append(block.lowerBound + 1...block.upperBound)
                    s.spare.sort { $0.lowerBound < $1.lowerBound }
                }
            }
            return block.lowerBound
        }
    }
}

/// How many numbers the next block takes: enough for about a second of intake.
struct NumberBlockSizing: Sendable {
    static let largest = 32
    private(set) var size = 1
    private var lastDraw: Double?

    mutating func drew(_ n: Int, at now: Double) {
        defer { lastDraw = now }
        guard let lastDraw else { return }
        let lasted = now - lastDraw
        if lasted < 0.5 {
            size = min(size * 2, Self.largest)
        } else if lasted > 2 {
            size = max(size / 2, 1)
        }
    }
}
