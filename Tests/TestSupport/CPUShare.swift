import DSPy
import Foundation

/// Slots for the test cases that take a whole processor (fuzzers, corpus runs, a 10 000-item
/// batch), shared by every test target of the one test process: one per processor but one, so
/// a processor is always left for the timing-sensitive client tests beside them (on 2 cores two
/// fuzzers still starved the HTTP timing tests under the thread sanitizer, whose heads then
/// arrived more than 8 s late).
public enum CPUShare {
    static let slots = AsyncSemaphore(capacity: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// Runs `body` once a slot is free, holding it meanwhile.
    public static func holding<R>(_ body: () async throws -> R) async throws -> R {
        try await slots.acquire()
        defer { slots.release() }
        return try await body()
    }
}

/// True when the tests run under the thread sanitizer (`swift test --sanitize=thread`), whose
/// runtime is then loaded: about five times slower and with shadow memory, so the heaviest
/// scenarios run smaller there, as the sanitizer checks the same code paths at any size.
public let runsUnderThreadSanitizer: Bool = dlsym(nil, "__tsan_init") != nil
