import Testing
import TestSupport

/// Runs each test case it marks only while it holds one of ``CPUShare``'s slots. Suites that
/// start hundreds of interpreters or `dspy-repl` processes at once would otherwise take the
/// machine from the timing-sensitive client tests beside them (a stalled-stream test whose
/// 3-second timer fires before its server was even scheduled).
struct SharesTheCPU: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil else { return try await function() }  // the suite itself: nothing to hold
        try await CPUShare.holding { try await function() }
    }
}

extension Trait where Self == SharesTheCPU {
    /// At most one marked test case per processor but one at a time.
    static var sharesTheCPU: Self { SharesTheCPU() }
}
