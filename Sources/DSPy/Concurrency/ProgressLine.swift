import Foundation
import Synchronization

/// `Processed N / M examples` with elapsed time and rate, redrawn in place on stderr when
/// stderr is a terminal; silent otherwise or when disabled.
final class ProgressLine: Sendable {
    private let total: Int
    private let enabled: Bool
    private let start = ContinuousClock.now
    private struct State { var lastDraw: ContinuousClock.Instant?; var drawn = false; var done = 0; var succeeded = 0 }
    private let state = Locked(State())

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(2) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    func update(done: Int, succeeded: Int) {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            s.done = done
            s.succeeded = succeeded
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
        return "\r\u{1B}[2KProcessed \(s.succeeded) / \(total) examples" + (failed > 0 ? " (\(failed) failed)" : "")
            + String(format: " [%.1fs, %.1f/s]", elapsed, rate)
    }
}
