import Foundation
import NIOConcurrencyHelpers

/// Order numbers, taken from the day's counter a block at a time while intake is busy. Drawing
/// one number was a round trip of its own for every intake (on SQLite a write of its own, since
/// session 17). When blocks run out
/// within half a second the next is twice as large (up to `NumberBlockSizing.largest`); when
/// one lasts over a second, half as large; after two idle seconds, one number again.
/// Numbers drawn and not given within two seconds are dropped, so a quiet centre draws one
/// number per trip and its numbers follow the order of intake. The price, under load only: a
/// burst's unused numbers and a restart's are gaps (R-WO-1 asks for unique, sortable numbers,
/// not gapless ones), and two server processes each hand out their own blocks, so an order may
/// carry a number below one recorded up to two seconds before it.
final class NumberBlocks: Sendable {
    /// Seconds a drawn number waits to be given before it is dropped.
    static let keep = 2.0

    private struct State {
        var day = ""
        /// Numbers drawn and not yet given out, lowest first, with when each block was drawn.
        var spare: [(numbers: ClosedRange<Int>, drawnAt: Double)] = []
        var sizing = NumberBlockSizing()
    }
    private let state = NIOLockedValueBox(State())

    /// The day's next number: from a block in hand, or from `draw(size)`, which adds `size` to
    /// the day's counter and returns its new value. `now` is seconds on a monotonic clock;
    /// `later`, if given, reads it again once a draw has returned: on SQLite a draw waits its
    /// turn in the write queue, and a block is kept and sized from when it arrived.
    func next(day: String, now: Double, later: (() -> Double)? = nil, draw: (Int) async throws -> Int) async throws -> Int {
        enum Step { case given(Int), draw(Int) }
        let step: Step = state.withLockedValue { s in
            if s.day != day {
                s.day = day
                s.spare = []
            }
            s.spare.removeAll { now - $0.drawnAt > Self.keep }
            guard let first = s.spare.first else { return .draw(s.sizing.size(at: now)) }
            if first.numbers.count == 1 { s.spare.removeFirst() } else { s.spare[0].numbers = first.numbers.lowerBound + 1...first.numbers.upperBound }
            return .given(first.numbers.lowerBound)
        }
        switch step {
        case .given(let n):
            return n
        case .draw(let size):
            // A failed draw changes nothing here: the next intake draws again.
            let last = try await draw(size)
            let block = (last - size + 1)...last
            let now = later?() ?? now
            state.withLockedValue { s in
                // Another day began meanwhile: the rest of this block is a gap.
                guard s.day == day else { return }
                s.sizing.drew(at: now)
                if block.count > 1 {
                    s.spare.append((block.lowerBound + 1...block.upperBound, now))
                    s.spare.sort { $0.numbers.lowerBound < $1.numbers.lowerBound }
                }
            }
            return block.lowerBound
        }
    }
}

/// How many numbers the next block takes: enough for about a second of intake.
struct NumberBlockSizing: Sendable {
    static let largest = 32
    private var current = 1
    private var lastDraw: Double?

    /// The size of a block drawn at `now`: one after two idle seconds.
    func size(at now: Double) -> Int {
        if let lastDraw, now - lastDraw > NumberBlocks.keep { return 1 }
        return current
    }

    mutating func drew(at now: Double) {
        guard let lastDraw else {
            self.lastDraw = now
            return
        }
        // Concurrent draws may finish out of order: time never runs back here.
        let lasted = max(0, now - lastDraw)
        self.lastDraw = max(lastDraw, now)
        if lasted > NumberBlocks.keep {
            current = 1
        } else if lasted < 0.5 {
            current = min(current * 2, Self.largest)
        } else if lasted > 1 {
            current = max(current / 2, 1)
        }
    }
}
