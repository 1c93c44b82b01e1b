import Foundation
import Synchronization

/// `Processed N / M examples` (or, for an evaluation, DSPy's `Average Metric: S / N (P%)`) with
/// elapsed time and rate, redrawn in place on stderr when stderr is a terminal; silent otherwise
/// or when disabled.
final class ProgressLine: Sendable {
    private let total: Int
    private let enabled: Bool
    private let showsMetric: Bool
    private let start = ContinuousClock.now
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
        var done = 0
        var succeeded = 0
        var scoreSum = 0.0
        var scored = 0
        /// What the run is waiting on, after the counts (a provider batch's status).
        var detail: String?
    }
    private let state = Locked(State())

    init(total: Int, enabled: Bool, showsMetric: Bool = false) {
        self.total = total
        self.showsMetric = showsMetric
        self.enabled = enabled && isatty(2) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Counts one item's metric score into the running average.
    func add(score: Double) {
        state.withLock { s in
            s.scoreSum += score
            s.scored += 1
        }
    }

    func update(done: Int, succeeded: Int) {
        redraw { s in
            s.done = done
            s.succeeded = succeeded
        }
    }

    /// Shows `detail` after the counts until it changes (nil removes it).
    func setDetail(_ detail: String?) {
        redraw { $0.detail = detail }
    }

    private func redraw(_ change: (inout State) -> Void) {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            change(&s)
            let done = s.done
            let now = ContinuousClock.now
            if let last = s.lastDraw, now - last < .milliseconds(100), done < total { return nil }
            s.lastDraw = now
            s.drawn = true
            return render(s)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    func finish() {
        guard enabled else { return }
        let line: String? = state.withLock { s in s.drawn ? render(s) + "\n" : nil }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    private func render(_ s: State) -> String {
        let elapsed = (ContinuousClock.now - start).timeInterval
        let rate = elapsed > 0 ? Double(s.done) / elapsed : 0
        let failed = s.done - s.succeeded
        let head: String
        if showsMetric {
            head =
                "Average Metric: " + EvaluationResult.averageText(sum: s.scoreSum, count: s.scored, decimals: true)
                + " — \(s.done) / \(total) examples"
        } else {
            head = "Processed \(s.succeeded) / \(total) examples"
        }
        return "\r\u{1B}[2K" + head + (failed > 0 ? " (\(failed) failed)" : "") + String(format: " [%.1fs, %.1f/s]", elapsed, rate)
            + (s.detail.map { " — " + $0 } ?? "")
    }
}
